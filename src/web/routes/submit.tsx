import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { PreviousUpload } from 'tus-js-client';
import type { Campaign } from '../../contracts/campaigns.js';
import { useTask, type FieldAssignment } from '../api/commandAssign.js';
import { useMe, useMyCampaigns } from '../api/queries.js';
import { submissionKeys } from '../api/submissions.js';
import { DetailsForm, detailsToMetadata, emptyDetails, JoinFirst, validateDetails, type Details, type DetailsErrors } from '../features/submit/DetailsForm.js';
import { VideoPicker } from '../features/submit/VideoPicker.js';
import { formatClock, formatMB, readVideoDuration } from '../features/uploads/media.js';
import { UploadProgress } from '../features/uploads/UploadProgress.js';
import { discardUpload, findPreviousUploads, listUnfinishedUploads, uploadOffset, UploadQueue, type UploadSnapshot } from '../features/uploads/uploadQueue.js';
import { Alert } from '../ui/Field.js';
import { ErrorState, Loading, useTitle } from '../ui/common.js';

interface Remembered {
  upload: PreviousUpload;
  offset: number | null;
}

/** Early, client-side checks against the campaign rules; the server decides from the file itself. */
export function useRuleChecks() {
  const { t, i18n } = useTranslation();
  return (c: Campaign | undefined, sizeBytes: number, seconds: number | null) => {
    const blocking: string[] = [];
    const warnings: string[] = [];
    if (!c) return { blocking, warnings };
    if (sizeBytes > c.rules.maxUploadBytes) {
      blocking.push(t('submit.tooLarge', { size: formatMB(sizeBytes, i18n.language), max: formatMB(c.rules.maxUploadBytes, i18n.language) }));
    }
    if (seconds !== null && seconds < c.rules.minDurationSeconds) {
      warnings.push(t('submit.tooShort', { seconds: Math.round(seconds), min: c.rules.minDurationSeconds }));
    }
    if (seconds !== null && seconds > c.rules.maxDurationSeconds) {
      warnings.push(t('submit.tooLong', { seconds: Math.round(seconds), max: c.rules.maxDurationSeconds }));
    }
    return { blocking, warnings };
  };
}

/** Keeps an UploadQueue's snapshot in React state and disposes of it with the page. */
export function useUploadQueue(onDone: () => void) {
  const [snap, setSnap] = useState<UploadSnapshot | null>(null);
  const queue = useRef<UploadQueue | null>(null);
  const done = useRef(onDone);
  useEffect(() => {
    done.current = onDone;
  });
  useEffect(() => () => queue.current?.dispose(), []);
  const begin = (items: ConstructorParameters<typeof UploadQueue>[0]['items'], resumable: boolean) => {
    queue.current?.dispose();
    const q = new UploadQueue({ items, resumable, onChange: setSnap, onDone: () => done.current() });
    queue.current = q;
    setSnap(q.snapshot);
    q.start();
  };
  return {
    snap,
    begin,
    pause: () => queue.current?.pause(),
    resume: () => queue.current?.start(),
    active: !!snap && snap.phase !== 'error' && snap.phase !== 'idle',
  };
}

function SubmitForm({ campaigns, task }: { campaigns: Campaign[]; task?: FieldAssignment }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const navigate = useNavigate();
  const qc = useQueryClient();
  const checks = useRuleChecks();
  const [details, setDetails] = useState<Details>(() => ({
    ...emptyDetails,
    campaignId: task?.campaignId ?? (campaigns.length === 1 ? campaigns[0]!.id : ''),
    theme: task?.theme ?? (campaigns.length === 1 && campaigns[0]!.themes.length === 1 ? campaigns[0]!.themes[0]!.key : ''),
    title: task?.title.slice(0, 100) ?? '',
  }));
  const [errors, setErrors] = useState<DetailsErrors>({});
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [duration, setDuration] = useState<number | null | 'reading'>(null);
  const [previous, setPrevious] = useState<Remembered | null>(null);
  const [unfinished, setUnfinished] = useState<Remembered[]>([]);
  const [summary, setSummary] = useState<string | null>(null);
  const up = useUploadQueue(() => {
    void qc.invalidateQueries({ queryKey: submissionKeys.mine });
    void navigate({ to: '/submissions' });
  });

  // A reload (or a closed tab) leaves unfinished uploads in this browser: say so, and how to continue.
  useEffect(() => {
    let live = true;
    void (async () => {
      const list = await listUnfinishedUploads();
      const withOffsets = await Promise.all(list.map(async (u) => ({ upload: u, offset: await uploadOffset(u) })));
      if (live) setUnfinished(withOffsets.filter((r) => r.offset !== null));
    })();
    return () => {
      live = false;
    };
  }, []);

  const campaign = campaigns.find((c) => c.id === details.campaignId);
  const { blocking, warnings } = file ? checks(campaign, file.size, typeof duration === 'number' ? duration : null) : { blocking: [], warnings: [] };

  const pick = async ([f]: File[]) => {
    if (!f) return;
    setFile(f);
    setFileError(f.type && !f.type.startsWith('video/') ? t('submit.notVideo') : null);
    setPrevious(null);
    setDuration('reading');
    const [seconds, prev] = await Promise.all([readVideoDuration(f), findPreviousUploads(f).catch(() => [])]);
    setDuration(seconds);
    const first = prev[0];
    if (first) {
      const offset = await uploadOffset(first);
      if (offset !== null) setPrevious({ upload: first, offset });
    }
  };

  const resumePrevious = () => {
    if (!file || !previous) return;
    // The server already holds this upload's details; only the remaining bytes go.
    up.begin([{ file, metadata: previous.upload.metadata, resumeFrom: previous.upload }], true);
  };

  const startOver = async () => {
    if (!previous) return;
    await discardUpload(previous.upload);
    setUnfinished((list) => list.filter((r) => r.upload.urlStorageKey !== previous.upload.urlStorageKey));
    setPrevious(null);
  };

  const discard = async (r: Remembered) => {
    await discardUpload(r.upload);
    setUnfinished((list) => list.filter((x) => x.upload.urlStorageKey !== r.upload.urlStorageKey));
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const errs = validateDetails(details, t);
    setErrors(errs);
    const noFile = !file ? t('submit.v.file') : null;
    if (noFile) setFileError(noFile);
    if (Object.keys(errs).length || noFile || blocking.length || fileError) {
      setSummary(t('auth.errorSummary'));
      return;
    }
    setSummary(null);
    // Footage for a task carries its id; the server checks the person accepted it (docs/api.md, "Upload against an assignment").
    const metadata = detailsToMetadata(details, file!);
    if (task) metadata.assignmentId = task.id;
    up.begin([{ file: file!, metadata }], true);
  };

  const busy = up.active;
  return (
    <>
      {unfinished.length > 0 && !busy ? (
        <Alert tone="info">
          <p>
            <strong>{t('submit.unfinishedTitle')}</strong>
          </p>
          <ul className="unfinished-list">
            {unfinished.map((r) => (
              <li key={r.upload.urlStorageKey}>
                <p>
                  {t('submit.unfinishedItem', {
                    title: r.upload.metadata.title ?? '',
                    filename: r.upload.metadata.filename ?? '',
                    sent: formatMB(r.offset ?? 0, lang),
                    total: formatMB(r.upload.size ?? 0, lang),
                  })}
                </p>
                <button type="button" className="btn btn-ghost btn-sm" onClick={() => void discard(r)}>
                  {t('submit.discard')}
                </button>
              </li>
            ))}
          </ul>
          <p>{t('submit.unfinishedHint')}</p>
        </Alert>
      ) : null}

      <form onSubmit={submit} noValidate aria-describedby={summary ? 'submit-summary' : undefined}>
        <fieldset disabled={busy}>
          <legend>{t('submit.video')}</legend>
          <VideoPicker onPick={(f) => void pick(f)} disabled={busy} />
          {file ? (
            <dl className="facts small file-facts">
              <dt>{t('submit.file')}</dt>
              <dd>{file.name}</dd>
              <dt>{t('submit.size')}</dt>
              <dd>{t('submit.mb', { mb: formatMB(file.size, lang) })}</dd>
              <dt>{t('submit.length')}</dt>
              <dd>{duration === 'reading' ? t('common.loading') : duration === null ? t('submit.lengthUnknown') : formatClock(duration)}</dd>
            </dl>
          ) : (
            <p className="hint">{t('submit.videoHint')}</p>
          )}
          {fileError ? <Alert>{fileError}</Alert> : null}
          {blocking.map((m) => (
            <Alert key={m}>{m}</Alert>
          ))}
          {warnings.length ? (
            <div role="status" className="alert alert-warn">
              {warnings.map((m) => (
                <p key={m}>{m}</p>
              ))}
              <p>{t('submit.warnServerDecides')}</p>
            </div>
          ) : null}
          {previous && !busy ? (
            <Alert tone="info">
              <p>
                {t('submit.previousFound', {
                  title: previous.upload.metadata.title ?? '',
                  sent: formatMB(previous.offset ?? 0, lang),
                  total: formatMB(previous.upload.size ?? file?.size ?? 0, lang),
                })}
              </p>
              <div className="row-actions">
                <button type="button" className="btn btn-primary" onClick={resumePrevious}>
                  {t('submit.resumePrevious')}
                </button>
                <button type="button" className="btn btn-secondary" onClick={() => void startOver()}>
                  {t('submit.startOver')}
                </button>
              </div>
            </Alert>
          ) : null}
        </fieldset>

        <fieldset disabled={busy}>
          <legend>{t('submit.details')}</legend>
          <DetailsForm campaigns={campaigns} value={details} onChange={setDetails} errors={errors} disabled={busy} />
        </fieldset>

        {summary ? (
          <div id="submit-summary">
            <Alert>{summary}</Alert>
          </div>
        ) : null}
        {up.snap ? <UploadProgress snap={up.snap} onPause={up.pause} onResume={up.resume} /> : null}
        {!busy ? (
          <div className="form-actions submit-actions">
            <button type="submit" className="btn btn-primary btn-block btn-lg" disabled={!!previous}>
              {t('submit.upload')}
            </button>
          </div>
        ) : null}
      </form>
      <p className="edit-link">
        <Link to="/submit/edit">{t('submit.editLink')}</Link>
      </p>
    </>
  );
}

/** Signed-in guard plus the list of joined, open campaigns; shared by both submit pages. */
export function ContributorGate({ next, children }: { next: string; children: (campaigns: Campaign[]) => ReactNode }) {
  const { t } = useTranslation();
  const me = useMe();
  const mine = useMyCampaigns(!!me.data);
  const navigate = useNavigate();
  const signedOut = me.isSuccess && me.data === null;
  useEffect(() => {
    if (signedOut) void navigate({ to: '/sign-in', search: { next }, replace: true });
  }, [signedOut, navigate, next]);
  if (me.isPending) return <Loading />;
  if (me.isError) return <ErrorState error={me.error} onRetry={() => void me.refetch()} />;
  if (!me.data) return <p role="status">{t('guard.redirecting')}</p>;
  if (mine.isPending) return <Loading />;
  if (mine.isError) return <ErrorState error={mine.error} onRetry={() => void mine.refetch()} />;
  const open = mine.data.filter((c) => c.status === 'open');
  if (open.length === 0) return <JoinFirst />;
  return <>{children(open)}</>;
}

export function SubmitPage() {
  const { t } = useTranslation();
  useTitle(t('submit.title'));
  const { assignment } = getRouteApi('/submit').useSearch();
  const task = useTask(assignment);
  return (
    <div className="contributor submit-page">
      <h1>{t('submit.title')}</h1>
      {task.data ? (
        <p className="lead" data-testid="submit-task">
          {t('commandAssign.task.uploadFor', { title: task.data.title })}
        </p>
      ) : (
        <p className="lead">{t('submit.intro')}</p>
      )}
      {assignment && task.isPending ? (
        <Loading />
      ) : (
        <ContributorGate next={assignment ? `/submit?assignment=${assignment}` : '/submit'}>
          {(campaigns) => <SubmitForm campaigns={campaigns} task={task.data} />}
        </ContributorGate>
      )}
    </div>
  );
}
