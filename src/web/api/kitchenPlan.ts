import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Board, Form, FormStatus, Idea, StudioDetail, StudioOverview } from '../../contracts/kitchen.js';
import { api } from './client.js';
import { FORMS } from '../../contracts/kitchen.limits.js';

// Types only from the contracts (zod stays out of the web bundle); values from the zod-free kitchen.limits.ts.
export type { Board, BoardSlot, Form, FormStatus, Idea, StudioDetail, StudioOverview } from '../../contracts/kitchen.js';
export const PLAN_FORMS = FORMS;
export const PLAN_STATUSES = ['planned', 'in_edit', 'in_review', 'ready', 'published'] as const satisfies readonly FormStatus[];

export interface IdeaInput {
  title: string;
  summary: string;
  studioId: string | null;
  day: string;
  ownerId: string | null;
  deadline: string | null;
  slots: { form: Form; target: string; dueAt: string | null }[];
  feeds: string[];
}

export const planKeys = {
  all: ['kitchenPlan'] as const,
  board: (day: string) => ['kitchenPlan', 'board', day] as const,
  studios: ['kitchenPlan', 'studios'] as const,
  studio: (id: string) => ['kitchenPlan', 'studio', id] as const,
};

export function useBoard(day: string) {
  return useQuery({
    queryKey: planKeys.board(day),
    placeholderData: keepPreviousData,
    // A long shift: the board refreshes itself every minute (late flags move with the clock).
    refetchInterval: 60_000,
    queryFn: () => api<{ board: Board }>(`/api/kitchen/board?day=${encodeURIComponent(day)}`).then((r) => r.board),
  });
}

export function useKitchenStudios() {
  return useQuery({
    queryKey: planKeys.studios,
    refetchInterval: 60_000,
    queryFn: () => api<{ studios: StudioOverview[] }>('/api/kitchen/studios').then((r) => r.studios),
  });
}

export function useKitchenStudio(id: string) {
  return useQuery({
    queryKey: planKeys.studio(id),
    refetchInterval: 60_000,
    queryFn: () => api<{ studio: StudioDetail }>(`/api/kitchen/studios/${id}`).then((r) => r.studio),
  });
}

export function useSaveIdea() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id?: string; input: Partial<IdeaInput> & { status?: Idea['status'] } }) =>
      api<{ idea: Idea }>(id ? `/api/kitchen/ideas/${id}` : '/api/kitchen/ideas', { method: id ? 'PATCH' : 'POST', body: input }).then((r) => r.idea),
    onSuccess: () => qc.invalidateQueries({ queryKey: planKeys.all }),
  });
}

export function useStoryFromIdea() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<{ idea: Idea }>(`/api/kitchen/ideas/${id}/story`, { method: 'POST' }).then((r) => r.idea),
    onSuccess: () => qc.invalidateQueries({ queryKey: planKeys.all }),
  });
}

/** YYYY-MM-DD of today in Beijing (the newsroom's day). */
export function todayInBeijing(now = new Date()): string {
  return new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}
export function shiftDay(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
/** "2027-03-10T20:00:00.000Z" → "20:00" (and the date when it is not `day`), Beijing time. */
export function beijingTime(iso: string, day?: string): string {
  const local = new Date(new Date(iso).getTime() + 8 * 3_600_000).toISOString();
  const hm = local.slice(11, 16);
  return day && local.slice(0, 10) !== day ? `${local.slice(5, 10)} ${hm}` : hm;
}
/** A date and a "HH:MM" in Beijing → an ISO instant. */
export function beijingInstant(day: string, hm: string): string {
  return new Date(`${day}T${hm}:00+08:00`).toISOString();
}
