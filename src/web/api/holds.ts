import { useQuery } from '@tanstack/react-query';
import type { PropagationHold } from '../../contracts/propagation.js';
import { api } from './client.js';
import { HOLD_STATUSES } from './enums.js';

// Types only: the contracts carry zod, which stays out of the web bundle.
export type { PropagationHold };
export type HoldStatus = PropagationHold['status'];
export type HoldKind = PropagationHold['kind'];

export { HOLD_STATUSES };

export const holdsKeys = { all: ['desk', 'propagation-holds'] as const, list: (status: string) => ['desk', 'propagation-holds', status] as const };

export function useHolds(status: HoldStatus | undefined) {
  return useQuery({
    queryKey: holdsKeys.list(status ?? ''),
    queryFn: async () => (await api<{ holds: PropagationHold[] }>(`/api/desk/propagation-holds${status ? `?status=${status}` : ''}`)).holds,
    // Freezes and rechecks add holds in the background; several people may decide them.
    refetchInterval: 60_000,
    refetchIntervalInBackground: false,
  });
}

const enc = encodeURIComponent;
export const releaseHold = async (id: string) =>
  (await api<{ hold: PropagationHold }>(`/api/desk/propagation-holds/${enc(id)}/release`, { method: 'POST', body: {} })).hold;
export const rejectHold = async (id: string, note: string) =>
  (await api<{ hold: PropagationHold }>(`/api/desk/propagation-holds/${enc(id)}/reject`, { method: 'POST', body: note ? { note } : {} })).hold;
