import { useEffect } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { CreateEditInput, Submission, SubmissionStatus } from '../../contracts/submissions.js';
import { api, ApiError } from './client.js';

// Values, not imports: the contracts module carries zod, which stays out of the web bundle.
/** Mirrors MAX_EDIT_CLIPS in src/contracts/submissions.ts. */
export const MAX_EDIT_CLIPS = 5;
/** Mirrors CAPTION_MAX in src/contracts/submissions.ts. */
export const CAPTION_MAX = 40;

export const submissionKeys = {
  mine: ['me', 'submissions'] as const,
  one: (id: string) => ['submission', id] as const,
};

/** Before adoption a contributor may take a submission back; rejected and withdrawn ones are final. */
export const WITHDRAWABLE: readonly SubmissionStatus[] = ['uploading', 'processing', 'in_review'];

export function useMySubmissions(enabled: boolean) {
  return useQuery({
    queryKey: submissionKeys.mine,
    enabled,
    staleTime: 5_000,
    queryFn: async () => (await api<{ submissions: Submission[] }>('/api/me/submissions')).submissions,
  });
}

export function useSubmission(id: string) {
  return useQuery({
    queryKey: submissionKeys.one(id),
    retry: (n, e) => !(e instanceof ApiError && e.status >= 400 && e.status < 500) && n < 2,
    queryFn: async () => (await api<{ submission: Submission }>(`/api/submissions/${encodeURIComponent(id)}`)).submission,
  });
}

/**
 * Live status: the server sends `changed` whenever one of my submissions changes, and the
 * lists refetch. EventSource reconnects by itself after a dropped connection; on reconnect
 * we refetch too, since changes may have happened while we were away.
 */
export function useSubmissionEvents(enabled: boolean) {
  const qc = useQueryClient();
  useEffect(() => {
    if (!enabled || typeof EventSource === 'undefined') return;
    const es = new EventSource('/api/me/submissions/events');
    const refresh = () => {
      void qc.invalidateQueries({ queryKey: submissionKeys.mine });
      void qc.invalidateQueries({ queryKey: ['submission'] });
    };
    es.addEventListener('changed', refresh);
    es.addEventListener('ready', refresh);
    return () => es.close();
  }, [enabled, qc]);
}

export async function withdrawSubmission(id: string): Promise<Submission> {
  return (await api<{ submission: Submission }>(`/api/me/submissions/${encodeURIComponent(id)}/withdraw`, { method: 'POST', body: {} })).submission;
}

export interface CreateEditReply {
  submission: Submission;
  clipUploads: { index: number; metadata: Record<string, string> }[];
}

export async function createEdit(input: CreateEditInput): Promise<CreateEditReply> {
  return api<CreateEditReply>('/api/me/edits', { method: 'POST', body: input });
}
