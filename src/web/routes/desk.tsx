import { Link } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import type { Role } from '../../contracts/accounts.js';
import { STAFF } from '../api/queries.js';
import { RequireRole, useTitle } from '../ui/common.js';

interface DeskCard {
  key: string;
  roles: readonly Role[];
  title: string;
  text: string;
  to?:
    | '/admin/campaigns'
    | '/admin/users'
    | '/desk/queue'
    | '/desk/search'
    | '/desk/studios'
    | '/desk/audit'
    | '/desk/daily-picks'
    | '/finance'
    | '/dashboards'
    | '/desk/grand-prize'
    | '/desk/holds'
    | '/admin/channels'
    | '/admin/kiosks';
}

export function DeskPage() {
  const { t, i18n } = useTranslation();
  useTitle(t('desk.title'));
  const cards: DeskCard[] = [
    { key: 'review', roles: ['editor', 'chief_editor', 'admin'], title: t('desk.review'), text: t('desk.reviewText'), to: '/desk/queue' },
    { key: 'search', roles: ['editor', 'chief_editor', 'admin'], title: t('deskSearch.title'), text: t('deskSearch.cardText'), to: '/desk/search' },
    { key: 'studios', roles: ['chief_editor', 'admin'], title: t('desk.studios'), text: t('desk.studiosText'), to: '/desk/studios' },
    { key: 'audit', roles: ['chief_editor', 'admin'], title: t('desk.audit'), text: t('desk.auditText'), to: '/desk/audit' },
    { key: 'pick', roles: ['editor', 'chief_editor', 'admin'], title: t('desk.dailyPick'), text: t('desk.dailyPickText'), to: '/desk/daily-picks' },
    { key: 'finance', roles: ['finance', 'admin'], title: t('desk.finance'), text: t('desk.financeText'), to: '/finance' },
    { key: 'campaigns', roles: ['admin'], title: t('desk.campaigns'), text: t('desk.campaignsText'), to: '/admin/campaigns' },
    { key: 'users', roles: ['admin'], title: t('desk.users'), text: t('desk.usersText'), to: '/admin/users' },
    { key: 'dashboards', roles: ['editor', 'chief_editor', 'admin'], title: t('dashboards.title'), text: t('dashboards.cardText'), to: '/dashboards' },
    {
      key: 'grand-prize',
      roles: ['editor', 'chief_editor', 'finance', 'admin'],
      title: t('distribution.grand.title'),
      text: t('distribution.grand.cardText'),
      to: '/desk/grand-prize',
    },
    { key: 'holds', roles: ['editor', 'chief_editor', 'finance', 'admin'], title: t('holds.title'), text: t('holds.cardText'), to: '/desk/holds' },
    { key: 'channels', roles: ['admin'], title: t('distribution.accounts.title'), text: t('distribution.accounts.cardText'), to: '/admin/channels' },
    { key: 'kiosks', roles: ['admin'], title: t('distribution.kiosks.title'), text: t('distribution.kiosks.cardText'), to: '/admin/kiosks' },
  ];
  const sep = i18n.language === 'zh-CN' ? '、' : ', ';
  return (
    <RequireRole roles={STAFF}>
      {(me) => (
        <div className="staff">
          <h1>{t('desk.title')}</h1>
          <p className="muted">{t('desk.intro', { name: me.name, roles: me.roles.map((r) => t(`roles.${r}`)).join(sep) })}</p>
          <ul className="desk-grid">
            {cards
              .filter((c) => c.roles.some((r) => me.roles.includes(r)))
              .map((c) => (
                <li key={c.key} className="card">
                  <h2>{c.title}</h2>
                  <p>{c.text}</p>
                  {c.to ? (
                    <Link to={c.to} className="btn btn-secondary" aria-label={`${t('desk.open')}: ${c.title}`}>
                      {t('desk.open')}
                    </Link>
                  ) : (
                    <p>
                      <span className="badge badge-draft">{t('desk.soon')}</span>
                    </p>
                  )}
                </li>
              ))}
          </ul>
        </div>
      )}
    </RequireRole>
  );
}
