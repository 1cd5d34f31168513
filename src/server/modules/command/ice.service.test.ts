import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../lib/clock.js';
import { createIceService } from './ice.service.js';

describe('ICE servers', () => {
  const clock = fixedClock('2027-01-10T04:00:00Z');
  const secret = 'a-long-coturn-static-auth-secret';
  const ice = createIceService({
    config: { stunUrls: ['stun:stun.example:3478'], turnUrls: ['turn:turn.example:3478?transport=udp'], turnSecret: secret, ttlSeconds: 600 },
    clock,
  });

  it('makes coturn REST credentials (expiry:userId, base64 HMAC-SHA1) that expire, never the secret', () => {
    const out = ice.servers({ id: '11111111-1111-4111-8111-111111111111', roles: ['contributor'] });
    const expiry = Date.parse('2027-01-10T04:10:00Z') / 1000;
    expect(out.iceServers[0]).toEqual({ urls: ['stun:stun.example:3478'] });
    const turn = out.iceServers[1]!;
    expect(turn.username).toBe(`${expiry}:11111111-1111-4111-8111-111111111111`);
    expect(turn.credential).toBe(createHmac('sha1', secret).update(turn.username!).digest('base64'));
    expect(out.expiresAt).toBe('2027-01-10T04:10:00.000Z');
    expect(JSON.stringify(out)).not.toContain(secret);
  });

  it('is for desk staff and people in the field only', () => {
    expect(() => ice.servers({ id: 'x', roles: ['finance'] })).toThrow(/auth.forbidden/);
    expect(() => ice.servers(null)).toThrow(/auth.required/);
  });
});
