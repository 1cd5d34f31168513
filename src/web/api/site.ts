import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import type { weeklyChartSchema, WeeklyChartEntry } from '../../contracts/charts.js';
import type { FeedItem, feedReply, profileReply } from '../../contracts/distribution.js';
import type { Notice, noticeReply, noticesReply } from '../../contracts/propagation.js';
import { currentLocale } from '../i18n/index.js';
import { api, ApiError } from './client.js';

// Types only: the contracts carry zod, which stays out of the web bundle.
export type { FeedItem, Notice, WeeklyChartEntry };
export type FeedPage = z.infer<typeof feedReply>;
export type Profile = z.infer<typeof profileReply>;
export type WeeklyChart = z.infer<typeof weeklyChartSchema>;
export type NoticesPage = z.infer<typeof noticesReply>;

export const siteKeys = {
  feed: (campaignId?: string) => ['site', 'feed', campaignId ?? null] as const,
  video: (id: string) => ['site', 'video', id] as const,
  profile: (id: string) => ['site', 'profile', id] as const,
  chart: (campaignId: string, week: string | undefined) => ['site', 'chart', campaignId, week ?? null] as const,
  /** The server writes each notice in the request's language, so the language is part of the key. */
  notices: (locale: string) => ['me', 'notices', locale] as const,
  allNotices: ['me', 'notices'] as const,
};

const NOTICE_PAGE = 30;

const notFoundIsFinal = (n: number, e: unknown) => !(e instanceof ApiError && e.status >= 400 && e.status < 500) && n < 2;

/** Published videos, newest first, a page at a time. */
export function useFeed(campaignId?: string) {
  return useInfiniteQuery({
    queryKey: siteKeys.feed(campaignId),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => {
      const q = new URLSearchParams();
      if (pageParam) q.set('cursor', pageParam);
      if (campaignId) q.set('campaignId', campaignId);
      const qs = q.toString();
      return api<FeedPage>(`/api/feed${qs ? `?${qs}` : ''}`);
    },
    getNextPageParam: (last) => last.nextCursor,
  });
}

export function useVideo(id: string) {
  return useQuery({
    queryKey: siteKeys.video(id),
    retry: notFoundIsFinal,
    queryFn: async () => (await api<{ video: FeedItem }>(`/api/videos/${encodeURIComponent(id)}`)).video,
  });
}

export function useProfile(id: string) {
  return useQuery({
    queryKey: siteKeys.profile(id),
    retry: notFoundIsFinal,
    queryFn: () => api<Profile>(`/api/contributors/${encodeURIComponent(id)}`),
  });
}

/** The weekly Top 10; the live week refreshes itself while the page is open. */
export function useWeeklyChart(campaignId: string, week: string | undefined) {
  return useQuery({
    queryKey: siteKeys.chart(campaignId, week),
    retry: notFoundIsFinal,
    queryFn: async () => {
      const q = new URLSearchParams({ campaignId });
      if (week) q.set('week', week);
      return (await api<{ chart: WeeklyChart }>(`/api/charts/weekly?${q.toString()}`)).chart;
    },
    refetchInterval: (query) => (query.state.data && !query.state.data.frozen ? 30_000 : false),
  });
}

/** My notices ("你火了") with the unread count; polled so the nav badge catches new ones. */
export function useNotices(enabled: boolean) {
  const locale = currentLocale();
  return useQuery({
    queryKey: siteKeys.notices(locale),
    enabled,
    refetchInterval: 60_000,
    queryFn: () => api<NoticesPage>('/api/me/notices?limit=50'),
  });
}

/** The notices page: every notice, a page at a time (older pages by `before`). */
export function useNoticePages(enabled: boolean) {
  const locale = currentLocale();
  return useInfiniteQuery({
    queryKey: [...siteKeys.notices(locale), 'pages'] as const,
    enabled,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => api<NoticesPage>(`/api/me/notices?limit=${NOTICE_PAGE}${pageParam ? `&before=${encodeURIComponent(pageParam)}` : ''}`),
    getNextPageParam: (last) => (last.notices.length === NOTICE_PAGE ? (last.notices.at(-1)?.createdAt ?? null) : null),
  });
}

export const markNoticeRead = (id: string) => api<z.infer<typeof noticeReply>>(`/api/me/notices/${encodeURIComponent(id)}/read`, { method: 'POST' });

/**
 * Reports one play of a video on the site. `keepalive` lets the report finish when the viewer
 * leaves the page straight after; the server counts one view per viewer per video per hour, so
 * a repeat (a reload, a second play) is harmless.
 */
export function sendViewBeacon(submissionId: string): void {
  const body = JSON.stringify({ submissionId, channel: 'app' });
  try {
    void fetch('/api/beacons/views', {
      method: 'POST',
      keepalive: true,
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'accept-language': currentLocale() },
      body,
    }).catch(() => undefined);
  } catch {
    // Very old browsers without keepalive: the beacon API sends text/plain JSON, which the server reads too.
    navigator.sendBeacon?.('/api/beacons/views', body);
  }
}
