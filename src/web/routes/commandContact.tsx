import { useQuery } from '@tanstack/react-query';
import { useParams } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import type { Role } from '../../contracts/accounts.js';
import { ACTIVE_ASSIGNMENT_STATUSES } from '../../contracts/command.limits.js';
import { callContacts } from '../api/commandLive.js';
import { FieldContact } from '../features/command/FieldContact.js';
import { ErrorState, Loading, RequireRole, useTitle } from '../ui/common.js';

const DESK: readonly Role[] = ['editor', 'chief_editor', 'admin'];
const FIELD: readonly Role[] = ['contributor', 'reporter'];

function Contact({ assignmentId, side }: { assignmentId: string; side: 'desk' | 'field' }) {
  const { t } = useTranslation();
  const q = useQuery({ queryKey: ['command', 'contacts', assignmentId], queryFn: () => callContacts(assignmentId), staleTime: 60_000 });
  useTitle(q.data ? `${q.data.assignment.title} · ${t(side === 'desk' ? 'commandLive.pages.deskTitle' : 'commandLive.pages.fieldTitle')}` : undefined);
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  const a = q.data.assignment;
  return (
    <div className={side === 'field' ? 'live-page live-page-field' : 'live-page live-page-desk'}>
      <h1>{a.title}</h1>
      <FieldContact assignmentId={assignmentId} side={side} active={(ACTIVE_ASSIGNMENT_STATUSES as readonly string[]).includes(a.status)} />
    </div>
  );
}

/** The desk's live contact with an assignment's people: a deep link (/command/calls/<assignmentId>). */
export function DeskCallPage() {
  const { assignmentId } = useParams({ strict: false }) as { assignmentId: string };
  return <RequireRole roles={DESK}>{() => <Contact assignmentId={assignmentId} side="desk" />}</RequireRole>;
}

/** The phone's contact with the desk about one task: a deep link (/tasks/<id>/contact). */
export function FieldContactPage() {
  const { id } = useParams({ strict: false }) as { id: string };
  return <RequireRole roles={FIELD}>{() => <Contact assignmentId={id} side="field" />}</RequireRole>;
}
