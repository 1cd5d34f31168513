import { Link } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { useMe } from '../../api/queries.js';
import { useNotices } from '../../api/site.js';

/** The nav's link to my notices, with the unread count. */
export function NoticesNavLink({ className }: { className?: string } = {}) {
  const { t } = useTranslation();
  const me = useMe();
  const q = useNotices(!!me.data);
  if (!me.data) return null;
  const unread = q.data?.unread ?? 0;
  return (
    <Link to="/notices" className={className} aria-label={unread ? t('site.notices.navUnread', { count: unread }) : t('site.notices.nav')}>
      {t('site.notices.nav')}
      {unread ? (
        <span className="nav-badge" aria-hidden="true">
          {unread > 99 ? '99+' : unread}
        </span>
      ) : null}
    </Link>
  );
}
