import type { LiveCall } from '../../contracts/command.js';
import { api } from './client.js';

/** Part live's HTTP routes (docs/api.md, "Live contact"); chat itself goes over the hub. */
export const startCall = (assignmentId: string, calleeId?: string) =>
  api<{ call: LiveCall }>(`/api/command/assignments/${assignmentId}/calls`, { method: 'POST', body: calleeId ? { calleeId } : {} }).then((r) => r.call);
export interface Contacts {
  calls: LiveCall[];
  people: { userId: string; name: string; online: boolean }[];
  deskOnline: boolean;
  assignment: LiveCall['assignment'];
}
export const callContacts = (assignmentId: string) => api<Contacts>(`/api/command/assignments/${assignmentId}/calls`);
export const answerCall = (id: string) => api<{ call: LiveCall }>(`/api/command/calls/${id}/answer`, { method: 'POST' }).then((r) => r.call);
export const declineCall = (id: string) => api<{ call: LiveCall }>(`/api/command/calls/${id}/decline`, { method: 'POST' }).then((r) => r.call);
export const hangUpCall = (id: string) => api<{ call: LiveCall }>(`/api/command/calls/${id}/hang-up`, { method: 'POST' }).then((r) => r.call);
export const iceServers = () => api<{ iceServers: RTCIceServer[]; expiresAt: string | null }>('/api/command/ice').then((r) => r.iceServers);
