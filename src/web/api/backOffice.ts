import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import type { AdminUser, Role } from '../../contracts/accounts.js';
import type { adminUserDetailSchema, AuditEntry, StaffPerson } from '../../contracts/backOffice.js';
import { api } from './client.js';

/** Types only from the contract (no zod reaches the browser). */
export type AdminUserDetail = z.infer<typeof adminUserDetailSchema>;
export type { AuditEntry, StaffPerson };

export interface Paged<T> {
  users: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface UserSearch {
  q?: string;
  role?: Role;
  status?: 'active' | 'disabled';
  sort?: 'newest' | 'oldest' | 'name';
  page: number;
  pageSize?: number;
}

export interface AuditFilter {
  actor?: string;
  actorId?: string;
  action?: string;
  objectType?: string;
  objectId?: string;
  from?: string;
  to?: string;
}

export const backOfficeKeys = {
  users: ['admin', 'users'] as const,
  user: (id: string) => ['admin', 'users', 'one', id] as const,
  staff: ['desk', 'staff'] as const,
  audit: ['audit'] as const,
};

/** Query string from the set fields only (empty strings and undefined are left out). */
export function queryString(params: object): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export function useUserSearch(s: UserSearch) {
  return useQuery({
    queryKey: [...backOfficeKeys.users, s],
    placeholderData: keepPreviousData,
    queryFn: () => api<Paged<AdminUser>>(`/api/admin/users${queryString(s)}`),
  });
}

export function useUserDetail(id: string) {
  return useQuery({ queryKey: backOfficeKeys.user(id), queryFn: async () => (await api<{ user: AdminUserDetail }>(`/api/admin/users/${id}`)).user });
}

export const saveUser = (id: string, body: { roles?: Role[]; disabled?: boolean; confirm?: boolean }) =>
  api<{ user: AdminUser }>(`/api/admin/users/${id}`, { method: 'PATCH', body });

export const resetSignIn = (id: string, reason: string) =>
  api<{ user: AdminUserDetail; sessionsRevoked: number }>(`/api/admin/users/${id}/reset-sign-in`, { method: 'POST', body: { reason } });

export function useStaffSearch(q: string, pageSize: number) {
  return useQuery({
    queryKey: [...backOfficeKeys.staff, q, pageSize],
    placeholderData: keepPreviousData,
    queryFn: () => api<Paged<StaffPerson>>(`/api/desk/staff${queryString({ q, pageSize })}`),
  });
}

export function useAuditPage(filter: AuditFilter, page: number, limit: number) {
  return useQuery({
    queryKey: [...backOfficeKeys.audit, filter, page],
    placeholderData: keepPreviousData,
    retry: false,
    queryFn: () => api<{ entries: AuditEntry[]; total: number }>(`/api/audit${queryString({ ...filter, page, limit })}`),
  });
}
