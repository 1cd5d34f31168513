import { useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import type { Form, FormStatus, ReviewStepRole, reviewChainSchema, reviewInboxItemSchema, storyFormSchema, storyFormsReply } from '../../contracts/kitchen.js';
import { REVIEW_STEP_ROLES } from '../../contracts/kitchen.limits.js';
import { api } from './client.js';

// Types only: the contracts carry zod, which stays out of the web bundle.
export type StoryFormView = z.infer<typeof storyFormSchema>;
export type StoryForms = z.infer<typeof storyFormsReply>;
export type ReviewChain = z.infer<typeof reviewChainSchema>;
export type InboxItem = z.infer<typeof reviewInboxItemSchema>;
export type { Form, FormStatus, ReviewStepRole };

export { FORMS, FORM_LIMITS } from '../../contracts/kitchen.limits.js';
export const STEP_ROLES: readonly ReviewStepRole[] = REVIEW_STEP_ROLES;
/** Fields an editor must fill (the rest may stay empty). */
export const REQUIRED_FIELDS = new Set(['headline', 'title', 'text']);

export const kitchenFormsKeys = {
  forms: (storyId: string) => ['kitchen', 'forms', storyId] as const,
  inbox: ['kitchen', 'review', 'inbox'] as const,
  chain: (studioId: string) => ['kitchen', 'review-chain', studioId] as const,
};

const base = (storyId: string, form: Form) => `/api/kitchen/stories/${encodeURIComponent(storyId)}/forms/${form}`;

export function useStoryForms(storyId: string) {
  return useQuery({ queryKey: kitchenFormsKeys.forms(storyId), queryFn: () => api<StoryForms>(`/api/kitchen/stories/${encodeURIComponent(storyId)}/forms`) });
}
export function useReviewInbox() {
  // The desk leaves the inbox open: it refreshes itself every half minute.
  return useQuery({
    queryKey: kitchenFormsKeys.inbox,
    queryFn: async () => (await api<{ items: InboxItem[] }>('/api/kitchen/review/inbox')).items,
    refetchInterval: 30_000,
  });
}
export function useReviewChain(studioId: string) {
  return useQuery({
    queryKey: kitchenFormsKeys.chain(studioId),
    queryFn: () => api<ReviewChain>(`/api/kitchen/studios/${encodeURIComponent(studioId)}/review-chain`),
  });
}

export const createForm = (storyId: string, form: Form) => api<StoryFormView>(base(storyId, form), { method: 'PUT', body: {} });
export const saveForm = (storyId: string, form: Form, version: number, content: Record<string, unknown>) =>
  api<StoryFormView>(base(storyId, form), { method: 'PATCH', body: { version, content } });
export const reviewAction = (storyId: string, f: StoryFormView, what: 'submit' | 'approve' | 'send-back', note?: string) =>
  api<StoryFormView>(`${base(storyId, f.form)}/${what}`, {
    method: 'POST',
    body: what === 'submit' ? undefined : { round: f.reviewRound, step: f.reviewStep ?? 0, ...(note === undefined ? {} : { note }) },
  });
/** Publishing belongs to another part of the kitchen; its routes answer 404 until they exist. */
export const publishAction = (storyId: string, form: Form, what: 'publish' | 'unpublish') =>
  api<unknown>(`${base(storyId, form)}/${what}`, { method: 'POST', body: {} });
export const putReviewChain = (studioId: string, steps: ReviewStepRole[]) =>
  api<ReviewChain>(`/api/kitchen/studios/${encodeURIComponent(studioId)}/review-chain`, { method: 'PUT', body: { steps } });

/** Field errors the server sends with `kitchen.form_invalid`, by field name. */
export function fieldErrors(details: unknown): Record<string, string> {
  const fields = (details as { fields?: { field: string; message: string }[] } | undefined)?.fields;
  return Object.fromEntries((Array.isArray(fields) ? fields : []).map((f) => [f.field, f.message]));
}
