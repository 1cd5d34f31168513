import { Link } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { useAdminCampaigns } from '../api/queries.js';
import { ErrorState, Loading, RequireRole, useTitle } from '../ui/common.js';
import { formatDateTime, loc } from '../ui/format.js';

export function AdminNav() {
  const { t } = useTranslation();
  return (
    <nav aria-label={t('admin.nav')} className="sub-nav">
      <Link to="/desk">{t('nav.desk')}</Link>
      <Link to="/admin/campaigns" activeOptions={{ exact: true }}>
        {t('admin.campaigns')}
      </Link>
      <Link to="/admin/users">{t('admin.users')}</Link>
      <Link to="/admin/rain">{t('adminRain.title')}</Link>
      <Link to="/admin/channels" search={{}}>
        {t('distribution.accounts.title')}
      </Link>
      <Link to="/admin/kiosks">{t('distribution.kiosks.title')}</Link>
      <Link to="/admin/epaper">{t('epaperAdmin.title')}</Link>
      <Link to="/admin/lending">{t('lendingAdmin.title')}</Link>
    </nav>
  );
}

function CampaignTable() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const q = useAdminCampaigns();
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  if (q.data.length === 0) return <p>{t('admin.noCampaigns')}</p>;
  return (
    <div className="table-wrap">
      <table className="data-table">
        <caption className="sr-only">{t('admin.campaigns')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('admin.col.title')}</th>
            <th scope="col">{t('admin.col.slug')}</th>
            <th scope="col">{t('admin.col.status')}</th>
            <th scope="col">{t('admin.col.dates')}</th>
            <th scope="col" className="num">
              {t('admin.col.members')}
            </th>
            <th scope="col">{t('admin.col.links')}</th>
          </tr>
        </thead>
        <tbody>
          {q.data.map((c) => {
            const title = loc(c.title, lang);
            return (
              <tr key={c.id}>
                <th scope="row">{title}</th>
                <td>
                  <code>{c.slug}</code>
                </td>
                <td>
                  <span className={`badge badge-${c.status}`}>{t(`status.${c.status}`)}</span>
                </td>
                <td className="nowrap">
                  {formatDateTime(c.startsAt, lang)} – {formatDateTime(c.endsAt, lang)}
                </td>
                <td className="num">
                  {c.memberCount} / {c.quota}
                </td>
                <td className="links">
                  <Link to="/admin/campaigns/$id" params={{ id: c.id }} aria-label={t('admin.editLabel', { title })}>
                    {t('admin.edit')}
                  </Link>
                  <Link to="/c/$slug" params={{ slug: c.slug }}>
                    {t('admin.publicPage')}
                  </Link>
                  <a href={`/api/campaigns/${c.id}/qr.svg`} target="_blank" rel="noopener">
                    {t('admin.qr')}
                  </a>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function AdminCampaignsPage() {
  const { t } = useTranslation();
  useTitle(t('admin.campaigns'));
  return (
    <RequireRole roles={['admin']}>
      {() => (
        <div className="staff">
          <AdminNav />
          <div className="page-head">
            <h1>{t('admin.campaigns')}</h1>
            <Link to="/admin/campaigns/new" className="btn btn-primary">
              {t('admin.newCampaign')}
            </Link>
          </div>
          <CampaignTable />
        </div>
      )}
    </RequireRole>
  );
}
