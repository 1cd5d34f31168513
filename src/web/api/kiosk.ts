import { useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import type { KioskCommandKind, KioskFleetScreen, KioskLayer, kioskLayerBody } from '../../contracts/kiosk.js';

export type KioskLayerInput = z.input<typeof kioskLayerBody>;
import { api, ApiError } from './client.js';

// The admin's kiosk fleet (docs/kiosk.md; docs/api.md "Kiosks").
const enc = encodeURIComponent;
const no4xxRetry = (n: number, e: unknown) => !(e instanceof ApiError && e.status >= 400 && e.status < 500) && n < 2;

export const kioskKeys = { fleet: ['admin', 'kiosk-fleet'] as const, groups: ['admin', 'kiosk-groups'] as const };

/** The fleet, refreshed every 10 s: health moves by itself as heartbeats arrive or stop. */
export function useKioskFleet() {
  return useQuery({
    queryKey: kioskKeys.fleet,
    retry: no4xxRetry,
    refetchInterval: 10_000,
    queryFn: async () => (await api<{ screens: KioskFleetScreen[] }>('/api/admin/kiosk-fleet')).screens,
  });
}
export function useKioskGroups() {
  return useQuery({
    queryKey: kioskKeys.groups,
    retry: no4xxRetry,
    queryFn: async () => (await api<{ groups: { id: string; name: string; screens: number }[] }>('/api/admin/kiosk-groups')).groups,
  });
}

export interface ClaimInput {
  code: string;
  name: string;
  orientation: 'landscape' | 'portrait';
  groupId: string | null;
  campaignId: string | null;
}
export const claimScreen = (body: ClaimInput) => api<KioskFleetScreen>('/api/admin/kiosk-screens/claim', { method: 'POST', body });
export const sendCommand = (id: string, kind: KioskCommandKind) =>
  api<{ id: string }>(`/api/admin/kiosk-screens/${enc(id)}/commands`, { method: 'POST', body: { kind } });
export const revokeScreen = (id: string) => api<KioskFleetScreen>(`/api/admin/kiosk-screens/${enc(id)}/revoke`, { method: 'POST' });
export const screenshotUrl = (id: string, at: string) => `/api/admin/kiosk-screens/${enc(id)}/screenshot?at=${enc(at)}`;

export interface ScheduleView {
  screenId: string;
  timeZone: string;
  at: string;
  now: { dark: boolean; layer: KioskLayer | null };
  nextChangeAt: string | null;
  layers: KioskLayer[];
  timeline: { from: string; to: string; dark: boolean; layerId: string | null }[];
}
export function useKioskSchedule(screenId: string) {
  return useQuery({
    queryKey: ['admin', 'kiosk-schedule', screenId],
    retry: no4xxRetry,
    refetchInterval: 60_000,
    queryFn: () => api<ScheduleView>(`/api/admin/kiosk-screens/${enc(screenId)}/schedule?hours=24`),
  });
}
export const createGroup = (name: string) => api<{ id: string; name: string }>('/api/admin/kiosk-groups', { method: 'POST', body: { name } });
export const deleteGroup = (id: string) => api<void>(`/api/admin/kiosk-groups/${enc(id)}`, { method: 'DELETE' });
export const createLayer = (body: KioskLayerInput) => api<KioskLayer>('/api/admin/kiosk-layers', { method: 'POST', body });
export const deleteLayer = (id: string) => api<void>(`/api/admin/kiosk-layers/${enc(id)}`, { method: 'DELETE' });
export const updateScreen = (id: string, body: Record<string, unknown>) =>
  api<KioskFleetScreen>(`/api/admin/kiosk-screens/${enc(id)}`, { method: 'PATCH', body });
