import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useRouterState } from '@tanstack/react-router';
import { useMe } from '../api/queries.js';
import { useNotices } from '../api/site.js';

// Staff pages are desktop pages with their own menu; a person who is also a contributor gets
// the tab bar back on every other page.
const STAFF_PATHS = /^\/(desk|admin|finance|dashboards)(\/|$)/;

/** Whether the bottom tab bar belongs on this page for this person. */
export function useShowsTabBar(): boolean {
  const me = useMe();
  const path = useRouterState({ select: (s) => s.location.pathname });
  return !!me.data?.roles.includes('contributor') && !STAFF_PATHS.test(path);
}

function Icon({ children }: { children: ReactNode }) {
  return (
    <svg className="tab-icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">
      {children}
    </svg>
  );
}

const stroke = { fill: 'none', stroke: 'currentColor', strokeWidth: 2, strokeLinecap: 'round', strokeLinejoin: 'round' } as const;

/**
 * The contributor's phone navigation: five pages, thumb-reachable, above the home indicator.
 * Hidden from 48rem up, where the header's nav carries the same links.
 */
export function TabBar() {
  const { t } = useTranslation();
  const shows = useShowsTabBar();
  const notices = useNotices(shows);
  if (!shows) return null;
  const unread = notices.data?.unread ?? 0;
  return (
    <>
      {/* Keeps the page's last lines and the footer clear of the fixed bar. */}
      <div className="tab-bar-spacer" aria-hidden="true" />
      <nav className="tab-bar" aria-label={t('nav.tabs')}>
        <Link to="/submit">
          <Icon>
            <circle cx="12" cy="12" r="9" {...stroke} />
            <path d="M12 8v8M8 12h8" {...stroke} />
          </Icon>
          <span className="tab-label">{t('nav.submit')}</span>
        </Link>
        <Link to="/submissions">
          <Icon>
            <rect x="3" y="5" width="14" height="14" rx="2" {...stroke} />
            <path d="M17 10l4-2.5v9L17 14" {...stroke} />
          </Icon>
          <span className="tab-label">{t('nav.submissions')}</span>
        </Link>
        <Link to="/earnings">
          <Icon>
            <path d="M7 4l5 7 5-7M12 11v9M8 13h8M8 17h8" {...stroke} />
          </Icon>
          <span className="tab-label">{t('nav.earnings')}</span>
        </Link>
        <Link to="/notices" aria-label={unread ? t('site.notices.navUnread', { count: unread }) : undefined}>
          <Icon>
            <path d="M6 16V11a6 6 0 0 1 12 0v5l2 2H4z M10 20a2 2 0 0 0 4 0" {...stroke} />
          </Icon>
          <span className="tab-label">{t('site.notices.nav')}</span>
          {unread ? (
            <span className="nav-badge tab-badge" aria-hidden="true">
              {unread > 99 ? '99+' : unread}
            </span>
          ) : null}
        </Link>
        <Link to="/account">
          <Icon>
            <circle cx="12" cy="8" r="4" {...stroke} />
            <path d="M4 21c0-4 3.6-7 8-7s8 3 8 7" {...stroke} />
          </Icon>
          <span className="tab-label">{t('nav.me')}</span>
        </Link>
      </nav>
    </>
  );
}
