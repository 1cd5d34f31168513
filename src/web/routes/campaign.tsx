import { useEffect, useRef, useState } from 'react';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Campaign } from '../../contracts/campaigns.js';
import { api, ApiError, errorMessage } from '../api/client.js';
import { keys, useCampaign, useMe, useMyCampaigns } from '../api/queries.js';
import { Alert } from '../ui/Field.js';
import { ErrorState, Loading, useTitle } from '../ui/common.js';
import { formatCount, formatDateTime, formatYuan, loc } from '../ui/format.js';

export function useDuration() {
  const { t } = useTranslation();
  return (s: number) => (s % 60 === 0 ? t('campaign.minutes', { count: s / 60 }) : t('campaign.seconds', { count: s }));
}

/** Joins and goes to the account page; shared by the Join button and the QR target page. */
export function useJoin() {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const join = async (c: Campaign) => {
    setBusy(true);
    setError(null);
    try {
      await api(`/api/campaigns/${c.id}/join`, { method: 'POST', body: {} });
      await qc.invalidateQueries({ queryKey: keys.myCampaigns });
      void qc.invalidateQueries({ queryKey: keys.campaign(c.slug) });
      await navigate({ to: '/account', search: { joined: c.slug } });
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return { join, error, busy };
}

export function CampaignRules({ c }: { c: Campaign }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const dur = useDuration();
  const rewards = c.rules.grades.map((g) => g.rewardFen);
  const min = Math.min(...rewards);
  const max = Math.max(...rewards);
  return (
    <ul className="rules">
      <li>{t('campaign.duration', { min: dur(c.rules.minDurationSeconds), max: dur(c.rules.maxDurationSeconds) })}</li>
      <li>
        {min === max
          ? t('campaign.rewardSingle', { amount: formatYuan(min, lang) })
          : t('campaign.rewardRange', { min: formatYuan(min, lang), max: formatYuan(max, lang) })}
        <table className="grade-table">
          <caption>{t('campaign.gradeTable')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('campaign.grade')}</th>
              <th scope="col">{t('campaign.reward')}</th>
            </tr>
          </thead>
          <tbody>
            {c.rules.grades.map((g) => (
              <tr key={g.grade}>
                <td>{g.grade}</td>
                <td className="num">{formatYuan(g.rewardFen, lang)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </li>
      <li>
        {c.rules.weeklyPrizes.length === 0 ? (
          t('campaign.weeklyNone')
        ) : (
          <>
            {t('campaign.weekly')}
            <ul className="prize-list">
              {[...c.rules.weeklyPrizes]
                .sort((a, b) => a.rank - b.rank)
                .map((p) => (
                  <li key={p.rank}>{t('campaign.weeklyRank', { rank: p.rank, amount: formatYuan(p.amountFen, lang) })}</li>
                ))}
            </ul>
          </>
        )}
      </li>
      <li>
        {t('campaign.grand', {
          threshold: formatCount(c.rules.grandPrize.thresholdReach, lang),
          amount: formatYuan(c.rules.grandPrize.amountFen, lang),
        })}
      </li>
    </ul>
  );
}

export function CampaignPage() {
  const { slug } = getRouteApi('/c/$slug').useParams();
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const q = useCampaign(slug);
  const me = useMe();
  const mine = useMyCampaigns(!!me.data);
  const navigate = useNavigate();
  const { join, error, busy } = useJoin();
  useTitle(q.data ? loc(q.data.title, lang) : undefined);

  if (q.isPending) return <Loading />;
  if (q.isError) {
    if (q.error instanceof ApiError && q.error.status === 404) {
      return (
        <section className="panel">
          <h1>{t('campaign.notFound')}</h1>
          <Link to="/">{t('common.backHome')}</Link>
        </section>
      );
    }
    return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  }
  const c = q.data;
  const joined = !!mine.data?.some((m) => m.id === c.id);
  const full = c.memberCount >= c.quota;
  const onJoin = () => {
    if (me.data) void join(c);
    else void navigate({ to: '/sign-up', search: { campaign: c.slug } });
  };
  return (
    <article className="contributor campaign">
      <header className="campaign-hero">
        <p>
          <span className={`badge badge-${c.status}`}>{t(`status.${c.status}`)}</span>
        </p>
        <h1>{loc(c.title, lang)}</h1>
        <p className="lead">{loc(c.description, lang)}</p>
      </header>

      <div className="join-box">
        {joined ? (
          <Alert tone="success">
            <p>{t('campaign.joined')}</p>
            <Link to="/account" search={{}}>
              {t('campaign.goAccount')}
            </Link>{' '}
            · <Link to="/rain">{t('rain.openList')}</Link>
          </Alert>
        ) : (
          <>
            <button type="button" className="btn btn-primary btn-block" onClick={onJoin} disabled={busy || (full && !joined)}>
              {busy ? t('campaign.joining') : t('campaign.join')}
            </button>
            {full ? <p className="muted">{t('campaign.full')}</p> : null}
          </>
        )}
        {error ? <Alert>{error}</Alert> : null}
      </div>

      <section aria-labelledby="themes-h">
        <h2 id="themes-h">{t('campaign.themes')}</h2>
        <ul className="chips">
          {c.themes.map((th) => (
            <li key={th.key} className="chip">
              {loc(th.title, lang)}
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="dates-h">
        <h2 id="dates-h">{t('campaign.dates')}</h2>
        <p>{t('campaign.dateRange', { start: formatDateTime(c.startsAt, lang), end: formatDateTime(c.endsAt, lang) })}</p>
      </section>

      <section aria-labelledby="rules-h">
        <h2 id="rules-h">{t('campaign.rules')}</h2>
        <CampaignRules c={c} />
      </section>

      <section aria-labelledby="members-h">
        <h2 id="members-h">{t('campaign.members')}</h2>
        <p>{t('campaign.membersCount', { count: c.memberCount, quota: c.quota })}</p>
        <meter min={0} max={c.quota} value={c.memberCount} aria-labelledby="members-h" className="members-meter" />
      </section>

      <section aria-labelledby="qr-h" className="qr-box">
        <h2 id="qr-h">{t('campaign.qrTitle')}</h2>
        <img src={`/api/campaigns/${c.id}/qr.svg`} alt={t('campaign.qrAlt', { title: loc(c.title, lang) })} width={200} height={200} className="qr" />
        <p>
          <a href={`/api/campaigns/${c.id}/qr.svg`} target="_blank" rel="noopener">
            {t('campaign.qrPrint')}
          </a>
        </p>
      </section>
    </article>
  );
}

export function JoinPage() {
  const { slug } = getRouteApi('/c/$slug/join').useParams();
  const { t, i18n } = useTranslation();
  const me = useMe();
  const q = useCampaign(slug);
  const navigate = useNavigate();
  const { join, error } = useJoin();
  const started = useRef(false);
  useTitle(t('join.title'));

  useEffect(() => {
    if (started.current || me.isPending) return;
    if (me.isSuccess && me.data === null) {
      started.current = true;
      void navigate({ to: '/sign-up', search: { campaign: slug }, replace: true });
      return;
    }
    if (me.data && q.data) {
      started.current = true;
      void join(q.data);
    }
  }, [me.isPending, me.isSuccess, me.data, q.data, slug, navigate, join]);

  if (q.isError) return <ErrorState error={q.error} />;
  return (
    <section className="contributor panel">
      <h1>{t('join.title')}</h1>
      {error ? (
        <>
          <Alert>
            <p>{t('join.failed')}</p>
            <p>{error}</p>
          </Alert>
          <Link to="/c/$slug" params={{ slug }}>
            {q.data ? loc(q.data.title, i18n.language) : slug}
          </Link>
        </>
      ) : (
        <p role="status">{q.data ? t('join.working', { title: loc(q.data.title, i18n.language) }) : t('common.loading')}</p>
      )}
    </section>
  );
}
