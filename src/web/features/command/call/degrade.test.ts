import { describe, expect, it } from 'vitest';
import { isBad, sample } from './degrade.js';

const report = (rows: Record<string, unknown>[]) => new Map(rows.map((r, i) => [String(i), r])) as unknown as RTCStatsReport;

describe('the phone’s link watch', () => {
  it('reads bandwidth, round trip and loss between two reports, and calls a link bad past the documented thresholds', () => {
    const pair = { type: 'candidate-pair', nominated: true, state: 'succeeded', availableOutgoingBitrate: 90_000, currentRoundTripTime: 0.3 };
    const first = sample(report([pair, { type: 'outbound-rtp', packetsSent: 100 }, { type: 'remote-inbound-rtp', packetsLost: 0 }]), null);
    expect(first.s).toEqual({ availableKbps: 90, lossPct: null, rttMs: 300 });
    const second = sample(report([pair, { type: 'outbound-rtp', packetsSent: 180 }, { type: 'remote-inbound-rtp', packetsLost: 20 }]), first.totals);
    expect(second.s.lossPct).toBe(20);
    expect(isBad(second.s)).toBe(true);
    expect(isBad({ availableKbps: 900, lossPct: 2, rttMs: 80 })).toBe(false);
    expect(isBad({ availableKbps: 900, lossPct: 11, rttMs: 80 })).toBe(true);
    expect(isBad({ availableKbps: 900, lossPct: 0, rttMs: 1200 })).toBe(true);
    expect(isBad({ availableKbps: null, lossPct: null, rttMs: null })).toBe(false);
  });
});
