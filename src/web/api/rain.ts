import { useQueries, useQuery } from '@tanstack/react-query';
import { RAIN_DEVICE_STORAGE_KEY } from '../../contracts/rain.keys.js';
import type { MyRainWin, RainGrabResult, RainScheduleInput, RainSession, RainSessionState } from '../../contracts/rain.js';
import { currentLocale, i18next } from '../i18n/index.js';
import { api, ApiError } from './client.js';

export type { RainGrabResult, RainScheduleInput, RainSession, RainSessionState };

export interface RainGrab {
  id: string;
  sessionId: string;
  userId: string;
  packetIdx: number;
  amountFen: number;
  wonAt: string;
  held: boolean;
  holdReason: string | null;
  releasedAt: string | null;
  transferId: string | null;
  deviceId: string | null;
  refusedAt: string | null;
}

export const rainKeys = {
  session: (id: string) => ['rain', 'session', id] as const,
  sessions: (campaignId: string) => ['rain', 'sessions', campaignId] as const,
};

/** The state from the local clock (the server's `state` is a snapshot taken when it answered). */
export function liveState(s: RainSession, now: number): RainSessionState {
  if (s.state === 'settled') return 'settled';
  if (now < Date.parse(s.startsAt)) return 'scheduled';
  if (now < Date.parse(s.endsAt)) return 'open';
  return s.state === 'scheduled' || s.state === 'open' ? 'ended' : s.state;
}

export function useRainSession(id: string) {
  return useQuery({
    queryKey: rainKeys.session(id),
    queryFn: async () => (await api<{ session: RainSession }>(`/api/rain/sessions/${encodeURIComponent(id)}`)).session,
  });
}

export const fetchRainSessions = async (campaignId: string) =>
  (await api<{ sessions: RainSession[] }>(`/api/rain/sessions?campaignId=${encodeURIComponent(campaignId)}`)).sessions;

export function useRainSessions(campaignId: string | undefined, refetchMs?: number) {
  return useQuery({
    queryKey: rainKeys.sessions(campaignId ?? ''),
    enabled: !!campaignId,
    refetchInterval: refetchMs,
    queryFn: () => fetchRainSessions(campaignId!),
  });
}

export function useRainSessionsFor(campaignIds: string[]) {
  return useQueries({
    queries: campaignIds.map((id) => ({ queryKey: rainKeys.sessions(id), queryFn: () => fetchRainSessions(id) })),
  });
}

export const fetchRainToken = (sessionId: string) => api<{ token: string; expiresAt: string }>(`/api/rain/sessions/${encodeURIComponent(sessionId)}/token`);

let memoryDeviceId: string | undefined;

/**
 * This browser's rain device id: random, kept in localStorage, so every account signed in on
 * this browser sends the same one (the server holds wins when too many accounts share one).
 * Where storage is unavailable it lasts as long as the page.
 */
export function rainDeviceId(): string {
  const fresh = () => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
  try {
    let id = localStorage.getItem(RAIN_DEVICE_STORAGE_KEY);
    if (!id || !/^[A-Za-z0-9_-]{8,64}$/.test(id)) {
      id = fresh();
      localStorage.setItem(RAIN_DEVICE_STORAGE_KEY, id);
    }
    return id;
  } catch {
    return (memoryDeviceId ??= fresh());
  }
}

/**
 * A coarse hash of what the browser says about itself (user agent, language, screen, time
 * zone, cores, touch points). Many phones of one model share it, so the server only logs it
 * for review. cyrb53: no crypto.subtle, which plain-http pages lack.
 */
export function rainFingerprint(): string {
  const parts = [
    navigator.userAgent,
    navigator.language,
    `${screen.width}x${screen.height}@${window.devicePixelRatio}`,
    Intl.DateTimeFormat().resolvedOptions().timeZone,
    navigator.hardwareConcurrency,
    navigator.maxTouchPoints,
  ].join('|');
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < parts.length; i++) {
    const c = parts.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return ((h2 >>> 0).toString(16).padStart(8, '0') + (h1 >>> 0).toString(16).padStart(8, '0')).slice(0, 16);
}

/**
 * One grab, sent without the session cookie: the token names the contributor, which spares the
 * server the cookie's session lookup on its busiest route (docs/rain.md, "Grabbing").
 */
export async function grabPacket(sessionId: string, token: string): Promise<RainGrabResult> {
  let res: Response;
  try {
    res = await fetch(`/api/rain/sessions/${encodeURIComponent(sessionId)}/grab`, {
      method: 'POST',
      credentials: 'omit',
      headers: {
        accept: 'application/json',
        'accept-language': currentLocale(),
        'x-rain-token': token,
        'x-rain-device': rainDeviceId(),
        'x-rain-fingerprint': rainFingerprint(),
      },
    });
  } catch {
    throw new ApiError({ status: 0, code: 'network', message: i18next.t('common.network') });
  }
  const data = (await res.json().catch(() => undefined)) as unknown;
  if (res.ok) return data as RainGrabResult;
  const err = (data as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  throw new ApiError({
    status: res.status,
    code: typeof err?.code === 'string' ? err.code : `http.${res.status}`,
    message: typeof err?.message === 'string' && err.message ? err.message : i18next.t('common.error'),
    details: err?.details,
  });
}

export const createRainSchedule = async (campaignId: string, body: RainScheduleInput) =>
  (await api<{ sessions: RainSession[] }>(`/api/admin/campaigns/${encodeURIComponent(campaignId)}/rain/schedule`, { method: 'POST', body })).sessions;

export const refuseRainGrab = async (grabId: string) =>
  (await api<{ grab: RainGrab }>(`/api/admin/rain/grabs/${encodeURIComponent(grabId)}/refuse`, { method: 'POST', body: {} })).grab;
export const releaseRainGrab = async (grabId: string) =>
  (await api<{ grab: RainGrab }>(`/api/admin/rain/grabs/${encodeURIComponent(grabId)}/release`, { method: 'POST', body: {} })).grab;

/** A session's wins for the admin, held (suspicious) ones first. */
export const fetchRainGrabs = async (sessionId: string) =>
  (await api<{ grabs: RainGrab[] }>(`/api/admin/rain/sessions/${encodeURIComponent(sessionId)}/grabs`)).grabs;

/** My wins, kept after their sessions end (GET /api/me/rain-wins); held ones are pending on earnings. */
export function useMyRainWins(enabled: boolean) {
  return useQuery({
    queryKey: ['rain', 'my-wins'],
    queryFn: () => api<{ wins: MyRainWin[]; heldFen: number }>('/api/me/rain-wins'),
    enabled,
  });
}
