import type { KioskCommandKind } from '../../../contracts/kiosk.js';

/**
 * The kiosk app's talk with the server (docs/kiosk.md, docs/api.md "Kiosks"): the device key in
 * local storage, the clock corrected by the server's, pairing, heartbeats and the event stream.
 * Nothing here uses the session cookie: a screen is not a person.
 */
const KEY_STORE = 'paike.kiosk.key';

export class KioskAuthError extends Error {}

export const storedKey = (): string | null => localStorage.getItem(KEY_STORE);
export const storeKey = (key: string) => localStorage.setItem(KEY_STORE, key);
export const forgetKey = () => localStorage.removeItem(KEY_STORE);

/** Milliseconds to add to this screen's clock to get the server's (a kiosk's RTC is often wrong). */
let clockOffset = 0;
export const serverNow = () => Date.now() + clockOffset;
export function learnServerTime(serverTime: string, sentAt: number) {
  // Half the round trip is the best guess of when the server read its clock.
  const mid = (sentAt + Date.now()) / 2;
  const t = Date.parse(serverTime);
  if (Number.isFinite(t)) clockOffset = t - mid;
}

/** A request as the screen: its key, no cookie, no HTTP cache; a refused key is a KioskAuthError. */
export async function kioskFetch(path: string, init: RequestInit & { key?: string } = {}): Promise<Response> {
  const key = init.key ?? storedKey();
  const headers = new Headers(init.headers);
  if (key) headers.set('x-kiosk-key', key);
  const res = await fetch(path, { ...init, headers, credentials: 'omit', cache: 'no-store' });
  if (res.status === 401 && path !== '/api/kiosk/pairings') throw new KioskAuthError(path);
  return res;
}

async function json<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await kioskFetch(path, init);
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return (await res.json()) as T;
}

// ---- pairing ----
export interface Pairing {
  id: string;
  code: string;
  secret: string;
  expiresAt: string;
  pollSeconds: number;
}
export type PairingStatus =
  { status: 'waiting'; expiresAt: string } | { status: 'expired' } | { status: 'paired'; key: string; screen: { id: string; name: string } };

export const startPairing = () => json<Pairing>('/api/kiosk/pairings', { method: 'POST' });
export async function pollPairing(p: Pairing): Promise<PairingStatus> {
  const res = await fetch(`/api/kiosk/pairings/${encodeURIComponent(p.id)}`, {
    headers: { 'x-pairing-secret': p.secret },
    cache: 'no-store',
    credentials: 'omit',
  });
  if (res.status === 404 || res.status === 401) return { status: 'expired' };
  if (!res.ok) throw new Error(`pairing: ${res.status}`);
  return (await res.json()) as PairingStatus;
}

// ---- reporting ----
export interface Report {
  appVersion: string;
  clock: string;
  layerId: string | null;
  itemId: string | null;
  dark: boolean;
  storageUsedBytes: number | null;
  storageQuotaBytes: number | null;
  offlineSince: string | null;
  manifestVersion: string | null;
  mode: 'attract' | 'touch';
}
export interface HeartbeatReply {
  serverTime: string;
  heartbeatSeconds: number;
  commands: { id: string; kind: KioskCommandKind; createdAt: string }[];
}
export async function heartbeat(r: Omit<Report, 'clock' | 'storageUsedBytes' | 'storageQuotaBytes'>): Promise<HeartbeatReply> {
  const est = await navigator.storage?.estimate?.().catch(() => undefined);
  const sentAt = Date.now();
  const reply = await json<HeartbeatReply>('/api/kiosk/heartbeat', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      ...r,
      clock: new Date().toISOString(),
      storageUsedBytes: est?.usage !== undefined ? Math.round(est.usage) : null,
      storageQuotaBytes: est?.quota !== undefined ? Math.round(est.quota) : null,
    }),
  });
  learnServerTime(reply.serverTime, sentAt);
  return reply;
}

/** `playedAt` on this screen's own clock; `sentAt` says what that clock shows now, and the server corrects both. */
export const postPlays = (plays: { id: string; submissionId: string; playedAt: string; durationMs: number }[]) =>
  json<{ results: { id: string; outcome: string }[] }>('/api/kiosk/plays', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ plays, sentAt: new Date().toISOString() }),
  });

export const commandDone = (id: string, result: string) =>
  json<unknown>(`/api/kiosk/commands/${encodeURIComponent(id)}/done`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ result: result.slice(0, 200) }),
  });

export async function rotateKey(): Promise<void> {
  const { key } = await json<{ key: string }>('/api/kiosk/key', { method: 'POST' });
  storeKey(key);
}

export async function sendScreenshot(blob: Blob): Promise<void> {
  const res = await kioskFetch('/api/kiosk/screenshot', { method: 'PUT', headers: { 'content-type': blob.type }, body: blob });
  if (!res.ok) throw new Error(`screenshot: ${res.status}`);
}

// ---- the event stream ----
export type KioskEvent =
  | { event: 'hello'; data: { serverTime: string } }
  | { event: 'command'; data: { id: string; kind: KioskCommandKind } }
  | { event: 'schedule'; data: Record<string, never> }
  | { event: 'revoked'; data: Record<string, never> };

/**
 * Reads the screen's event stream and reconnects with backoff (1 s doubling to 30 s) until
 * stopped. `fetch`, not EventSource: only fetch can send the key header. Calls `onAuth` and stops
 * when the key is refused.
 */
export function listen(onEvent: (e: KioskEvent) => void, onAuth: () => void): () => void {
  let stopped = false;
  let ac: AbortController | null = null;
  let delay = 1000;
  const run = async () => {
    while (!stopped) {
      ac = new AbortController();
      try {
        const sentAt = Date.now();
        const res = await kioskFetch('/api/kiosk/events', { signal: ac.signal, headers: { accept: 'text/event-stream' } });
        if (!res.ok || !res.body) throw new Error(`events: ${res.status}`);
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let cut: number;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const event = /^event: (.+)$/m.exec(block)?.[1];
            const data = /^data: (.+)$/m.exec(block)?.[1];
            if (!event || !data) continue;
            const e = { event, data: JSON.parse(data) as unknown } as KioskEvent;
            if (e.event === 'hello') {
              learnServerTime(e.data.serverTime, sentAt);
              delay = 1000;
            }
            onEvent(e);
          }
        }
      } catch (err) {
        if (err instanceof KioskAuthError) {
          stopped = true;
          onAuth();
          return;
        }
      }
      if (stopped) return;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(30_000, delay * 2);
    }
  };
  void run();
  return () => {
    stopped = true;
    ac?.abort();
  };
}
