import { useEffect, useRef, useState, type FormEvent } from 'react';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../contracts/accounts.js';
import { api, errorMessage } from '../api/client.js';
import {
  addNote,
  adoptItem,
  deskKeys,
  queueUrl,
  regradeItem,
  rejectItem,
  REJECT_REASONS,
  useReview,
  type QueueItem,
  type RejectReason,
  type Review,
} from '../api/desk.js';
import { useCampaigns } from '../api/queries.js';
import { DailyPickControl } from '../features/desk/DailyPickControl.js';
import { DeskPlayer } from '../features/desk/DeskPlayer.js';
import { AssignmentBadge } from '../features/command/assign/AssignmentBadge.js';
import { campaignTheme, DeskNav, EDITORS, Kbd, TrustBadge, useHotkeys } from '../features/desk/deskUi.js';
import { PackagingPanel } from '../features/desk/PackagingPanel.js';
import { PublicationsPanel } from '../features/distribution/PublicationsPanel.js';
import { TrimPanel } from '../features/desk/TrimPanel.js';
import { useClaim, type ClaimState } from '../features/desk/useClaim.js';
import { formatClock } from '../features/uploads/media.js';
import { Alert } from '../ui/Field.js';
import { ErrorState, Loading, RequireRole, useTitle } from '../ui/common.js';
import { formatCount, formatDateTime, formatYuan } from '../ui/format.js';

type T = (k: string, o?: Record<string, unknown>) => string;

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
function strv(v: unknown): string | null {
  return typeof v === 'string' && v ? v : null;
}
function kbps(bits: number | null): string | null {
  return bits ? `${Math.round(bits / 1000).toLocaleString()} kb/s` : null;
}

function ProbeTable({ probe, t }: { probe: Record<string, unknown> | null | undefined; t: T }) {
  if (!probe) return <p className="muted">{t('review.noProbe')}</p>;
  const v = (probe.video ?? null) as Record<string, unknown> | null;
  const a = (probe.audio ?? null) as Record<string, unknown> | null;
  const dur = num(probe.durationSeconds);
  const fps = v ? num(v.frameRate) : null;
  const rows: [string, string | null][] = [
    [t('review.probe.container'), strv(probe.formatName)],
    [t('review.probe.codec'), v ? [strv(v.codec), strv(v.profile)].filter(Boolean).join(' · ') : null],
    [
      t('review.probe.resolution'),
      v
        ? `${num(v.displayWidth) ?? '?'}×${num(v.displayHeight) ?? '?'}${num(v.rotation) ? ` (${t('review.probe.rotated', { deg: num(v.rotation) })})` : ''}`
        : null,
    ],
    [t('review.probe.duration'), dur !== null ? `${formatClock(dur)} (${dur.toFixed(1)} s)` : null],
    [t('review.probe.fps'), fps !== null ? `${fps.toFixed(fps % 1 ? 2 : 0)}${v?.isVfr ? ` · ${t('review.probe.vfr')}` : ''}` : null],
    [t('review.probe.bitrate'), kbps(num(probe.bitRate) ?? (v ? num(v.bitRate) : null))],
    [
      t('review.probe.audio'),
      a
        ? [
            strv(a.codec),
            num(a.channels) ? t('review.probe.channels', { count: num(a.channels) }) : null,
            num(a.sampleRate) ? `${num(a.sampleRate)! / 1000} kHz` : null,
          ]
            .filter(Boolean)
            .join(' · ')
        : t('review.probe.noAudio'),
    ],
    [t('review.probe.size'), num(probe.sizeBytes) ? `${(num(probe.sizeBytes)! / 1024 / 1024).toFixed(1)} MB` : null],
  ];
  return (
    <table className="facts-table">
      <caption className="sr-only">{t('review.probeTitle')}</caption>
      <tbody>
        {rows.map(([k, val]) => (
          <tr key={k}>
            <th scope="row">{k}</th>
            <td>{val ?? t('common.none')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ClaimBanner({ state, t }: { state: ClaimState; t: T }) {
  if (state.kind === 'pending') return <p className="claim-line muted">{t('review.claiming')}</p>;
  if (state.kind === 'mine')
    return <p className="claim-line claim-mine">{t('review.claimMine', { time: new Date(state.claim.expiresAt).toLocaleTimeString() })}</p>;
  if (state.kind === 'other') return <Alert tone="info">{t('review.claimOther', { message: state.message })}</Alert>;
  return null;
}

function Notes({ r, id }: { r: Review; id: string }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const [body, setBody] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!body.trim()) return;
    setBusy(true);
    setError(null);
    try {
      const note = await addNote(id, body.trim());
      qc.setQueryData<Review>(deskKeys.review(id), (old) => (old ? { ...old, notes: [...old.notes, note] } : old));
      setBody('');
    } catch (x) {
      setError(errorMessage(x));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="desk-panel" aria-labelledby="notes-h">
      <h2 id="notes-h">{t('review.notes', { count: r.notes.length })}</h2>
      {r.notes.length === 0 ? <p className="muted small">{t('review.noNotes')}</p> : null}
      <ol className="notes">
        {r.notes.map((n) => (
          <li key={n.id}>
            <p className="note-meta">
              <strong>{n.authorName}</strong> <time dateTime={n.createdAt}>{formatDateTime(n.createdAt, i18n.language)}</time>
            </p>
            <p className="note-body">{n.body}</p>
          </li>
        ))}
      </ol>
      <form onSubmit={submit} className="note-form">
        <label htmlFor="note-body" className="sr-only">
          {t('review.notePlaceholder')}
        </label>
        <textarea id="note-body" rows={2} value={body} maxLength={4000} onChange={(e) => setBody(e.target.value)} placeholder={t('review.notePlaceholder')} />
        {error ? <Alert>{error}</Alert> : null}
        <button type="submit" className="btn btn-secondary btn-sm" disabled={busy || !body.trim()}>
          {busy ? t('common.saving') : t('review.addNote')}
        </button>
      </form>
    </section>
  );
}

function Decision({
  r,
  id,
  blocked,
  onNext,
  done,
  setDone,
}: {
  r: Review;
  id: string;
  blocked: boolean;
  onNext: () => void;
  /** Lives in the parent: this panel remounts when the decision changes the submission's status. */
  done: string | null;
  setDone: (m: string | null) => void;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const qc = useQueryClient();
  const s = r.submission;
  const [grade, setGrade] = useState<string>(s.grade ?? '');
  const [reason, setReason] = useState<RejectReason | ''>('');
  const [note, setNote] = useState('');
  const [pending, setPending] = useState<'adopt' | 'reject' | 'grade' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reasonRef = useRef<HTMLSelectElement>(null);
  const inReview = s.status === 'in_review';
  const adopted = s.status === 'adopted';

  const run = async (kind: 'adopt' | 'reject' | 'grade', fn: () => Promise<unknown>, okMsg: string) => {
    if (pending) return;
    setPending(kind);
    setError(null);
    setDone(null);
    try {
      await fn();
      setDone(okMsg);
      await qc.invalidateQueries({ queryKey: deskKeys.review(id) });
      void qc.invalidateQueries({ queryKey: ['desk', 'queue'] });
    } catch (x) {
      setError(errorMessage(x));
    } finally {
      setPending(null);
    }
  };
  // Money moves on adoption and cannot be taken back (only regraded), so the button (or the
  // "a" key) first asks, naming the grade, the amount and who is paid; only "yes" posts.
  const [confirming, setConfirming] = useState(false);
  const confirmYes = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) confirmYes.current?.focus();
  }, [confirming]);
  const adopt = () => {
    if (!grade) {
      setError(t('review.pickGrade'));
      return;
    }
    setError(null);
    setConfirming(true);
  };
  const confirmAdopt = () => {
    setConfirming(false);
    void run('adopt', () => adoptItem(id, grade), t('review.adoptedMsg', { grade }));
  };
  const rewardOf = (g: string) => formatYuan(r.grades.find((x) => x.grade === g)?.rewardFen ?? 0, lang);
  const reject = () => {
    if (!reason) {
      setError(t('review.pickReason'));
      reasonRef.current?.focus();
      return;
    }
    void run('reject', () => rejectItem(id, reason, note.trim() || undefined), t('review.rejectedMsg'));
  };
  const regrade = () => {
    if (!s.grade || !grade || grade === s.grade) return;
    void run('grade', () => regradeItem(id, grade, s.grade!), t('review.regradedMsg', { from: s.grade, to: grade }));
  };

  useHotkeys({
    a: () => inReview && !blocked && adopt(),
    x: () => {
      if (!inReview || blocked) return;
      if (reason) reject();
      else reasonRef.current?.focus();
    },
    n: () => onNext(),
    Escape: () => setConfirming(false),
    ...Object.fromEntries(r.grades.slice(0, 9).map((g, i) => [String(i + 1), () => (inReview || adopted) && setGrade(g.grade)])),
  });

  const gradePicker = (
    <fieldset className="grade-picker" disabled={blocked || !!pending}>
      <legend>{adopted ? t('review.changeGrade') : t('review.grade')}</legend>
      {r.grades.map((g, i) => (
        <label key={g.grade} className={`grade-option${grade === g.grade ? ' is-checked' : ''}`}>
          <input type="radio" name="grade" value={g.grade} checked={grade === g.grade} onChange={() => setGrade(g.grade)} />
          <span className="grade-letter">{g.grade}</span>
          <span className="grade-reward">{formatYuan(g.rewardFen, lang)}</span>
          {i < 9 ? (
            <span className="sr-only">
              {' '}
              ({t('review.key')} {i + 1})
            </span>
          ) : null}
        </label>
      ))}
    </fieldset>
  );

  return (
    <section className="desk-panel decision" aria-labelledby="decision-h">
      <h2 id="decision-h">{t('review.decision')}</h2>
      <p>
        <span className={`badge badge-sub-${s.status}`}>
          {adopted && s.grade ? t('deskSearch.adoptedState', { grade: s.grade }) : t(`subStatus.${s.status}`)}
        </span>
        {s.grade && !adopted ? <span className="muted"> {t('review.currentGrade', { grade: s.grade })}</span> : null}
      </p>
      {error ? <Alert>{error}</Alert> : null}
      {done ? <Alert tone="success">{done}</Alert> : null}
      {inReview ? (
        <>
          {gradePicker}
          {confirming && grade ? (
            <div role="alertdialog" aria-labelledby="adopt-confirm-h" aria-describedby="adopt-confirm-text" className="confirm-box">
              <h3 id="adopt-confirm-h">{t('deskSearch.confirm.title')}</h3>
              <p id="adopt-confirm-text">{t('deskSearch.confirm.text', { title: s.title, grade, amount: rewardOf(grade), name: r.contributor.name })}</p>
              <button ref={confirmYes} type="button" className="btn btn-primary btn-block" onClick={confirmAdopt} disabled={blocked || !!pending}>
                {t('deskSearch.confirm.yes', { amount: rewardOf(grade) })}
              </button>
              <button type="button" className="btn btn-ghost btn-block" onClick={() => setConfirming(false)}>
                {t('deskSearch.confirm.no')}
              </button>
            </div>
          ) : (
            <button type="button" className="btn btn-primary btn-block" onClick={adopt} disabled={blocked || !!pending || !grade} aria-keyshortcuts="a">
              {pending === 'adopt' ? t('review.adopting') : grade ? t('review.adoptAt', { grade, amount: rewardOf(grade) }) : t('review.adopt')}
            </button>
          )}
          <div className="reject-box">
            <label htmlFor="reject-reason">{t('review.rejectReason')}</label>
            <select
              id="reject-reason"
              ref={reasonRef}
              value={reason}
              onChange={(e) => setReason(e.target.value as RejectReason | '')}
              disabled={blocked || !!pending}
            >
              <option value="">{t('submit.choose')}</option>
              {REJECT_REASONS.map((x) => (
                <option key={x} value={x}>
                  {t(`reject.${x}`)}
                </option>
              ))}
            </select>
            <label htmlFor="reject-note">{t('review.rejectNote')}</label>
            <textarea id="reject-note" rows={2} maxLength={1000} value={note} onChange={(e) => setNote(e.target.value)} disabled={blocked || !!pending} />
            <button type="button" className="btn btn-danger btn-block" onClick={reject} disabled={blocked || !!pending} aria-keyshortcuts="x">
              {pending === 'reject' ? t('review.rejecting') : t('review.reject')}
            </button>
          </div>
        </>
      ) : null}
      {adopted && s.grade ? (
        <>
          {gradePicker}
          <button type="button" className="btn btn-secondary btn-block" onClick={regrade} disabled={!!pending || !grade || grade === s.grade}>
            {/* Until another grade is picked there is nothing to change: no "B → B". */}
            {pending === 'grade'
              ? t('common.saving')
              : grade && grade !== s.grade
                ? t('review.regrade', { from: s.grade, to: grade })
                : t('deskSearch.pickOtherGrade')}
          </button>
        </>
      ) : null}
      <button type="button" className="btn btn-ghost btn-block" onClick={onNext} aria-keyshortcuts="n">
        {t('review.next')}
      </button>
      <p className="muted small shortcuts">
        <Kbd>1</Kbd>–<Kbd>{String(Math.min(9, r.grades.length))}</Kbd> {t('review.keyGrade')} · <Kbd>a</Kbd> {t('review.adopt')} · <Kbd>x</Kbd>{' '}
        {t('review.reject')} · <Kbd>n</Kbd> {t('review.keyNext')}
      </p>
    </section>
  );
}

function ReviewBody({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const q = useReview(id);
  const campaigns = useCampaigns();
  const navigate = useNavigate();
  const inReview = q.data?.submission.status === 'in_review';
  const claim = useClaim(id, inReview);
  const [nextMsg, setNextMsg] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const playhead = useRef(0);
  useTitle(q.data ? `${t('review.title')}: ${q.data.submission.title}` : t('review.title'));
  useEffect(() => setNextMsg(null), [id]);

  const next = async () => {
    try {
      const { items } = await api<{ items: QueueItem[] }>(queueUrl({}));
      const it = items.find((x) => x.submission.id !== id && (!x.claim || x.claim.mine));
      if (it) void navigate({ to: '/desk/review/$id', params: { id: it.submission.id } });
      else setNextMsg(t('review.queueEmpty'));
    } catch (x) {
      setNextMsg(errorMessage(x));
    }
  };

  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  const r = q.data;
  const s = r.submission;
  const c = r.contributor;
  const ct = campaignTheme(campaigns.data, s.campaignId, s.theme, lang);
  const blocked = claim.kind === 'other';
  const adopted = s.status === 'adopted';
  return (
    <>
      <div className="page-head">
        <h1>{s.title}</h1>
        <p className="muted">
          {ct.campaign}
          {ct.theme ? ` · ${ct.theme}` : ''} · {t('review.submittedAt', { at: formatDateTime(s.createdAt, lang) })}
        </p>
        <AssignmentBadge assignment={r.assignment} />
      </div>
      {inReview ? <ClaimBanner state={claim} t={t} /> : null}
      {nextMsg ? <Alert tone="info">{nextMsg}</Alert> : null}
      {s.duplicate ? (
        <div role="alert" className="alert alert-warn">
          <strong>{t('review.dupTitle', { score: Math.round(s.duplicate.score * 100) })}</strong>{' '}
          <Link to="/desk/review/$id" params={{ id: s.duplicate.submissionId }}>
            {t('review.dupLink')}
          </Link>
        </div>
      ) : null}
      <div className="review-grid">
        <div className="review-media">
          {s.playbackUrl ? (
            <DeskPlayer src={s.playbackUrl} poster={s.posterUrl} title={s.title} spriteVttUrl={s.spriteVttUrl} onTime={(x) => (playhead.current = x)} />
          ) : (
            <p className="muted">{t('player.notReady')}</p>
          )}
          {s.description ? <p className="description">{s.description}</p> : null}
          {s.location ? (
            <p className="muted small">
              {t('review.location')}: {s.location.name ?? `${s.location.lat.toFixed(4)}, ${s.location.lng.toFixed(4)}`}
            </p>
          ) : null}
          {adopted ? (
            <>
              <PackagingPanel id={id} title={s.title} description={s.description} posterUrl={s.posterUrl} />
              <PublicationsPanel id={id} />
              <TrimPanel id={id} title={s.title} duration={num(s.probe?.durationSeconds)} currentTime={() => playhead.current} />
            </>
          ) : null}
        </div>
        <div className="review-side">
          <Decision key={`${s.id}-${s.status}-${s.grade ?? ''}`} r={r} id={id} blocked={blocked} onNext={() => void next()} done={done} setDone={setDone} />
          {adopted ? <DailyPickControl id={id} title={s.title} description={s.description} /> : null}
          <section className="desk-panel" aria-labelledby="contrib-h">
            <h2 id="contrib-h">{t('review.contributor')}</h2>
            <p>
              <strong>{c.name}</strong> <TrustBadge trust={c.trust} />
            </p>
            <p className="small">
              <Link to="/dashboards/contributors/$id" params={{ id: c.id }}>
                {t('dashboards.openContributor', { name: c.name })}
              </Link>
            </p>
            <dl className="stat-row">
              <div>
                <dt>{t('review.adoptedCount')}</dt>
                <dd>{c.adopted}</dd>
              </div>
              <div>
                <dt>{t('review.rejectedCount')}</dt>
                <dd>{c.rejected}</dd>
              </div>
              <div>
                <dt>{t('review.reach')}</dt>
                <dd>{formatCount(c.totalReach, lang)}</dd>
              </div>
            </dl>
          </section>
          <section className="desk-panel" aria-labelledby="probe-h">
            <h2 id="probe-h">{t('review.probeTitle')}</h2>
            <ProbeTable probe={s.probe} t={t} />
          </section>
          <Notes r={r} id={id} />
        </div>
      </div>
    </>
  );
}

export function ReviewPage() {
  const { id } = getRouteApi('/desk/review/$id').useParams();
  const { t } = useTranslation();
  return (
    <RequireRole roles={EDITORS}>
      {(me: Me) => (
        <div className="staff desk-page">
          <DeskNav me={me} />
          <p className="back-link">
            <Link to="/desk/queue" search={{}}>
              ← {t('review.back')}
            </Link>
          </p>
          <ReviewBody key={id} id={id} />
        </div>
      )}
    </RequireRole>
  );
}
