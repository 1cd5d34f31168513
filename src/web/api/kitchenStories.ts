import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { FormStatus, Story, StoryDiff, StoryImage, StoryListItem, StoryVideo } from '../../contracts/kitchen.js';
import { api, ApiError, uploadWithProgress } from './client.js';
import { FORMS } from '../../contracts/kitchen.limits.js';

// Types only from the contracts (zod stays out of the web bundle); values from the zod-free kitchen.limits.ts.
export type { Form, FormStatus, Story, StoryDiff, StoryDiffBlock, DiffPart, StoryImage, StoryListItem, StoryVideo } from '../../contracts/kitchen.js';
export const KITCHEN_FORMS = FORMS;
export const KITCHEN_FORM_STATUSES = ['planned', 'in_edit', 'in_review', 'ready', 'published'] as const satisfies readonly FormStatus[];
export const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif'];
export const IMAGE_MAX_BYTES = 20 * 1024 * 1024;
/** "Online published, print pending": the list's one-click preset. */
export const ONLINE_NOT_PRINT = ['web:published', 'print:!published'];

export interface StoryFilters {
  q?: string;
  studioId?: string;
  tag?: string;
  /** `web:published`, `print:!published` … AND-ed. */
  form?: string[];
}

export const storyKeys = {
  list: (f: StoryFilters) => ['kitchen', 'stories', f] as const,
  one: (id: string) => ['kitchen', 'story', id] as const,
  revisions: (id: string) => ['kitchen', 'story', id, 'revisions'] as const,
  diff: (id: string, v: number, against?: number) => ['kitchen', 'story', id, 'diff', v, against ?? null] as const,
};

export function storiesUrl(f: StoryFilters, cursor?: string): string {
  const p = new URLSearchParams();
  if (f.q) p.set('q', f.q);
  if (f.studioId) p.set('studioId', f.studioId);
  if (f.tag) p.set('tag', f.tag);
  for (const x of f.form ?? []) p.append('form', x);
  if (cursor) p.set('cursor', cursor);
  return `/api/kitchen/stories?${p.toString()}`;
}

export function useStories(f: StoryFilters) {
  return useInfiniteQuery({
    queryKey: storyKeys.list(f),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => api<{ items: StoryListItem[]; nextCursor: string | null }>(storiesUrl(f, pageParam)),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useStory(id: string | undefined) {
  return useQuery({ queryKey: storyKeys.one(id ?? ''), enabled: !!id, queryFn: async () => (await api<{ story: Story }>(`/api/kitchen/stories/${id}`)).story });
}

export interface StoryInput {
  headline: string;
  standfirst: string;
  bodyHtml: string;
  tags: string[];
  byline: string;
  studioId: string | null;
}

export const createStory = async (input: StoryInput) => (await api<{ story: Story }>('/api/kitchen/stories', { method: 'POST', body: input })).story;
export const saveStory = async (id: string, version: number, input: Partial<StoryInput>) =>
  (await api<{ story: Story }>(`/api/kitchen/stories/${id}`, { method: 'PATCH', body: { ...input, version } })).story;

/** The details of a 409 kitchen.stale_version. */
export interface StaleVersion {
  currentVersion: number;
  updatedBy: { id: string; name: string };
  updatedAt: string;
}
export function staleVersionOf(err: unknown): StaleVersion | null {
  return err instanceof ApiError && err.code === 'kitchen.stale_version' ? (err.details as StaleVersion) : null;
}

export function useRevisions(id: string) {
  return useQuery({
    queryKey: storyKeys.revisions(id),
    queryFn: async () =>
      (
        await api<{ revisions: { version: number; headline: string; editor: { id: string; name: string }; createdAt: string }[] }>(
          `/api/kitchen/stories/${id}/revisions`,
        )
      ).revisions,
  });
}

export function useDiff(id: string, version: number | undefined, against?: number) {
  return useQuery({
    queryKey: storyKeys.diff(id, version ?? 0, against),
    enabled: !!version && version > 1,
    queryFn: () => api<StoryDiff>(`/api/kitchen/stories/${id}/revisions/${version}/diff${against ? `?against=${against}` : ''}`),
  });
}

/** An image upload with progress (fetch has none): the raw bytes, caption and credit in the query. */
export function uploadImage(
  storyId: string,
  file: File,
  meta: { caption: string; credit: string },
  onProgress: (fraction: number) => void,
): Promise<StoryImage> {
  const q = new URLSearchParams();
  if (meta.caption) q.set('caption', meta.caption);
  if (meta.credit) q.set('credit', meta.credit);
  return uploadWithProgress<{ image: StoryImage }>(
    `/api/kitchen/stories/${storyId}/images?${q.toString()}`,
    file,
    file.type || 'application/octet-stream',
    onProgress,
  ).then((r) => r.image);
}

export const updateImage = async (storyId: string, imageId: string, body: { caption?: string; credit?: string; position?: number }) =>
  (await api<{ images: StoryImage[] }>(`/api/kitchen/stories/${storyId}/images/${imageId}`, { method: 'PATCH', body })).images;
export const deleteImage = (storyId: string, imageId: string) => api<void>(`/api/kitchen/stories/${storyId}/images/${imageId}`, { method: 'DELETE' });
export const setVideos = async (storyId: string, submissionIds: string[]) =>
  (await api<{ videos: StoryVideo[] }>(`/api/kitchen/stories/${storyId}/videos`, { method: 'PUT', body: { submissionIds } })).videos;

/** Adopted contributor videos, to embed (the desk's search). */
export function useAdoptedVideos(q: string) {
  return useQuery({
    queryKey: ['kitchen', 'adopted', q],
    queryFn: async () => {
      const p = new URLSearchParams({ status: 'adopted', page: '1', pageSize: '10' });
      if (q) p.set('q', q);
      return (await api<{ items: { id: string; title: string; contributor?: { name: string } }[] }>(`/api/desk/submissions?${p.toString()}`)).items;
    },
  });
}

export function useInvalidateStory() {
  const qc = useQueryClient();
  return (id: string) =>
    Promise.all([qc.invalidateQueries({ queryKey: ['kitchen', 'story', id] }), qc.invalidateQueries({ queryKey: ['kitchen', 'stories'] })]);
}

export { useMutation };
