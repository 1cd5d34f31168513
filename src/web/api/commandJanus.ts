import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { BroadcastPublic, BroadcastState } from '../../contracts/command.js';
import { api } from './client.js';

export type { BroadcastPublic, BroadcastState };

const keys = {
  desk: (callId: string) => ['command', 'broadcast', 'desk', callId] as const,
  watch: (callId: string) => ['command', 'broadcast', 'watch', callId] as const,
};

/** The desk's view of a call's broadcast; refreshed every 5 s for the audience count. */
export function useBroadcastState(callId: string) {
  return useQuery({
    queryKey: keys.desk(callId),
    queryFn: () => api<BroadcastState>(`/api/command/calls/${callId}/broadcast`),
    refetchInterval: 5000,
  });
}

export function useSetBroadcast(callId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { on: boolean; userId?: string }) => api<BroadcastState>(`/api/command/calls/${callId}/broadcast`, { method: 'POST', body }),
    onSuccess: (state) => qc.setQueryData(keys.desk(callId), state),
  });
}

/** The public watch page: the broadcast (404 while off); polled until its playlist exists. */
export function usePublicBroadcast(callId: string) {
  return useQuery({
    queryKey: keys.watch(callId),
    queryFn: () => api<BroadcastPublic>(`/api/command/broadcasts/${callId}`),
    refetchInterval: (q) => (q.state.data?.playlist ? false : 2000),
    retry: false,
  });
}

export const sendViewerHeartbeat = (callId: string, viewerId: string) =>
  api<{ audience: number }>(`/api/command/broadcasts/${callId}/viewers`, { method: 'POST', body: { viewerId } });
