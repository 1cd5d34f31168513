import { useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import type { Campaign } from '../../contracts/campaigns.js';
import type { Dashboard, GrandPrizeList, GrandPrizeNomination } from '../../contracts/charts.js';
import type {
  channelAccountSchema,
  channelStateSchema,
  ExternalChannelName,
  kioskScreenSchema,
  Publication,
  publicationEventSchema,
} from '../../contracts/distribution.js';
import type { Channel } from '../../contracts/packaging.limits.js';
import { currentLocale, i18next } from '../i18n/index.js';
import { api, ApiError } from './client.js';
import { DASHBOARD_RANGES, EXTERNAL_CHANNELS, type DashboardRange } from './enums.js';

// Types only: the contracts carry zod, which stays out of the web bundle.
export type { Dashboard, GrandPrizeList, GrandPrizeNomination, Publication, ExternalChannelName };
export type ChannelState = z.infer<typeof channelStateSchema>;
export type PublicationEvent = z.infer<typeof publicationEventSchema>;
export type ChannelAccount = z.infer<typeof channelAccountSchema>;
export type KioskScreen = z.infer<typeof kioskScreenSchema>;
export type PublicationStatus = Publication['status'];
export type ErrorClass = NonNullable<Publication['errorClass']>;

export { EXTERNAL_CHANNELS };

const enc = encodeURIComponent;
const no4xxRetry = (n: number, e: unknown) => !(e instanceof ApiError && e.status >= 400 && e.status < 500) && n < 2;

export const distributionKeys = {
  publications: (id: string) => ['desk', 'publications', id] as const,
  accounts: ['admin', 'channels'] as const,
  kiosks: ['admin', 'kiosk-screens'] as const,
  grandPrize: (campaignId: string) => ['desk', 'grand-prize', campaignId] as const,
  dashboard: (path: string, query: string) => ['dashboards', path, query] as const,
};

// ---- the desk: each channel of one adopted video ----

/** Publications still on their way somewhere: the desk polls while any exists. */
export function inFlight(p: Publication | null, now = Date.now()): 'fast' | 'slow' | null {
  if (!p) return null;
  if (p.status === 'publishing' || p.status === 'pending' || p.status === 'unpublishing') return 'fast';
  if (p.status !== 'queued') return null;
  // A publication scheduled for later only needs a slow look; one about to go, a quick one.
  return !p.notBefore || Date.parse(p.notBefore) - now < 90_000 ? 'fast' : 'slow';
}

export function usePublications(id: string, enabled = true) {
  return useQuery({
    queryKey: distributionKeys.publications(id),
    enabled,
    retry: no4xxRetry,
    staleTime: 2_000,
    refetchIntervalInBackground: false,
    refetchInterval: (q) => {
      const states = q.state.data ?? [];
      // Nothing anywhere yet: adoption's outbox row has not been turned into publications.
      if (states.length && states.every((s) => !s.publication)) return 2_500;
      const speeds = states.map((s) => inFlight(s.publication));
      if (speeds.includes('fast')) return 2_500;
      if (speeds.includes('slow')) return 30_000;
      return false;
    },
    queryFn: async () => (await api<{ channels: ChannelState[] }>(`/api/desk/submissions/${enc(id)}/publications`)).channels,
  });
}

type Reply = Promise<ChannelState[]>;
const channelsOf = async (p: Promise<{ channels: ChannelState[] }>): Reply => (await p).channels;

export const publishHere = (submissionId: string, channel: Channel): Reply =>
  channelsOf(api(`/api/desk/submissions/${enc(submissionId)}/publications/${channel}`, { method: 'POST', body: {} }));
export const retryPublication = (publicationId: string): Reply =>
  channelsOf(api(`/api/desk/publications/${enc(publicationId)}/retry`, { method: 'POST', body: {} }));
/** `at` is an ISO instant with offset; null publishes now. */
export const schedulePublication = (publicationId: string, at: string | null): Reply =>
  channelsOf(api(`/api/desk/publications/${enc(publicationId)}/schedule`, { method: 'POST', body: { at } }));
export const unpublishPublication = (publicationId: string): Reply =>
  channelsOf(api(`/api/desk/publications/${enc(publicationId)}/unpublish`, { method: 'POST', body: {} }));

// ---- admin: platform accounts and kiosk screens ----

export function useChannelAccounts() {
  return useQuery({
    queryKey: distributionKeys.accounts,
    retry: no4xxRetry,
    queryFn: async () => (await api<{ accounts: ChannelAccount[] }>('/api/admin/channels')).accounts,
  });
}

export interface ChannelAccountInput {
  appId: string;
  /** Omitted: the stored secret is kept. */
  appSecret?: string;
  accountId?: string;
  enabled: boolean;
}
export const saveChannelAccount = async (channel: ExternalChannelName, body: ChannelAccountInput) =>
  (await api<{ account: ChannelAccount }>(`/api/admin/channels/${channel}`, { method: 'PUT', body })).account;
export const disconnectChannel = async (channel: ExternalChannelName) =>
  (await api<{ accounts: ChannelAccount[] }>(`/api/admin/channels/${channel}`, { method: 'DELETE' })).accounts;
export const authorizeChannel = async (channel: ExternalChannelName) =>
  (await api<{ url: string }>(`/api/admin/channels/${channel}/authorize`, { method: 'POST', body: {} })).url;

export function useKioskScreens() {
  return useQuery({
    queryKey: distributionKeys.kiosks,
    retry: no4xxRetry,
    queryFn: async () => (await api<{ screens: KioskScreen[] }>('/api/admin/kiosk-screens')).screens,
  });
}
export const createKioskScreen = (body: { name: string; campaignId: string | null }) =>
  api<{ screen: KioskScreen; key: string }>('/api/admin/kiosk-screens', { method: 'POST', body });
export const removeKioskScreen = (id: string) => api<void>(`/api/admin/kiosk-screens/${enc(id)}`, { method: 'DELETE' });

// ---- grand prize ----

/**
 * Campaigns to pick from on the desk's grand-prize page: admins get every campaign (ended ones
 * included, which is when the grand prize happens); other staff only the open ones, as no desk
 * endpoint lists ended campaigns yet.
 */
export function useDeskCampaigns(admin: boolean) {
  return useQuery({
    queryKey: admin ? (['admin', 'campaigns'] as const) : (['campaigns'] as const),
    retry: no4xxRetry,
    queryFn: async () => (await api<{ campaigns: Campaign[] }>(admin ? '/api/admin/campaigns' : '/api/campaigns')).campaigns,
  });
}

export function useGrandPrize(campaignId: string) {
  return useQuery({
    queryKey: distributionKeys.grandPrize(campaignId),
    enabled: !!campaignId,
    retry: no4xxRetry,
    queryFn: () => api<GrandPrizeList>(`/api/desk/grand-prize?campaignId=${enc(campaignId)}`),
  });
}
export const confirmGrandPrize = (campaignId: string, submissionId: string, amountFen: number) =>
  api<{ nomination: GrandPrizeNomination; remainingFen: number }>(`/api/desk/grand-prize/${enc(campaignId)}/${enc(submissionId)}/confirm`, {
    method: 'POST',
    body: { amountFen },
  });

// ---- dashboards ----

export type DashboardKind = Dashboard['subject']['kind'];
export type { DashboardRange };
export { DASHBOARD_RANGES };

/** The API path of one dashboard: /api/dashboards/videos/:id and so on. */
export function dashboardPath(kind: DashboardKind, id: string): string {
  const plural = { video: 'videos', contributor: 'contributors', studio: 'studios', channel: 'channels' }[kind];
  return `/api/dashboards/${plural}/${enc(id)}`;
}

/** The range as query parameters: hourly buckets for two days, daily ones beyond. */
export function dashboardQuery(range: DashboardRange, now = Date.now()): URLSearchParams {
  const hours = { '48h': 48, '7d': 7 * 24, '30d': 30 * 24, '90d': 90 * 24 }[range];
  const p = new URLSearchParams();
  p.set('bucket', range === '48h' ? 'hour' : 'day');
  p.set('from', new Date(now - hours * 3_600_000).toISOString());
  return p;
}

export function useDashboard(kind: DashboardKind, id: string, range: DashboardRange) {
  const path = dashboardPath(kind, id);
  return useQuery({
    // The range key, not the instant: `from` moves with the clock, the cache should not.
    queryKey: distributionKeys.dashboard(path, range),
    retry: no4xxRetry,
    staleTime: 60_000,
    refetchInterval: 5 * 60_000,
    refetchIntervalInBackground: false,
    queryFn: async () => (await api<{ dashboard: Dashboard }>(`${path}?${dashboardQuery(range).toString()}`)).dashboard,
  });
}

/**
 * Downloads the dashboard as CSV in the page's language (a plain link would carry the browser's
 * Accept-Language, not the language chosen on the page) and surfaces the server's error if any.
 */
export async function downloadDashboardCsv(kind: DashboardKind, id: string, range: DashboardRange): Promise<string> {
  const q = dashboardQuery(range);
  q.set('format', 'csv');
  let res: Response;
  try {
    res = await fetch(`${dashboardPath(kind, id)}?${q.toString()}`, {
      headers: { accept: 'text/csv', 'accept-language': currentLocale() },
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError({ status: 0, code: 'network', message: i18next.t('common.network') });
  }
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
    throw new ApiError({ status: res.status, code: body?.error?.code ?? `http.${res.status}`, message: body?.error?.message ?? i18next.t('common.error') });
  }
  const blob = await res.blob();
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? `paike-${kind}-${id}.csv`;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  // Let the download start before the URL goes away.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}
