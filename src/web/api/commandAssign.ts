import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Assignment, AssignmentDetail, AssignmentStatus, Dispatch, FieldAssignment, FieldProfile } from '../../contracts/command.js';
import { api } from './client.js';

// Types only from the contracts (zod stays out of the web bundle); values from the zod-free command.limits.ts.
export type { Assignment, AssignmentDetail, AssignmentEvent, AssignmentStatus, Dispatch, FieldAssignment, FieldProfile } from '../../contracts/command.js';
export { ASSIGNMENT_STATUSES, COMMAND_LIMITS } from '../../contracts/command.limits.js';

export interface AssignmentInput {
  title: string;
  brief: string;
  campaignId: string;
  theme: string | null;
  studioId: string | null;
  place: { name: string; lat: number; lng: number; radiusM: number };
  startsAt?: string;
  deadlineAt: string;
  acceptMinutes: number;
  rewardHintFen: number | null;
  wanted: number;
  dispatch: Dispatch;
  send: boolean;
}

export interface AssignmentFilters {
  status?: AssignmentStatus;
  overdue?: 'true';
  studioId?: string;
  q?: string;
}

export const commandKeys = {
  all: ['commandAssign'] as const,
  list: (f: AssignmentFilters) => ['commandAssign', 'list', f] as const,
  one: (id: string) => ['commandAssign', 'one', id] as const,
  tasks: ['commandAssign', 'tasks'] as const,
  task: (id: string) => ['commandAssign', 'task', id] as const,
  profile: ['commandAssign', 'profile'] as const,
};

export function useAssignments(f: AssignmentFilters) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v) p.set(k, v);
  return useQuery({
    queryKey: commandKeys.list(f),
    placeholderData: keepPreviousData,
    // A desk watching work in the field: offers move and deadlines pass on their own.
    refetchInterval: 30_000,
    queryFn: () => api<{ assignments: Assignment[] }>(`/api/command/assignments?${p.toString()}`).then((r) => r.assignments),
  });
}

export function useAssignment(id: string) {
  return useQuery({ queryKey: commandKeys.one(id), refetchInterval: 15_000, queryFn: () => api<AssignmentDetail>(`/api/command/assignments/${id}`) });
}

export function useCreateAssignment() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: AssignmentInput) =>
      api<{ assignment: Assignment }>('/api/command/assignments', { method: 'POST', body: input }).then((r) => r.assignment),
    onSuccess: () => qc.invalidateQueries({ queryKey: commandKeys.all }),
  });
}

export type DeskAction = 'dispatch' | 'submit' | 'complete' | 'cancel';
export function useAssignmentAction(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ action, reason }: { action: DeskAction; reason?: string }) =>
      api<{ assignment: Assignment }>(`/api/command/assignments/${id}/${action}`, { method: 'POST', body: action === 'cancel' ? { reason } : undefined }),
    onSuccess: () => qc.invalidateQueries({ queryKey: commandKeys.all }),
  });
}

export function useTasks() {
  return useQuery({
    queryKey: commandKeys.tasks,
    refetchInterval: 60_000,
    queryFn: () => api<{ tasks: FieldAssignment[] }>('/api/command/tasks').then((r) => r.tasks),
  });
}

export function useTask(id: string | undefined) {
  return useQuery({
    queryKey: commandKeys.task(id ?? ''),
    enabled: !!id,
    queryFn: () => api<{ task: FieldAssignment }>(`/api/command/tasks/${id}`).then((r) => r.task),
  });
}

export function useRespond(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ accept, reason }: { accept: boolean; reason?: string }) =>
      api<{ task: FieldAssignment }>(`/api/command/tasks/${id}/${accept ? 'accept' : 'decline'}`, {
        method: 'POST',
        body: accept ? undefined : { reason },
      }).then((r) => r.task),
    onSuccess: (task) => {
      qc.setQueryData(commandKeys.task(id), task);
      void qc.invalidateQueries({ queryKey: commandKeys.tasks });
    },
  });
}

export function useFieldProfile() {
  return useQuery({ queryKey: commandKeys.profile, queryFn: () => api<{ profile: FieldProfile }>('/api/command/field-profile').then((r) => r.profile) });
}

export function useSaveFieldProfile() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { optedIn: boolean; lat?: number; lng?: number; placeName?: string; travelKm?: number }) =>
      api<{ profile: FieldProfile }>('/api/command/field-profile', { method: 'PUT', body }).then((r) => r.profile),
    onSuccess: (p) => qc.setQueryData(commandKeys.profile, p),
  });
}
