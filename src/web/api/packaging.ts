import { useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import type { deskEditSchema } from '../../contracts/desk.js';
import type { coversReply, dailyPickSchema, packageSchema } from '../../contracts/packaging.js';
import { CHANNELS, CHANNEL_LIMITS, type Channel } from '../../contracts/packaging.limits.js';
import { api, ApiError } from './client.js';

// Types only: the contracts carry zod, which stays out of the web bundle.
export type { Channel };
export type ChannelPackage = z.infer<typeof packageSchema>;
export type Cover = z.infer<typeof coversReply>['covers'][number];
export type DeskPick = z.infer<typeof dailyPickSchema>;
export type DeskEdit = z.infer<typeof deskEditSchema>;

export type Limits = (typeof CHANNEL_LIMITS)[Channel];
export { CHANNELS, CHANNEL_LIMITS };

/** Mirrors packageBody (one tag) and dailyPickBody in src/contracts/packaging.ts. */
export const TAG_MAX = 20;
export const PICK_LIMITS = { headline: 60, summary: 300 };
/** Mirrors deskEditBody in src/contracts/desk.ts. */
export const SUBTITLE_MAX = 80;

/** Characters as the server counts them: code points, so a Chinese character is one. */
export const charCount = (s: string) => [...s].length;

/** Today in Asia/Shanghai (no DST, so a fixed +8 h is exact), as YYYY-MM-DD. */
export function shanghaiToday(now = Date.now()): string {
  return new Date(now + 8 * 3_600_000).toISOString().slice(0, 10);
}
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

const enc = encodeURIComponent;

export const packagingKeys = {
  packages: (id: string) => ['desk', 'packages', id] as const,
  covers: (id: string) => ['desk', 'covers', id] as const,
  picks: (from: string, to: string) => ['desk', 'daily-picks', from, to] as const,
  edits: (id: string) => ['desk', 'edits', id] as const,
};

const no4xxRetry = (n: number, e: unknown) => !(e instanceof ApiError && e.status >= 400 && e.status < 500) && n < 2;

export function usePackages(id: string, enabled = true) {
  return useQuery({
    queryKey: packagingKeys.packages(id),
    enabled,
    retry: no4xxRetry,
    queryFn: async () => (await api<{ packages: ChannelPackage[] }>(`/api/desk/submissions/${enc(id)}/packages`)).packages,
  });
}

/** The first request makes the frames (a few seconds), later ones are instant. */
export function useCovers(id: string, enabled = true) {
  return useQuery({
    queryKey: packagingKeys.covers(id),
    enabled,
    retry: no4xxRetry,
    staleTime: Infinity,
    queryFn: async () => (await api<{ covers: Cover[] }>(`/api/desk/submissions/${enc(id)}/covers`)).covers,
  });
}

export interface PackageInput {
  headline: string;
  summary: string;
  tags: string[];
  coverKey: string | null;
  credit: string;
}
export const savePackage = async (id: string, channel: Channel, body: PackageInput) =>
  (await api<{ package: ChannelPackage }>(`/api/desk/submissions/${enc(id)}/packages/${channel}`, { method: 'PUT', body })).package;

export function useDeskPicks(from: string, to: string, enabled = true) {
  return useQuery({
    queryKey: packagingKeys.picks(from, to),
    enabled,
    retry: no4xxRetry,
    queryFn: async () => (await api<{ picks: DeskPick[] }>(`/api/desk/daily-picks?from=${enc(from)}&to=${enc(to)}`)).picks,
  });
}

export interface PickInput {
  submissionId: string;
  headline: string;
  summary: string;
  coverKey: string | null;
}
export const setDailyPick = async (day: string, body: PickInput) =>
  (await api<{ pick: DeskPick }>(`/api/desk/daily-picks/${enc(day)}`, { method: 'PUT', body })).pick;
export const clearDailyPick = (day: string) => api<void>(`/api/desk/daily-picks/${enc(day)}`, { method: 'DELETE' });

const busy = (e: DeskEdit) => e.status === 'queued' || e.status === 'processing';

/** The desk's versions of a video; polls every 2 s while any is still being made. */
export function useEdits(id: string, enabled = true) {
  return useQuery({
    queryKey: packagingKeys.edits(id),
    enabled,
    retry: no4xxRetry,
    refetchInterval: (q) => (q.state.data?.some(busy) ? 2_000 : false),
    queryFn: async () => (await api<{ edits: DeskEdit[] }>(`/api/desk/submissions/${enc(id)}/edits`)).edits,
  });
}

export interface EditInput {
  startSeconds: number;
  endSeconds: number;
  subtitles: { startSeconds: number; endSeconds: number; text: string }[];
  mode: 'burn' | 'vtt';
}
export const requestEdit = async (id: string, body: EditInput) =>
  (await api<{ edit: DeskEdit }>(`/api/desk/submissions/${enc(id)}/edits`, { method: 'POST', body })).edit;
