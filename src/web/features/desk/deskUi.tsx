import { useEffect, useRef } from 'react';
import { Link } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import type { Me, Role } from '../../../contracts/accounts.js';
import type { Campaign } from '../../../contracts/campaigns.js';
import type { TrustLevel } from '../../api/desk.js';
import { loc } from '../../ui/format.js';

export const EDITORS: readonly Role[] = ['editor', 'chief_editor', 'admin'];
export const CHIEFS: readonly Role[] = ['chief_editor', 'admin'];
export const FINANCE: readonly Role[] = ['finance', 'admin'];

export const hasRole = (me: Me | null | undefined, roles: readonly Role[]) => !!me && me.roles.some((r) => roles.includes(r));

/** Sub-navigation shared by the desk pages; only links the viewer may open. */
export function DeskNav({ me }: { me: Me }) {
  const { t } = useTranslation();
  return (
    <nav aria-label={t('deskNav.label')} className="sub-nav">
      <Link to="/desk" activeOptions={{ exact: true }}>
        {t('deskNav.home')}
      </Link>
      {hasRole(me, EDITORS) ? (
        <Link to="/desk/queue" search={{}}>
          {t('deskNav.queue')}
        </Link>
      ) : null}
      {hasRole(me, EDITORS) ? (
        <Link to="/desk/search" search={{}}>
          {t('deskSearch.nav')}
        </Link>
      ) : null}
      {hasRole(me, EDITORS) ? <Link to="/desk/daily-picks">{t('deskNav.picks')}</Link> : null}
      {hasRole(me, CHIEFS) ? <Link to="/desk/studios">{t('deskNav.studios')}</Link> : null}
      {hasRole(me, CHIEFS) ? <Link to="/desk/audit">{t('deskNav.audit')}</Link> : null}
      {hasRole(me, EDITORS) ? <Link to="/dashboards">{t('dashboards.title')}</Link> : null}
      {/* Issue 15: the command platform's assignments (docs/command.md). */}
      {hasRole(me, EDITORS) ? (
        <Link to="/command" search={{}}>
          {t('commandAssign.nav')}
        </Link>
      ) : null}
      {hasRole(me, [...EDITORS, 'finance']) ? (
        <Link to="/desk/grand-prize" search={{}}>
          {t('distribution.grand.title')}
        </Link>
      ) : null}
      {hasRole(me, [...EDITORS, 'finance']) ? (
        <Link to="/desk/holds" search={{}}>
          {t('holds.title')}
        </Link>
      ) : null}
      {hasRole(me, FINANCE) ? (
        <Link to="/finance" activeOptions={{ exact: true }}>
          {t('deskNav.finance')}
        </Link>
      ) : null}
      {hasRole(me, FINANCE) ? (
        <Link to="/finance/ledger" search={{}}>
          {t('ledgerExplorer.nav')}
        </Link>
      ) : null}
    </nav>
  );
}

export function TrustBadge({ trust }: { trust: TrustLevel }) {
  const { t } = useTranslation();
  return <span className={`badge badge-trust-${trust}`}>{t(`trust.${trust}`)}</span>;
}

/** 75 → "1 min", 7200 → "2 h", in the UI language. */
export function formatWaiting(seconds: number, t: (k: string, o?: Record<string, unknown>) => string): string {
  if (seconds < 60) return t('time.seconds', { count: seconds });
  if (seconds < 3600) return t('time.minutes', { count: Math.floor(seconds / 60) });
  if (seconds < 86_400) return t('time.hours', { count: Math.floor(seconds / 3600) });
  return t('time.days', { count: Math.floor(seconds / 86_400) });
}

export function campaignTheme(campaigns: Campaign[] | undefined, campaignId: string, theme: string | null, lang: string): { campaign: string; theme: string } {
  const c = campaigns?.find((x) => x.id === campaignId);
  const th = theme ? c?.themes.find((x) => x.key === theme) : undefined;
  return { campaign: c ? loc(c.title, lang) : campaignId.slice(0, 8), theme: theme ? (th ? loc(th.title, lang) : theme) : '' };
}

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  const tag = el.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable;
}

/**
 * Single-key shortcuts for long desk shifts. Ignored while typing in a field, with a modifier held,
 * or while a dialog is open, so they never eat text or browser shortcuts.
 */
export function useHotkeys(map: Record<string, (e: KeyboardEvent) => void>, enabled = true) {
  const ref = useRef(map);
  ref.current = map;
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
      if (document.querySelector('dialog[open]')) return;
      const fn = ref.current[e.key];
      if (!fn) return;
      fn(e);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [enabled]);
}

export function Kbd({ children }: { children: string }) {
  return <kbd className="kbd">{children}</kbd>;
}
