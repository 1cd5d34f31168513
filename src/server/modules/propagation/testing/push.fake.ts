import { createDecipheriv, createECDH, createPublicKey, hkdfSync, randomBytes, verify, type ECDH } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for a Web Push service (RFC 8030), checking what a real one checks: a POST
 * with TTL, `Content-Encoding: aes128gcm` and a VAPID `Authorization: vapid t=<JWT>, k=<key>`
 * whose ES256 signature, audience (the endpoint's origin), expiry and subject are valid (RFC
 * 8292). It keeps each accepted message's encrypted body for the test to decrypt, and answers
 * with whatever statuses the test queues per subscription path (201 by default).
 */
export interface PushedMessage {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export async function startFakePushService() {
  const received: PushedMessage[] = [];
  const statuses = new Map<string, number[]>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const fail = (status: number, why: string) => res.writeHead(status, { 'content-type': 'text/plain' }).end(why);
      if (req.method !== 'POST') return fail(405, 'POST only');
      if (!/^\d+$/.test(String(req.headers.ttl ?? ''))) return fail(400, 'TTL header required');
      if (req.headers['content-encoding'] !== 'aes128gcm') return fail(415, 'aes128gcm only');
      const vapid = checkVapid(String(req.headers.authorization ?? ''), `http://${req.headers.host}`);
      if (vapid) return fail(403, vapid);
      const queued = statuses.get(path);
      const status = queued?.length ? queued.shift()! : 201;
      if (status === 201) received.push({ path, headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    received,
    /** The next answers to pushes to this path (e.g. 503 then 201, or 410). */
    answer(path: string, ...codes: number[]) {
      statuses.set(path, [...(statuses.get(path) ?? []), ...codes]);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Why the VAPID header is not acceptable, or null when it is. */
function checkVapid(authorization: string, audience: string): string | null {
  const m = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+), k=([\w-]+)$/.exec(authorization);
  if (!m) return 'VAPID Authorization required';
  const [h, p, sig] = m[1]!.split('.') as [string, string, string];
  const k = Buffer.from(m[2]!, 'base64url');
  if (k.length !== 65 || k[0] !== 4) return 'k is not an uncompressed P-256 point';
  const key = createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: k.subarray(1, 33).toString('base64url'), y: k.subarray(33).toString('base64url') },
    format: 'jwk',
  });
  if (!verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig, 'base64url'))) return 'bad JWT signature';
  const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as { alg?: string };
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as { aud?: string; exp?: number; sub?: string };
  if (header.alg !== 'ES256') return 'alg must be ES256';
  if (claims.aud !== audience) return `aud must be ${audience}`;
  const now = Date.now() / 1000;
  if (!claims.exp || claims.exp < now || claims.exp > now + 24 * 3600) return 'exp must be within 24 hours';
  if (!claims.sub || !/^(mailto:|https:)/.test(claims.sub)) return 'sub must be mailto: or https:';
  return null;
}

/** What a browser makes when it subscribes: a P-256 key pair and a 16-byte authentication secret. */
export function browserKeys(): { ecdh: ECDH; auth: Buffer; keys: { p256dh: string; auth: string } } {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = randomBytes(16);
  return { ecdh, auth, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') } };
}

/**
 * Decrypts a Web Push message as the browser does (RFC 8291 over RFC 8188 aes128gcm): the
 * header carries the salt, record size and the sender's ephemeral public key; the key and
 * nonce come from ECDH with the browser's private key and HKDF with the auth secret.
 */
export function decryptPush(body: Buffer, ecdh: ECDH, auth: Buffer): string {
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20]!;
  const senderPublic = body.subarray(21, 21 + idlen);
  const records = body.subarray(21 + idlen);
  if (records.length > rs) throw new Error('one record expected');
  const secret = ecdh.computeSecret(senderPublic);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), ecdh.getPublicKey(), senderPublic]);
  const ikm = Buffer.from(hkdfSync('sha256', secret, auth, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(records.subarray(records.length - 16));
  const padded = Buffer.concat([decipher.update(records.subarray(0, records.length - 16)), decipher.final()]);
  // The last record ends with the delimiter 0x02 followed by any zero padding.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error('last-record delimiter missing');
  return padded.subarray(0, end).toString('utf8');
}
