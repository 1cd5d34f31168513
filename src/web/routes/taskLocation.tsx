import { useQuery } from '@tanstack/react-query';
import { getRouteApi } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { getAssignmentLocation } from '../api/commandMap.js';
import { LocationShare } from '../features/command/LocationShare.js';
import { ErrorState, Loading, RequireRole, useTitle } from '../ui/common.js';

const route = getRouteApi('/tasks/$id/location');
const FIELD = ['contributor', 'reporter'] as const;

/** `/tasks/$id/location`: only the location-share control of one assignment, a deep link for the phone (docs/command-map.md). */
export function TaskLocationPage() {
  return <RequireRole roles={FIELD}>{() => <TaskLocation />}</RequireRole>;
}

function TaskLocation() {
  const { t } = useTranslation();
  const { id } = route.useParams();
  useTitle(t('commandMap.share.page'));
  const q = useQuery({ queryKey: ['command', 'location', id], queryFn: () => getAssignmentLocation(id), refetchInterval: 60_000 });
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  return (
    <section className="ls-page">
      <h1>{t('commandMap.share.page')}</h1>
      <LocationShare assignmentId={id} active={q.data.active} />
      <p>
        <a href={`/tasks/${encodeURIComponent(id)}`}>{t('commandMap.share.back')}</a>
      </p>
    </section>
  );
}
