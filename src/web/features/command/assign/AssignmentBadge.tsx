import { Link } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';

/** The field assignment (任务) a video was shot for, on the desk queue and review pages. */
export function AssignmentBadge({ assignment }: { assignment: { id: string; title: string } | null }) {
  const { t } = useTranslation();
  if (!assignment) return null;
  return (
    <Link
      to="/command/assignments/$id"
      params={{ id: assignment.id }}
      className="badge badge-assignment"
      title={t('commandAssign.badgeTitle', { title: assignment.title })}
      data-testid="assignment-badge"
    >
      {t('commandAssign.badge', { title: assignment.title })}
    </Link>
  );
}
