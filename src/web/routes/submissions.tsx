import { useEffect, useState } from 'react';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Campaign } from '../../contracts/campaigns.js';
import type { Submission } from '../../contracts/submissions.js';
import { ApiError, errorMessage } from '../api/client.js';
import { useMe, useMyCampaigns } from '../api/queries.js';
import { submissionKeys, useMySubmissions, useSubmission, useSubmissionEvents, withdrawSubmission, WITHDRAWABLE } from '../api/submissions.js';
import { formatClock } from '../features/uploads/media.js';
import { Alert } from '../ui/Field.js';
import { VideoPlayer } from '../ui/VideoPlayer.js';
import { ConfirmBox, ErrorState, Loading, useTitle } from '../ui/common.js';
import { formatDateTime, loc } from '../ui/format.js';
import { VideoReachLink } from './dashboards.js';

function useSignedIn(next: string) {
  const me = useMe();
  const navigate = useNavigate();
  const signedOut = me.isSuccess && me.data === null;
  useEffect(() => {
    if (signedOut) void navigate({ to: '/sign-in', search: { next }, replace: true });
  }, [signedOut, navigate, next]);
  return me;
}

function campaignLine(s: Submission, campaigns: Campaign[] | undefined, lang: string): string {
  const c = campaigns?.find((x) => x.id === s.campaignId);
  if (!c) return s.theme;
  const th = c.themes.find((x) => x.key === s.theme);
  return `${loc(c.title, lang)} · ${th ? loc(th.title, lang) : s.theme}`;
}

export function SubmissionStatus({ s }: { s: Submission }) {
  const { t } = useTranslation();
  const showProgress = s.status === 'uploading' || s.status === 'processing';
  return (
    <div className="sub-status">
      <p>
        <span className={`badge badge-sub-${s.status}`}>{t(`subStatus.${s.status}`)}</span>
        {showProgress ? <span className="sub-percent"> {t('upload.percent', { percent: s.progress })}</span> : null}
      </p>
      {showProgress ? (
        <progress
          max={100}
          value={s.progress}
          className="upload-bar"
          aria-label={t('submissions.progressLabel', { status: t(`subStatus.${s.status}`) })}
          aria-valuetext={t('upload.percent', { percent: s.progress })}
        />
      ) : null}
      {s.status === 'uploading' ? <p className="hint">{t('submissions.uploadingHint')}</p> : null}
      {s.status === 'processing' ? <p className="hint">{t('submissions.processingHint')}</p> : null}
      {s.status === 'in_review' ? <p className="hint">{t('submissions.inReviewHint')}</p> : null}
      {s.status === 'rejected' && s.rejection ? (
        <div className="alert alert-error rejection">
          <p>
            <strong>{t('submissions.reason')}</strong> {s.rejection.message}
          </p>
        </div>
      ) : null}
    </div>
  );
}

function WithdrawButton({ s }: { s: Submission }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!WITHDRAWABLE.includes(s.status)) return null;
  const withdraw = async () => {
    setBusy(true);
    setError(null);
    try {
      const updated = await withdrawSubmission(s.id);
      qc.setQueryData<Submission[]>(submissionKeys.mine, (list) => list?.map((x) => (x.id === updated.id ? updated : x)));
      qc.setQueryData(submissionKeys.one(s.id), updated);
      setConfirming(false);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="withdraw">
      {confirming ? (
        <ConfirmBox
          label={t('submissions.confirmLabel', { title: s.title })}
          text={t('submissions.confirmWithdraw')}
          confirm={busy ? t('submissions.withdrawing') : t('submissions.confirmYes')}
          cancel={t('common.cancel')}
          busy={busy}
          onConfirm={() => void withdraw()}
          onCancel={() => setConfirming(false)}
        />
      ) : (
        <button type="button" className="btn btn-secondary" aria-label={t('submissions.withdrawLabel', { title: s.title })} onClick={() => setConfirming(true)}>
          {t('submissions.withdraw')}
        </button>
      )}
      {error ? <Alert>{error}</Alert> : null}
    </div>
  );
}

function SubmissionCard({ s, campaigns }: { s: Submission; campaigns: Campaign[] | undefined }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const playable = !!s.playbackUrl && s.status !== 'withdrawn';
  return (
    <li className="card submission-card" aria-labelledby={`sub-${s.id}-h`}>
      <div className="submission-media">
        {s.posterUrl && s.status !== 'withdrawn' ? (
          <img src={s.posterUrl} alt="" loading="lazy" className="poster" />
        ) : (
          <div className="poster poster-empty" aria-hidden="true" />
        )}
        {s.durationSeconds ? <span className="duration-tag">{formatClock(s.durationSeconds)}</span> : null}
      </div>
      <div className="submission-body">
        <h2 id={`sub-${s.id}-h`} className="submission-title">
          {playable ? (
            <Link to="/submissions/$id" params={{ id: s.id }} className="card-link">
              {s.title}
            </Link>
          ) : (
            s.title
          )}
        </h2>
        <p className="muted small">{campaignLine(s, campaigns, lang)}</p>
        <p className="muted small">{formatDateTime(s.createdAt, lang)}</p>
        <SubmissionStatus s={s} />
        <div className="row-actions">
          {playable ? (
            <Link to="/submissions/$id" params={{ id: s.id }} className="btn btn-primary" aria-label={t('submissions.playLabel', { title: s.title })}>
              ▶ {t('submissions.play')}
            </Link>
          ) : null}
          {s.status === 'adopted' ? <VideoReachLink id={s.id} title={s.title} className="btn btn-secondary" /> : null}
          <WithdrawButton s={s} />
        </div>
      </div>
    </li>
  );
}

export function SubmissionsPage() {
  const { t } = useTranslation();
  const me = useSignedIn('/submissions');
  const signedIn = !!me.data;
  const q = useMySubmissions(signedIn);
  const campaigns = useMyCampaigns(signedIn);
  useSubmissionEvents(signedIn);
  useTitle(t('submissions.title'));
  if (me.isPending) return <Loading />;
  if (me.isError) return <ErrorState error={me.error} onRetry={() => void me.refetch()} />;
  if (!me.data) return <p role="status">{t('guard.redirecting')}</p>;
  return (
    <div className="contributor submissions-page">
      <div className="page-head">
        <h1>{t('submissions.title')}</h1>
        <Link to="/submit" className="btn btn-primary">
          {t('nav.submit')}
        </Link>
      </div>
      {q.isPending ? <Loading /> : null}
      {q.isError ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : null}
      {q.data && q.data.length === 0 ? (
        <p>
          {t('submissions.empty')} <Link to="/submit">{t('submissions.emptyLink')}</Link>
        </p>
      ) : null}
      {q.data && q.data.length > 0 ? (
        <ul className="card-list submission-list" aria-label={t('submissions.title')}>
          {q.data.map((s) => (
            <SubmissionCard key={s.id} s={s} campaigns={campaigns.data} />
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function SubmissionPage() {
  const { id } = getRouteApi('/submissions/$id').useParams();
  const { t, i18n } = useTranslation();
  const me = useSignedIn(`/submissions/${id}`);
  const q = useSubmission(id);
  const campaigns = useMyCampaigns(!!me.data);
  useSubmissionEvents(!!me.data);
  useTitle(q.data?.title ?? t('submissions.title'));
  if (me.isPending || q.isPending) return <Loading />;
  if (!me.data) return <p role="status">{t('guard.redirecting')}</p>;
  if (q.isError) {
    if (q.error instanceof ApiError && q.error.status === 404) {
      return (
        <section className="contributor panel">
          <h1>{t('submissions.notFound')}</h1>
          <Link to="/submissions">{t('submissions.back')}</Link>
        </section>
      );
    }
    return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  }
  const s = q.data;
  return (
    <article className="contributor submission-detail">
      <p>
        <Link to="/submissions">← {t('submissions.back')}</Link>
      </p>
      <h1>{s.title}</h1>
      <p className="muted">{campaignLine(s, campaigns.data, i18n.language)}</p>
      {s.playbackUrl && s.status !== 'withdrawn' ? (
        <VideoPlayer src={s.playbackUrl} poster={s.posterUrl} title={s.title} width={s.width} height={s.height} />
      ) : (
        <p className="muted">{t('player.notReady')}</p>
      )}
      <SubmissionStatus s={s} />
      {s.status === 'adopted' ? (
        <p>
          <VideoReachLink id={s.id} title={s.title} className="btn btn-secondary" />
        </p>
      ) : null}
      {s.description ? <p className="description">{s.description}</p> : null}
      <dl className="facts small">
        {s.durationSeconds ? (
          <>
            <dt>{t('submit.length')}</dt>
            <dd>{formatClock(s.durationSeconds)}</dd>
          </>
        ) : null}
        {s.location ? (
          <>
            <dt>{t('submit.location')}</dt>
            <dd>{s.location.name ?? `${s.location.lat}, ${s.location.lng}`}</dd>
          </>
        ) : null}
        <dt>{t('submissions.submittedAt')}</dt>
        <dd>{formatDateTime(s.createdAt, i18n.language)}</dd>
      </dl>
      <WithdrawButton s={s} />
    </article>
  );
}
