/**
 * The phone's own watch on its uplink (docs/command-live.md, "Falling back to audio"): once a
 * second it reads the connection's statistics; a sample is bad when the estimated outgoing
 * bandwidth is under 150 kbit/s, more than 10 % of packets are lost, or the round trip is over
 * 1 s. Three bad samples in a row (about three seconds of a link that cannot carry video) drop
 * the call to audio by itself; it does not climb back on its own (the director can ask).
 */
export const DEGRADE = { minKbps: 150, maxLossPct: 10, maxRttMs: 1000, badSamples: 3, everyMs: 1000 } as const;

export interface LinkSample {
  availableKbps: number | null;
  lossPct: number | null;
  rttMs: number | null;
}

export function isBad(s: LinkSample): boolean {
  return (
    (s.availableKbps !== null && s.availableKbps < DEGRADE.minKbps) ||
    (s.lossPct !== null && s.lossPct > DEGRADE.maxLossPct) ||
    (s.rttMs !== null && s.rttMs > DEGRADE.maxRttMs)
  );
}

/** Reads the figures from one getStats report: the selected candidate pair and what the far end says it received. */
export function sample(report: RTCStatsReport, prev: { sent: number; lost: number } | null): { s: LinkSample; totals: { sent: number; lost: number } } {
  let availableKbps: number | null = null;
  let rttMs: number | null = null;
  let sent = 0;
  let lost = 0;
  report.forEach((r: Record<string, unknown>) => {
    if (r.type === 'candidate-pair' && (r.nominated || r.selected) && r.state === 'succeeded') {
      if (typeof r.availableOutgoingBitrate === 'number') availableKbps = r.availableOutgoingBitrate / 1000;
      if (typeof r.currentRoundTripTime === 'number') rttMs = r.currentRoundTripTime * 1000;
    }
    if (r.type === 'outbound-rtp' && typeof r.packetsSent === 'number') sent += r.packetsSent;
    if (r.type === 'remote-inbound-rtp' && typeof r.packetsLost === 'number') lost += r.packetsLost;
  });
  const dSent = prev ? sent - prev.sent : 0;
  const dLost = prev ? lost - prev.lost : 0;
  const lossPct = prev && dSent > 0 ? Math.max(0, (dLost / (dSent + Math.max(0, dLost))) * 100) : null;
  return { s: { availableKbps, lossPct, rttMs }, totals: { sent, lost } };
}

/** Calls `onDegraded` once when the link has been bad for `badSamples` seconds in a row; returns a stop. */
export function watchLink(getStats: () => Promise<RTCStatsReport>, onDegraded: (s: LinkSample) => void): () => void {
  let bad = 0;
  let prev: { sent: number; lost: number } | null = null;
  let done = false;
  const timer = setInterval(() => {
    void getStats()
      .then((report) => {
        if (done) return;
        const { s, totals } = sample(report, prev);
        prev = totals;
        (window as unknown as { __paikeLink?: LinkSample }).__paikeLink = s;
        bad = isBad(s) ? bad + 1 : 0;
        if (bad >= DEGRADE.badSamples) {
          done = true;
          clearInterval(timer);
          onDegraded(s);
        }
      })
      .catch(() => undefined);
  }, DEGRADE.everyMs);
  return () => {
    done = true;
    clearInterval(timer);
  };
}
