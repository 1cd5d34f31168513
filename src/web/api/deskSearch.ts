import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { SearchReply, SearchSort, SearchStatus, TimelineReply } from '../../contracts/search.js';
import { api } from './client.js';

// Types only from the contracts (zod stays out of the web bundle); the lists mirror src/contracts/search.ts.
export type { SearchReply, SearchItem, SearchSort, SearchStatus, TimelineEvent, TimelineReply } from '../../contracts/search.js';
export const SEARCH_STATUSES = ['in_review', 'adopted', 'rejected', 'published', 'unpublished'] as const satisfies readonly SearchStatus[];
export const SEARCH_SORTS = ['newest', 'oldest', 'views', 'title'] as const satisfies readonly SearchSort[];

/** The page's URL search params: a filtered list is a link another editor can open. */
export interface SearchFilters {
  q?: string;
  status?: SearchStatus;
  campaignId?: string;
  theme?: string;
  studioId?: string;
  contributor?: string;
  from?: string;
  to?: string;
  sort?: SearchSort;
  page?: number;
  /** The item whose timeline is open. */
  item?: string;
}

export const PAGE_SIZE = 25;

export function searchUrl(f: SearchFilters): string {
  const p = new URLSearchParams();
  for (const k of ['q', 'status', 'campaignId', 'theme', 'studioId', 'contributor', 'from', 'to', 'sort'] as const) {
    const v = f[k];
    if (v) p.set(k, v);
  }
  p.set('page', String(f.page ?? 1));
  p.set('pageSize', String(PAGE_SIZE));
  return `/api/desk/submissions?${p.toString()}`;
}

export function useDeskSearch(f: SearchFilters) {
  const { item: _open, ...query } = f;
  return useQuery({
    queryKey: ['desk', 'search', query],
    queryFn: () => api<SearchReply>(searchUrl(query)),
    // Paging keeps the old page on screen until the next arrives, so the table does not jump.
    placeholderData: keepPreviousData,
  });
}

export function useTimeline(id: string | undefined) {
  return useQuery({
    queryKey: ['desk', 'timeline', id],
    enabled: !!id,
    queryFn: () => api<TimelineReply>(`/api/desk/submissions/${encodeURIComponent(id!)}/timeline`),
  });
}
