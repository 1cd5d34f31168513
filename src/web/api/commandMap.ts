import type { AssignmentLocationReply, CommandMapReply, LocationShareState, PositionReport } from '../../contracts/command.js';
import type { LocationPrecision } from '../../contracts/command.limits.js';
import { api } from './client.js';

export type { AssignmentLocationReply, CommandMapReply, LocationShareState, PositionReport };

/** Part map (docs/command-map.md): the desk's map and the phone's location share. */
export const getCommandMap = () => api<CommandMapReply>('/api/command/map');

const base = (assignmentId: string) => `/api/command/assignments/${encodeURIComponent(assignmentId)}`;

export const getAssignmentLocation = (assignmentId: string) => api<AssignmentLocationReply>(`${base(assignmentId)}/location`);

export const startLocationShare = (assignmentId: string, precision: LocationPrecision) =>
  api<{ share: LocationShareState }>(`${base(assignmentId)}/location-share`, { method: 'PUT', body: { precision } }).then((r) => r.share);

export const stopLocationShare = (assignmentId: string) =>
  api<{ share: LocationShareState | null }>(`${base(assignmentId)}/location-share`, { method: 'DELETE' }).then((r) => r.share);

/** One report or a batch (oldest first); the reply lists the ones refused by time, which the phone drops. */
export const sendPositions = (assignmentId: string, reports: PositionReport[]) =>
  api<{ stored: number; refused: { index: number; code: string }[] }>(`${base(assignmentId)}/location`, {
    method: 'POST',
    body: reports.length === 1 ? reports[0] : { reports },
  });
