import { lazy, Suspense, useState } from 'react';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import type { Me, Role } from '../../contracts/accounts.js';
import { CHANNELS, type Channel } from '../../contracts/packaging.limits.js';
import { errorMessage } from '../api/client.js';
import { useStudios } from '../api/desk.js';
import { DASHBOARD_RANGES, downloadDashboardCsv, useDashboard, type Dashboard, type DashboardKind, type DashboardRange } from '../api/distribution.js';
import { useMe } from '../api/queries.js';
import { DeskNav, EDITORS, hasRole } from '../features/desk/deskUi.js';
import { Alert } from '../ui/Field.js';
import { ErrorState, Loading, RequireRole, useTitle } from '../ui/common.js';
import { formatCount, formatDateTime } from '../ui/format.js';

// echarts is loaded only when a dashboard is drawn, not with every page of the app.
const ReachCharts = lazy(() => import('../features/dashboards/ReachCharts.js'));

const ANYONE: readonly Role[] = ['contributor', 'editor', 'chief_editor', 'finance', 'admin'];
const DEFAULT_RANGE: DashboardRange = '30d';

function Totals({ d }: { d: Dashboard }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const items: [string, string][] = [
    [t('dashboards.reach'), formatCount(d.totals.reach, lang)],
    [t('dashboards.index'), d.totals.index.toFixed(2)],
    [t('dashboards.views'), formatCount(d.totals.views, lang)],
    [t('dashboards.likes'), formatCount(d.totals.likes, lang)],
    [t('dashboards.comments'), formatCount(d.totals.comments, lang)],
    [t('dashboards.shares'), formatCount(d.totals.shares, lang)],
  ];
  if (d.subject.kind !== 'video') items.push([t('dashboards.videoCount'), formatCount(d.videoCount, lang)]);
  return (
    <dl className="dash-totals" aria-label={t('dashboards.totals')}>
      {items.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

function ChannelTable({ d }: { d: Dashboard }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  if (d.byChannel.length === 0) return <p className="muted">{t('dashboards.noChannels')}</p>;
  return (
    <div className="table-wrap">
      <table className="data-table dash-table">
        <caption>{t('dashboards.byChannel')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('distribution.col.channel')}</th>
            <th scope="col" className="num">
              {t('dashboards.reach')}
            </th>
            <th scope="col" className="num">
              {t('dashboards.likes')}
            </th>
            <th scope="col" className="num">
              {t('dashboards.comments')}
            </th>
            <th scope="col" className="num">
              {t('dashboards.shares')}
            </th>
          </tr>
        </thead>
        <tbody>
          {d.byChannel.map((c) => (
            <tr key={c.channel}>
              <th scope="row">{t(`channel.${c.channel}`)}</th>
              <td className="num">{c.reach.toLocaleString(lang)}</td>
              <td className="num">{c.likes.toLocaleString(lang)}</td>
              <td className="num">{c.comments.toLocaleString(lang)}</td>
              <td className="num">{c.shares.toLocaleString(lang)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function VideoTable({ d }: { d: Dashboard }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  if (d.subject.kind === 'video') return null;
  if (d.videos.length === 0) return <p className="muted">{t('dashboards.noVideos')}</p>;
  return (
    <div className="table-wrap">
      <table className="data-table dash-table">
        <caption>{t('dashboards.videos', { count: d.videoCount })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('dashboards.video')}</th>
            <th scope="col" className="num">
              {t('dashboards.reach')}
            </th>
            <th scope="col" className="num">
              {t('dashboards.index')}
            </th>
          </tr>
        </thead>
        <tbody>
          {d.videos.map((v) => (
            <tr key={v.submissionId}>
              <th scope="row">
                <Link to="/dashboards/videos/$id" params={{ id: v.submissionId }}>
                  {v.headline}
                </Link>
              </th>
              <td className="num">{v.reach.toLocaleString(lang)}</td>
              <td className="num">{v.index.toFixed(2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function CsvButton({ kind, id, range }: { kind: DashboardKind; id: string; range: DashboardRange }) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  const run = async () => {
    setBusy(true);
    setMsg(null);
    try {
      const name = await downloadDashboardCsv(kind, id, range);
      setMsg({ tone: 'success', text: t('dashboards.csvDone', { name }) });
    } catch (x) {
      setMsg({ tone: 'error', text: errorMessage(x) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="csv-export">
      <button type="button" className="btn btn-secondary" onClick={() => void run()} disabled={busy}>
        {busy ? t('dashboards.csvBusy') : t('dashboards.csv')}
      </button>
      {msg ? <Alert tone={msg.tone}>{msg.text}</Alert> : null}
    </div>
  );
}

function RangePicker({ range, onChange }: { range: DashboardRange; onChange: (r: DashboardRange) => void }) {
  const { t } = useTranslation();
  return (
    <div role="group" aria-label={t('dashboards.range')} className="range-picker">
      {DASHBOARD_RANGES.map((r) => (
        <button key={r} type="button" aria-pressed={r === range} className="btn btn-sm" onClick={() => onChange(r)}>
          {t(`dashboards.ranges.${r}`)}
        </button>
      ))}
    </div>
  );
}

function DashboardBody({ kind, id, range }: { kind: DashboardKind; id: string; range: DashboardRange }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const navigate = useNavigate();
  const q = useDashboard(kind, id, range);
  const d = q.data;
  const kindLabel = t(`dashboards.kind.${kind}`);
  const name = d ? (d.subject.kind === 'channel' ? t(`channel.${d.subject.name}`) : d.subject.name) : '';
  useTitle(d ? `${t('dashboards.title')}: ${name}` : t('dashboards.title'));
  const setRange = (r: DashboardRange) => void navigate({ to: '.', search: { range: r }, replace: true });
  return (
    <>
      <div className="page-head dash-head">
        <div>
          <p className="eyebrow">
            {t('dashboards.title')} · {kindLabel}
          </p>
          <h1>{d ? name : kindLabel}</h1>
          {d ? (
            <p className="muted small">
              {t('dashboards.rangeLine', { from: formatDateTime(d.from, lang), to: formatDateTime(d.to, lang) })} ·{' '}
              {d.bucket === 'hour' ? t('dashboards.hourly') : t('dashboards.daily')}
            </p>
          ) : null}
        </div>
        <CsvButton kind={kind} id={id} range={range} />
      </div>
      <RangePicker range={range} onChange={setRange} />
      {q.isPending ? <Loading /> : null}
      {q.isError ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : null}
      {d ? (
        <>
          <Totals d={d} />
          {q.isFetching ? (
            <p className="small muted" role="status">
              {t('dashboards.refreshing')}
            </p>
          ) : null}
          <Suspense fallback={<p className="loading">{t('dashboards.chartLoading')}</p>}>
            <ReachCharts d={d} />
          </Suspense>
          <ChannelTable d={d} />
          <VideoTable d={d} />
          <p className="small muted">{t('dashboards.note')}</p>
        </>
      ) : null}
    </>
  );
}

function BackLinks({ me, kind }: { me: Me; kind: DashboardKind }) {
  const { t } = useTranslation();
  if (hasRole(me, EDITORS)) return <DeskNav me={me} />;
  return (
    <p className="back-link">
      {kind === 'video' ? <Link to="/submissions">← {t('dashboards.backSubmissions')}</Link> : <Link to="/earnings">← {t('dashboards.backEarnings')}</Link>}
    </p>
  );
}

function DashboardPage({ kind, id, range }: { kind: DashboardKind; id: string; range?: DashboardRange }) {
  return (
    <RequireRole roles={ANYONE}>
      {(me) => (
        <div className={hasRole(me, EDITORS) ? 'staff dashboard-page' : 'contributor dashboard-page'}>
          <BackLinks me={me} kind={kind} />
          <DashboardBody key={`${kind}-${id}`} kind={kind} id={id} range={range ?? DEFAULT_RANGE} />
        </div>
      )}
    </RequireRole>
  );
}

export function VideoDashboard() {
  const { id } = getRouteApi('/dashboards/videos/$id').useParams();
  const { range } = getRouteApi('/dashboards/videos/$id').useSearch();
  return <DashboardPage kind="video" id={id} range={range} />;
}
export function ContributorDashboard() {
  const { id } = getRouteApi('/dashboards/contributors/$id').useParams();
  const { range } = getRouteApi('/dashboards/contributors/$id').useSearch();
  return <DashboardPage kind="contributor" id={id} range={range} />;
}
export function StudioDashboard() {
  const { id } = getRouteApi('/dashboards/studios/$id').useParams();
  const { range } = getRouteApi('/dashboards/studios/$id').useSearch();
  return <DashboardPage kind="studio" id={id} range={range} />;
}
export function ChannelDashboard() {
  const { channel } = getRouteApi('/dashboards/channels/$channel').useParams();
  const { range } = getRouteApi('/dashboards/channels/$channel').useSearch();
  return <DashboardPage kind="channel" id={channel} range={range} />;
}

/** The desk's entry to the dashboards: every channel and studio; videos and contributors open from the review page. */
function DashboardsIndexBody({ me }: { me: Me }) {
  const { t } = useTranslation();
  const editor = hasRole(me, EDITORS);
  const studios = useStudios(editor);
  if (!editor) {
    return (
      <ul className="link-list">
        <li>
          <Link to="/dashboards/contributors/$id" params={{ id: me.id }}>
            {t('dashboards.mine')}
          </Link>
        </li>
        <li>
          <Link to="/submissions">{t('dashboards.backSubmissions')}</Link>
        </li>
      </ul>
    );
  }
  return (
    <div className="dash-index">
      <section className="desk-panel" aria-labelledby="dash-ch-h">
        <h2 id="dash-ch-h">{t('dashboards.channels')}</h2>
        <ul className="link-list">
          {CHANNELS.map((c: Channel) => (
            <li key={c}>
              <Link to="/dashboards/channels/$channel" params={{ channel: c }}>
                {t(`channel.${c}`)}
              </Link>
            </li>
          ))}
        </ul>
      </section>
      <section className="desk-panel" aria-labelledby="dash-st-h">
        <h2 id="dash-st-h">{t('dashboards.studios')}</h2>
        {studios.isPending ? <Loading /> : null}
        {studios.isError ? <ErrorState error={studios.error} onRetry={() => void studios.refetch()} /> : null}
        {studios.data && studios.data.length === 0 ? <p className="muted">{t('dashboards.noStudios')}</p> : null}
        {studios.data?.length ? (
          <ul className="link-list">
            {studios.data.map((s) => (
              <li key={s.id}>
                <Link to="/dashboards/studios/$id" params={{ id: s.id }}>
                  {s.name}
                </Link>
              </li>
            ))}
          </ul>
        ) : null}
      </section>
      <section className="desk-panel" aria-labelledby="dash-more-h">
        <h2 id="dash-more-h">{t('dashboards.videosAndContributors')}</h2>
        <p className="small">{t('dashboards.fromReview')}</p>
        <p>
          <Link to="/desk/grand-prize" search={{}}>
            {t('distribution.grand.title')}
          </Link>
        </p>
      </section>
    </div>
  );
}

export function DashboardsIndex() {
  const { t } = useTranslation();
  useTitle(t('dashboards.title'));
  return (
    <RequireRole roles={ANYONE}>
      {(me) => (
        <div className={hasRole(me, EDITORS) ? 'staff dashboard-page' : 'contributor dashboard-page'}>
          {hasRole(me, EDITORS) ? <DeskNav me={me} /> : null}
          <h1>{t('dashboards.title')}</h1>
          <DashboardsIndexBody me={me} />
        </div>
      )}
    </RequireRole>
  );
}

/** "My reach" for a contributor's pages (earnings): their own contributor dashboard. */
export function MyReachLink({ className }: { className?: string }) {
  const { t } = useTranslation();
  const me = useMe();
  if (!me.data) return null;
  return (
    <Link to="/dashboards/contributors/$id" params={{ id: me.data.id }} className={className}>
      {t('dashboards.mine')}
    </Link>
  );
}

/** A video's dashboard link, for an adopted submission. */
export function VideoReachLink({ id, title, className }: { id: string; title: string; className?: string }) {
  const { t } = useTranslation();
  return (
    <Link to="/dashboards/videos/$id" params={{ id }} className={className} aria-label={t('dashboards.videoLinkLabel', { title })}>
      {t('dashboards.videoLink')}
    </Link>
  );
}
