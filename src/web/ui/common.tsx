import { useEffect, useRef, type KeyboardEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useRouterState } from '@tanstack/react-router';
import type { Me, Role } from '../../contracts/accounts.js';
import type { Locale } from '../../contracts/common.js';
import { api, errorMessage } from '../api/client.js';
import { keys, useMe } from '../api/queries.js';
import { NoticesNavLink } from '../features/site/NoticesNavLink.js';
import { changeLocale } from '../i18n/index.js';
import { Alert } from './Field.js';

export function useTitle(title: string | undefined) {
  const { t } = useTranslation();
  useEffect(() => {
    document.title = title ? `${title} · ${t('app.name')}` : t('app.name');
  }, [title, t]);
}

export function useSetLocale() {
  const qc = useQueryClient();
  return async (l: Locale) => {
    await changeLocale(l);
    const me = qc.getQueryData<Me | null>(keys.me);
    if (me && me.locale !== l) {
      try {
        const r = await api<{ user: Me }>('/api/me', { method: 'PATCH', body: { locale: l } });
        qc.setQueryData(keys.me, r.user);
      } catch {
        // The UI language is local first; the profile preference is best effort.
      }
    }
  };
}

export function LanguageSwitcher() {
  const { t, i18n } = useTranslation();
  const setLocale = useSetLocale();
  const options: { l: Locale; label: string }[] = [
    { l: 'zh-CN', label: '中文' },
    { l: 'en', label: 'English' },
  ];
  return (
    <div role="group" aria-label={`${t('lang.label')} / ${i18n.language === 'en' ? '语言' : 'Language'}`} className="lang-switch">
      {options.map((o) => (
        <button key={o.l} type="button" lang={o.l} aria-pressed={i18n.language === o.l} onClick={() => void setLocale(o.l)}>
          {o.label}
        </button>
      ))}
    </div>
  );
}

export function Loading() {
  const { t } = useTranslation();
  return (
    <p className="loading" role="status">
      {t('common.loading')}
    </p>
  );
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  return (
    <Alert>
      <p>{errorMessage(error)}</p>
      {onRetry ? (
        <button type="button" className="btn btn-secondary" onClick={onRetry}>
          {t('common.retry')}
        </button>
      ) : null}
    </Alert>
  );
}

export function Header() {
  const { t } = useTranslation();
  const me = useMe();
  const roles = me.data?.roles ?? [];
  const contributor = roles.includes('contributor');
  const has = (...rs: Role[]) => roles.some((r) => rs.includes(r));
  const staff = has('editor', 'chief_editor', 'finance', 'admin');
  return (
    <header className="site-header">
      <a href="#main" className="skip-link">
        {t('app.skip')}
      </a>
      <div className="header-inner">
        <Link to="/" className="brand">
          <span className="brand-mark" aria-hidden="true">
            拍
          </span>
          <span>{t('app.name')}</span>
        </Link>
        {me.data ? (
          // A contributor's pages are in the bottom tab bar on phones (TabBar); this nav carries
          // them from 48rem up, and the staff menu at every width.
          <nav aria-label={t('nav.main')} className={`main-nav${staff ? ' main-nav-staff' : ' main-nav-contributor'}`}>
            {contributor ? (
              <>
                <Link to="/" activeOptions={{ exact: true }} className="nav-wide">
                  {t('nav.home')}
                </Link>
                <Link to="/submit" activeOptions={{ exact: true }} className="nav-wide">
                  {t('nav.submit')}
                </Link>
                <Link to="/submissions" className="nav-wide">
                  {t('nav.submissions')}
                </Link>
                <Link to="/earnings" className="nav-wide">
                  {t('nav.earnings')}
                </Link>
                <NoticesNavLink className="nav-wide" />
              </>
            ) : null}
            {staff ? (
              <Link to="/desk" activeOptions={{ exact: true }}>
                {t('nav.desk')}
              </Link>
            ) : null}
            {has('editor', 'chief_editor', 'admin') ? <Link to="/desk/queue">{t('nav.queue')}</Link> : null}
            {has('editor', 'chief_editor', 'admin') ? (
              <Link to="/kitchen" search={{}}>
                {t('kitchenStories.nav.link')}
              </Link>
            ) : null}
            {has('finance', 'admin') ? (
              <Link to="/finance" activeOptions={{ exact: true }}>
                {t('nav.finance')}
              </Link>
            ) : null}
            {has('finance', 'admin') ? (
              <Link to="/finance/ledger" search={{}}>
                {t('ledgerExplorer.nav')}
              </Link>
            ) : null}
            {has('admin') ? <Link to="/admin/campaigns">{t('nav.admin')}</Link> : null}
            <Link to="/account" className={contributor ? 'nav-wide' : undefined}>
              {t('nav.account')}
            </Link>
          </nav>
        ) : me.isPending ? null : (
          <nav aria-label={t('nav.main')} className="main-nav main-nav-public">
            <Link to="/" activeOptions={{ exact: true }}>
              {t('nav.home')}
            </Link>
            {/* Unknown (offline, server unreachable) is not signed out: no sign-in prompt to a
                signed-in contributor whose phone lost the network. It refetches on reconnect. */}
            {me.data === null ? (
              <Link to="/sign-in" search={{}}>
                {t('nav.signIn')}
              </Link>
            ) : null}
          </nav>
        )}
        <LanguageSwitcher />
      </div>
    </header>
  );
}

/** Client-side role gate. The server enforces the same rule; this only avoids a blank or broken page. */
export function RequireRole({ roles, children }: { roles: readonly Role[]; children: (me: Me) => ReactNode }) {
  const { t } = useTranslation();
  const me = useMe();
  const navigate = useNavigate();
  // The page that asked, captured once: the location changes while the redirect is pending.
  const href = useRouterState({ select: (s) => s.location.href });
  const next = useRef(href);
  const redirected = useRef(false);
  const signedOut = me.isSuccess && me.data === null;
  useEffect(() => {
    if (!signedOut || redirected.current) return;
    redirected.current = true;
    void navigate({ to: '/sign-in', search: { next: next.current }, replace: true });
  }, [signedOut, navigate]);
  if (me.isPending) return <Loading />;
  if (me.isError) return <ErrorState error={me.error} onRetry={() => void me.refetch()} />;
  if (!me.data) return <p role="status">{t('guard.redirecting')}</p>;
  if (!me.data.roles.some((r) => roles.includes(r))) {
    return <Forbidden roles={roles} />;
  }
  return <>{children(me.data)}</>;
}

export function Forbidden({ roles }: { roles: readonly Role[] }) {
  const { t, i18n } = useTranslation();
  const sep = i18n.language === 'zh-CN' ? '、' : ', ';
  useTitle(t('guard.forbiddenTitle'));
  return (
    <section className="panel forbidden" aria-labelledby="forbidden-h">
      <h1 id="forbidden-h">{t('guard.forbiddenTitle')}</h1>
      <Alert>{t('guard.forbidden', { roles: roles.map((r) => t(`roles.${r}`)).join(sep) })}</Alert>
      <p>
        <Link to="/">{t('common.backHome')}</Link>
      </p>
    </section>
  );
}

export interface TabDef {
  id: string;
  label: string;
}

/** WAI-ARIA tabs: arrow keys move between tabs, Tab moves into the panel. */
export function Tabs({
  label,
  tabs,
  active,
  onChange,
  idPrefix,
}: {
  label: string;
  tabs: TabDef[];
  active: string;
  onChange: (id: string) => void;
  idPrefix: string;
}) {
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});
  const onKey = (e: KeyboardEvent) => {
    const i = tabs.findIndex((x) => x.id === active);
    let j: number;
    if (e.key === 'ArrowRight') j = (i + 1) % tabs.length;
    else if (e.key === 'ArrowLeft') j = (i - 1 + tabs.length) % tabs.length;
    else if (e.key === 'Home') j = 0;
    else if (e.key === 'End') j = tabs.length - 1;
    else return;
    e.preventDefault();
    const next = tabs[j]!;
    onChange(next.id);
    refs.current[next.id]?.focus();
  };
  return (
    <div role="tablist" aria-label={label} className="tabs" onKeyDown={onKey}>
      {tabs.map((tab) => (
        <button
          key={tab.id}
          ref={(el) => {
            refs.current[tab.id] = el;
          }}
          type="button"
          role="tab"
          id={`${idPrefix}-tab-${tab.id}`}
          aria-controls={`${idPrefix}-panel-${tab.id}`}
          aria-selected={tab.id === active}
          tabIndex={tab.id === active ? 0 : -1}
          onClick={() => onChange(tab.id)}
        >
          {tab.label}
        </button>
      ))}
    </div>
  );
}

/**
 * The inline "are you sure?" box for destructive actions (withdraw, unpublish, disconnect,
 * remove, confirm a prize): a question, the action, and a way back. `small` for dense desk tables.
 */
export function ConfirmBox(props: {
  label: string;
  text: string;
  confirm: string;
  cancel: string;
  busy: boolean;
  small?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const size = props.small ? ' btn-sm' : '';
  return (
    <div role="group" aria-label={props.label} className="confirm-box">
      <p>{props.text}</p>
      <div className="row-actions">
        <button type="button" className={`btn btn-danger${size}`} disabled={props.busy} onClick={props.onConfirm}>
          {props.confirm}
        </button>
        <button type="button" className={`btn btn-secondary${size}`} disabled={props.busy} onClick={props.onCancel}>
          {props.cancel}
        </button>
      </div>
    </div>
  );
}
