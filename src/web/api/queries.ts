import type { z } from 'zod';
import type { dailyPickSchema } from '../../contracts/packaging.js';
import { useQuery } from '@tanstack/react-query';
import type { AdminUser, Me, Role } from '../../contracts/accounts.js';
import type { Campaign } from '../../contracts/campaigns.js';
import { api, ApiError } from './client.js';

export interface Session {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  userAgent: string | null;
  ip: string | null;
  current: boolean;
}

export const keys = {
  me: ['me'] as const,
  campaigns: ['campaigns'] as const,
  campaign: (slug: string) => ['campaign', slug] as const,
  myCampaigns: ['me', 'campaigns'] as const,
  sessions: ['me', 'sessions'] as const,
  adminCampaigns: ['admin', 'campaigns'] as const,
  adminUsers: ['admin', 'users'] as const,
};

export async function fetchMe(): Promise<Me | null> {
  try {
    const me = await api<Me | { user: Me }>('/api/me');
    return 'user' in me ? me.user : me;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null;
    throw e;
  }
}

export function useMe() {
  return useQuery({ queryKey: keys.me, queryFn: fetchMe, staleTime: 60_000, retry: false });
}

export function useCampaigns() {
  return useQuery({
    queryKey: keys.campaigns,
    queryFn: async () => (await api<{ campaigns: Campaign[] }>('/api/campaigns')).campaigns,
  });
}

export function useCampaign(slug: string | undefined) {
  return useQuery({
    queryKey: keys.campaign(slug ?? ''),
    enabled: !!slug,
    retry: (n, e) => !(e instanceof ApiError && e.status === 404) && n < 2,
    queryFn: async () => (await api<{ campaign: Campaign }>(`/api/campaigns/${encodeURIComponent(slug!)}`)).campaign,
  });
}

export function useMyCampaigns(enabled: boolean) {
  return useQuery({
    queryKey: keys.myCampaigns,
    enabled,
    queryFn: async () => (await api<{ campaigns: Campaign[] }>('/api/me/campaigns')).campaigns,
  });
}

export function useSessions(enabled: boolean) {
  return useQuery({
    queryKey: keys.sessions,
    enabled,
    queryFn: async () => (await api<{ sessions: Session[] }>('/api/me/sessions')).sessions,
  });
}

export function useAdminCampaigns() {
  return useQuery({
    queryKey: keys.adminCampaigns,
    queryFn: async () => (await api<{ campaigns: Campaign[] }>('/api/admin/campaigns')).campaigns,
  });
}

export function useAdminUsers() {
  return useQuery({
    queryKey: keys.adminUsers,
    queryFn: async () => (await api<{ users: AdminUser[] }>('/api/admin/users')).users,
  });
}

export const STAFF: readonly Role[] = ['editor', 'chief_editor', 'finance', 'admin'];
export function isStaff(me: Me | null | undefined): boolean {
  return !!me && me.roles.some((r) => STAFF.includes(r));
}

/** The contract's shape (types only: no zod reaches the browser). */
export type DailyPick = z.infer<typeof dailyPickSchema>;

/** 拍客·每日必看: today's pick (public). */
export function useDailyPicks(days = 1) {
  return useQuery({
    queryKey: ['daily-picks', days],
    queryFn: async () => (await api<{ picks: DailyPick[] }>(`/api/daily-picks?days=${days}`)).picks,
  });
}
