import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useRouterState } from '@tanstack/react-router';
import { liveState, useRainSessionsFor } from '../api/rain.js';
import { useMe, useMyCampaigns } from '../api/queries.js';
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
 * The red-packet rain joins the navigation while a session of a campaign the contributor joined is
 * scheduled or live (the sessions are cached for the rain pages; the check reads the clock).
 */
function useRainInNav(enabled: boolean): 'open' | 'scheduled' | null {
  const mine = useMyCampaigns(enabled);
  const lists = useRainSessionsFor(enabled ? (mine.data ?? []).map((c) => c.id) : []);
  const now = Date.now();
  const states = lists.flatMap((q) => (q.data ?? []).map((s) => liveState(s, now)));
  if (states.includes('open')) return 'open';
  return states.includes('scheduled') ? 'scheduled' : null;
}

/**
 * The contributor's phone navigation: five pages, thumb-reachable, above the home indicator.
 * Hidden from 48rem up, where the header's nav carries the same links.
 */
export function TabBar() {
  const { t } = useTranslation();
  const shows = useShowsTabBar();
  const notices = useNotices(shows);
  const rain = useRainInNav(shows);
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
        {rain ? (
          <Link to="/rain" aria-label={rain === 'open' ? t('noticesMore.rainLive') : undefined} data-testid="tab-rain">
            <Icon>
              <rect x="5" y="3" width="14" height="18" rx="2" {...stroke} />
              <path d="M5 9l7 4 7-4M12 13v4" {...stroke} />
            </Icon>
            <span className="tab-label">{t('noticesMore.rainNav')}</span>
            {rain === 'open' ? (
              <span className="nav-badge tab-badge" aria-hidden="true">
                !
              </span>
            ) : null}
          </Link>
        ) : null}
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
