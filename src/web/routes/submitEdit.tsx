import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate } from '@tanstack/react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Campaign } from '../../contracts/campaigns.js';
import { errorMessage } from '../api/client.js';
import { CAPTION_MAX, createEdit, MAX_EDIT_CLIPS, submissionKeys } from '../api/submissions.js';
import { cleanLocation, DetailsForm, emptyDetails, validateDetails, type Details, type DetailsErrors } from '../features/submit/DetailsForm.js';
import { VideoPicker } from '../features/submit/VideoPicker.js';
import { formatClock, formatMB, readVideoDuration } from '../features/uploads/media.js';
import { UploadProgress } from '../features/uploads/UploadProgress.js';
import { Alert, Field } from '../ui/Field.js';
import { useTitle } from '../ui/common.js';
import { useDuration } from './campaign.js';
import { ContributorGate, useUploadQueue } from './submit.js';

interface Clip {
  key: string;
  file: File;
  url: string;
  /** Seconds; null while reading or when the browser cannot decode the file. */
  duration: number | null;
  start: number;
  end: number;
}

/** Every kept part must be at least this long (the server's rule too). */
const MIN_KEPT = 1;
const round1 = (n: number) => Math.round(n * 10) / 10;

function ClipEditor({
  clip,
  index,
  count,
  caption,
  onChange,
  onMove,
  onRemove,
  disabled,
}: {
  clip: Clip;
  index: number;
  count: number;
  caption: string;
  onChange: (c: Clip) => void;
  onMove: (delta: -1 | 1) => void;
  onRemove: () => void;
  disabled?: boolean;
}) {
  const { t } = useTranslation();
  const video = useRef<HTMLVideoElement>(null);
  const stopAt = useRef<number | null>(null);
  const id = useId();
  const n = index + 1;
  const max = clip.duration ?? 3600;
  const kept = Math.max(0, clip.end - clip.start);

  const setStart = (v: number) => {
    const start = Math.min(Math.max(0, round1(v)), Math.max(0, clip.end - MIN_KEPT));
    onChange({ ...clip, start });
    if (video.current) video.current.currentTime = start;
  };
  const setEnd = (v: number) => {
    const end = Math.max(Math.min(max, round1(v)), Math.min(max, clip.start + MIN_KEPT));
    onChange({ ...clip, end });
    if (video.current) video.current.currentTime = end;
  };
  const preview = () => {
    const v = video.current;
    if (!v) return;
    stopAt.current = clip.end;
    v.currentTime = clip.start;
    void v.play().catch(() => undefined);
  };
  const onTime = () => {
    const v = video.current;
    if (v && stopAt.current !== null && v.currentTime >= stopAt.current) {
      v.pause();
      stopAt.current = null;
    }
  };

  return (
    <li className="card clip" aria-labelledby={`${id}-h`}>
      <div className="clip-head">
        <h3 id={`${id}-h`}>
          {t('edit.clipN', { n })} <span className="muted small">{clip.file.name}</span>
        </h3>
        <div className="row-actions">
          <button
            type="button"
            className="btn btn-secondary btn-sm"
            disabled={disabled || index === 0}
            aria-label={t('edit.moveUp', { n })}
            onClick={() => onMove(-1)}
          >
            ↑
          </button>
          <button
            type="button"
            className="btn btn-secondary btn-sm"
            disabled={disabled || index === count - 1}
            aria-label={t('edit.moveDown', { n })}
            onClick={() => onMove(1)}
          >
            ↓
          </button>
          <button type="button" className="btn btn-danger btn-sm" disabled={disabled} aria-label={t('edit.remove', { n })} onClick={onRemove}>
            {t('common.remove')}
          </button>
        </div>
      </div>
      <div className="clip-preview">
        <video ref={video} src={clip.url} muted playsInline preload="metadata" controls onTimeUpdate={onTime} aria-label={t('edit.previewLabel', { n })} />
        {caption.trim() ? (
          <div className="caption-overlay" aria-hidden="true">
            {caption.trim()}
          </div>
        ) : null}
      </div>
      {clip.duration === null ? <p className="hint">{t('edit.durationUnknown')}</p> : null}
      <div className="trim">
        <div className="trim-row">
          <label htmlFor={`${id}-start-r`}>{t('edit.start')}</label>
          <input
            id={`${id}-start-r`}
            type="range"
            min={0}
            max={max}
            step={0.1}
            value={clip.start}
            disabled={disabled}
            aria-valuetext={formatClock(clip.start)}
            onChange={(e) => setStart(Number(e.target.value))}
          />
          <input
            type="number"
            min={0}
            max={max}
            step={0.1}
            value={clip.start}
            disabled={disabled}
            aria-label={t('edit.startSeconds', { n })}
            onChange={(e) => setStart(Number(e.target.value))}
            className="num-input"
          />
        </div>
        <div className="trim-row">
          <label htmlFor={`${id}-end-r`}>{t('edit.end')}</label>
          <input
            id={`${id}-end-r`}
            type="range"
            min={0}
            max={max}
            step={0.1}
            value={clip.end}
            disabled={disabled}
            aria-valuetext={formatClock(clip.end)}
            onChange={(e) => setEnd(Number(e.target.value))}
          />
          <input
            type="number"
            min={0}
            max={max}
            step={0.1}
            value={clip.end}
            disabled={disabled}
            aria-label={t('edit.endSeconds', { n })}
            onChange={(e) => setEnd(Number(e.target.value))}
            className="num-input"
          />
        </div>
      </div>
      <div className="clip-foot">
        <span>{t('edit.kept', { kept: formatClock(kept), seconds: round1(kept) })}</span>
        <button type="button" className="btn btn-secondary btn-sm" onClick={preview} aria-label={t('edit.previewKeptLabel', { n })}>
          ▶ {t('edit.previewKept')}
        </button>
      </div>
    </li>
  );
}

function EditForm({ campaigns }: { campaigns: Campaign[] }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const navigate = useNavigate();
  const qc = useQueryClient();
  const dur = useDuration();
  const [details, setDetails] = useState<Details>(() => ({
    ...emptyDetails,
    campaignId: campaigns.length === 1 ? campaigns[0]!.id : '',
    theme: campaigns.length === 1 && campaigns[0]!.themes.length === 1 ? campaigns[0]!.themes[0]!.key : '',
  }));
  const [errors, setErrors] = useState<DetailsErrors>({});
  const [clips, setClips] = useState<Clip[]>([]);
  const [caption, setCaption] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [posting, setPosting] = useState(false);
  const urls = useRef(new Set<string>());
  const up = useUploadQueue(() => {
    void qc.invalidateQueries({ queryKey: submissionKeys.mine });
    void navigate({ to: '/submissions' });
  });

  useEffect(() => {
    const set = urls.current;
    return () => set.forEach((u) => URL.revokeObjectURL(u));
  }, []);

  const campaign = campaigns.find((c) => c.id === details.campaignId);
  const total = clips.reduce((a, c) => a + Math.max(0, c.end - c.start), 0);
  const bounds = campaign ? { min: campaign.rules.minDurationSeconds, max: campaign.rules.maxDurationSeconds } : null;
  const totalOk = !bounds || (total >= bounds.min && total <= bounds.max);

  const add = async (files: File[]) => {
    const room = MAX_EDIT_CLIPS - clips.length;
    if (files.length > room) setProblem(t('edit.tooMany', { max: MAX_EDIT_CLIPS }));
    else setProblem(null);
    const fresh = files.slice(0, Math.max(0, room)).map((file): Clip => {
      const url = URL.createObjectURL(file);
      urls.current.add(url);
      return { key: url, file, url, duration: null, start: 0, end: 0 };
    });
    setClips((list) => [...list, ...fresh]);
    for (const c of fresh) {
      const d = await readVideoDuration(c.file);
      setClips((list) => list.map((x) => (x.key === c.key ? { ...x, duration: d, end: d ? round1(d) : x.end } : x)));
    }
  };
  const update = (c: Clip) => setClips((list) => list.map((x) => (x.key === c.key ? c : x)));
  const move = (i: number, delta: -1 | 1) =>
    setClips((list) => {
      const j = i + delta;
      if (j < 0 || j >= list.length) return list;
      const next = [...list];
      [next[i], next[j]] = [next[j]!, next[i]!];
      return next;
    });
  const remove = (c: Clip) => {
    URL.revokeObjectURL(c.url);
    urls.current.delete(c.url);
    setClips((list) => list.filter((x) => x.key !== c.key));
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs = validateDetails(details, t);
    setErrors(errs);
    let p: string | null = null;
    if (clips.length === 0) p = t('edit.v.noClips');
    else if (clips.some((c) => c.end - c.start < MIN_KEPT)) p = t('edit.v.clipShort', { min: MIN_KEPT });
    else if (!totalOk && bounds) p = t('edit.v.total', { total: formatClock(total), min: dur(bounds.min), max: dur(bounds.max) });
    else if (campaign) {
      const big = clips.find((c) => c.file.size > campaign.rules.maxUploadBytes);
      if (big) p = t('edit.v.tooLarge', { name: big.file.name, max: formatMB(campaign.rules.maxUploadBytes, lang) });
    }
    setProblem(p ?? (Object.keys(errs).length ? t('auth.errorSummary') : null));
    if (p || Object.keys(errs).length) return;
    setPosting(true);
    try {
      const reply = await createEdit({
        campaignId: details.campaignId,
        theme: details.theme,
        title: details.title.trim(),
        ...(details.description.trim() ? { description: details.description.trim() } : {}),
        ...(details.location ? { location: cleanLocation(details.location) } : {}),
        consent: true,
        clips: clips.map((c) => ({ filename: c.file.name || 'clip', sizeBytes: c.file.size, startSeconds: c.start, endSeconds: c.end })),
        ...(caption.trim() ? { caption: caption.trim() } : {}),
      });
      const items = [...reply.clipUploads].sort((a, b) => a.index - b.index).map((u) => ({ file: clips[u.index]!.file, metadata: u.metadata }));
      // These uploads belong to this one edit: a later visit must not offer to resume them as a submission.
      up.begin(items, false);
    } catch (err) {
      setProblem(errorMessage(err));
    } finally {
      setPosting(false);
    }
  };

  const busy = posting || up.active;
  return (
    <form onSubmit={(e) => void submit(e)} noValidate>
      <fieldset disabled={busy}>
        <legend>{t('edit.clips', { count: clips.length, max: MAX_EDIT_CLIPS })}</legend>
        {clips.length < MAX_EDIT_CLIPS ? <VideoPicker onPick={(f) => void add(f)} disabled={busy} multiple /> : null}
        <p className="hint">{t('edit.clipsHint', { max: MAX_EDIT_CLIPS })}</p>
        <ol className="clip-list">
          {clips.map((c, i) => (
            <ClipEditor
              key={c.key}
              clip={c}
              index={i}
              count={clips.length}
              caption={caption}
              disabled={busy}
              onChange={update}
              onMove={(d) => move(i, d)}
              onRemove={() => remove(c)}
            />
          ))}
        </ol>
        <Field
          label={t('edit.caption')}
          value={caption}
          maxLength={CAPTION_MAX}
          hint={t('edit.captionHint', { n: [...caption].length, max: CAPTION_MAX })}
          onChange={(e) => setCaption(e.target.value)}
        />
        <p className={`total ${totalOk ? 'total-ok' : 'total-bad'}`} role="status" aria-live="polite">
          {bounds
            ? t('edit.totalBounds', { total: formatClock(total), min: dur(bounds.min), max: dur(bounds.max) })
            : t('edit.total', { total: formatClock(total) })}
        </p>
      </fieldset>
      <fieldset disabled={busy}>
        <legend>{t('submit.details')}</legend>
        <DetailsForm campaigns={campaigns} value={details} onChange={setDetails} errors={errors} disabled={busy} />
      </fieldset>
      {problem ? <Alert>{problem}</Alert> : null}
      {up.snap ? <UploadProgress snap={up.snap} onPause={up.pause} onResume={up.resume} /> : null}
      {!up.active ? (
        <div className="form-actions submit-actions">
          <button type="submit" className="btn btn-primary btn-block btn-lg" disabled={posting}>
            {posting ? t('edit.creating') : t('edit.submit')}
          </button>
        </div>
      ) : null}
    </form>
  );
}

export function EditPage() {
  const { t } = useTranslation();
  useTitle(t('edit.title'));
  return (
    <div className="contributor submit-page">
      <h1>{t('edit.title')}</h1>
      <p className="lead">{t('edit.intro')}</p>
      <p>
        <Link to="/submit">{t('edit.singleLink')}</Link>
      </p>
      <ContributorGate next="/submit/edit">{(campaigns) => <EditForm campaigns={campaigns} />}</ContributorGate>
    </div>
  );
}
