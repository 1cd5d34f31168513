import { useQueries, useQuery } from '@tanstack/react-query';
import type { RainGrabResult, RainScheduleInput, RainSession, RainSessionState } from '../../contracts/rain.js';
import { api } from './client.js';

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

export const grabPacket = (sessionId: string, token: string) =>
  api<RainGrabResult>(`/api/rain/sessions/${encodeURIComponent(sessionId)}/grab`, { method: 'POST', headers: { 'x-rain-token': token } });

export const createRainSchedule = async (campaignId: string, body: RainScheduleInput) =>
  (await api<{ sessions: RainSession[] }>(`/api/admin/campaigns/${encodeURIComponent(campaignId)}/rain/schedule`, { method: 'POST', body })).sessions;

export const releaseRainGrab = async (grabId: string) =>
  (await api<{ grab: RainGrab }>(`/api/admin/rain/grabs/${encodeURIComponent(grabId)}/release`, { method: 'POST', body: {} })).grab;

/** A session's wins for the admin, held (suspicious) ones first. */
export const fetchRainGrabs = async (sessionId: string) =>
  (await api<{ grabs: RainGrab[] }>(`/api/admin/rain/sessions/${encodeURIComponent(sessionId)}/grabs`)).grabs;
