import { useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import type { claimSchema, decisionReply, noteSchema, queueItemSchema, reviewReply, studioSchema, TrustLevel } from '../../contracts/desk.js';
import { api, ApiError } from './client.js';
import { TRUST } from './enums.js';

// Types only: the contracts carry zod, which stays out of the web bundle.
export type QueueItem = z.infer<typeof queueItemSchema>;
export type Review = z.infer<typeof reviewReply>;
export type Claim = z.infer<typeof claimSchema>;
export type Note = z.infer<typeof noteSchema>;
export type Decision = z.infer<typeof decisionReply>;
export type Studio = z.infer<typeof studioSchema>;
export type { TrustLevel };

export { TRUST };
/** Mirrors REJECT_REASONS in src/contracts/desk.ts. */
export const REJECT_REASONS = ['not_newsworthy', 'poor_quality', 'off_theme', 'duplicate', 'rights', 'unsafe', 'other'] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export interface QueueFilters {
  campaignId?: string;
  theme?: string;
  duplicate?: 'true' | 'false';
  trust?: TrustLevel;
  studioId?: string;
}

export const deskKeys = {
  queue: (f: QueueFilters) => ['desk', 'queue', f] as const,
  review: (id: string) => ['desk', 'review', id] as const,
  studios: ['desk', 'studios'] as const,
  audit: ['audit'] as const,
};

const enc = encodeURIComponent;

export function queueUrl(f: QueueFilters): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v) p.set(k, v);
  p.set('limit', '100');
  return `/api/desk/queue?${p.toString()}`;
}

export function useQueue(f: QueueFilters) {
  return useQuery({
    queryKey: deskKeys.queue(f),
    queryFn: async () => (await api<{ items: QueueItem[] }>(queueUrl(f))).items,
    // The queue is shared by every editor on the desk; keep it fresh without a reload.
    refetchInterval: 15_000,
    refetchIntervalInBackground: false,
    staleTime: 5_000,
  });
}

export function useReview(id: string) {
  return useQuery({
    queryKey: deskKeys.review(id),
    retry: (n, e) => !(e instanceof ApiError && e.status >= 400 && e.status < 500) && n < 2,
    queryFn: () => api<Review>(`/api/desk/submissions/${enc(id)}`),
  });
}

export const claimItem = async (id: string) => (await api<{ claim: Claim }>(`/api/desk/submissions/${enc(id)}/claim`, { method: 'POST', body: {} })).claim;
export const releaseItem = (id: string) => api<void>(`/api/desk/submissions/${enc(id)}/claim`, { method: 'DELETE' });
export const adoptItem = (id: string, grade: string) => api<Decision>(`/api/desk/submissions/${enc(id)}/adopt`, { method: 'POST', body: { grade } });
export const rejectItem = (id: string, reason: RejectReason, note?: string) =>
  api<Decision>(`/api/desk/submissions/${enc(id)}/reject`, { method: 'POST', body: note ? { reason, note } : { reason } });
export const regradeItem = (id: string, grade: string, expectedGrade: string) =>
  api<Decision>(`/api/desk/submissions/${enc(id)}/grade`, { method: 'POST', body: { grade, expectedGrade } });
export const addNote = (id: string, body: string) => api<Note>(`/api/desk/submissions/${enc(id)}/notes`, { method: 'POST', body: { body } });

export function useStudios(enabled = true) {
  return useQuery({
    queryKey: deskKeys.studios,
    enabled,
    queryFn: async () => (await api<{ studios: Studio[] }>('/api/desk/studios')).studios,
  });
}

export interface StudioInput {
  name: string;
  leadUserId?: string;
  memberIds?: string[];
  routes: { campaignId: string; theme: string | null }[];
}

export const saveStudio = async (id: string | null, body: Partial<StudioInput>) =>
  (await api<{ studio: Studio }>(id ? `/api/desk/studios/${enc(id)}` : '/api/desk/studios', { method: id ? 'PATCH' : 'POST', body })).studio;

export interface AuditEntry {
  id: number | string;
  at: string;
  actorId: string | null;
  actorName: string | null;
  action: string;
  objectType: string;
  objectId: string | null;
  data: unknown;
}
