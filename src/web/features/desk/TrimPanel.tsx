import { useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../api/client.js';
import { charCount, packagingKeys, requestEdit, SUBTITLE_MAX, useEdits, type DeskEdit } from '../../api/packaging.js';
import { Alert } from '../../ui/Field.js';
import { VideoPlayer } from '../../ui/VideoPlayer.js';
import { formatDateTime } from '../../ui/format.js';
import { formatClock } from '../uploads/media.js';

interface Line {
  key: number;
  start: string;
  end: string;
  text: string;
}

const secs = (s: string): number | null => {
  const v = Number(s.trim());
  return s.trim() !== '' && Number.isFinite(v) && v >= 0 ? v : null;
};
const round1 = (n: number) => String(Math.round(n * 10) / 10);

/** The desk's secondary production: trim, subtitles burned in or as WebVTT, and the versions made so far. */
export function TrimPanel({ id, title, duration, currentTime }: { id: string; title: string; duration: number | null; currentTime: () => number }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const edits = useEdits(id);
  const [start, setStart] = useState('0');
  const [end, setEnd] = useState(duration ? round1(duration) : '');
  const [lines, setLines] = useState<Line[]>([]);
  const [nextKey, setNextKey] = useState(1);
  const [mode, setMode] = useState<'burn' | 'vtt'>('vtt');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const s = secs(start);
  const e = secs(end);
  const length = s !== null && e !== null ? e - s : null;
  const rangeError =
    s === null || e === null
      ? t('trim.badNumber')
      : duration && e > duration + 0.05
        ? t('trim.pastEnd', { max: round1(duration) })
        : length! < 1
          ? t('trim.tooShort')
          : null;
  const lineError = (l: Line): string | null => {
    const a = secs(l.start);
    const b = secs(l.end);
    if (a === null || b === null) return t('trim.badNumber');
    if (b <= a) return t('trim.lineOrder');
    if (length !== null && b > length + 0.05) return t('trim.lineOutside', { max: round1(length) });
    if (!l.text.trim()) return t('trim.lineEmpty');
    if (charCount(l.text.trim()) > SUBTITLE_MAX) return t('pack.tooLong', { over: charCount(l.text.trim()) - SUBTITLE_MAX, max: SUBTITLE_MAX });
    return null;
  };
  const invalid = !!rangeError || lines.some((l) => !!lineError(l));

  const update = (key: number, patch: Partial<Line>) => setLines((ls) => ls.map((l) => (l.key === key ? { ...l, ...patch } : l)));
  const addLine = () => {
    const last = lines.at(-1);
    const from = last ? (secs(last.end) ?? 0) : 0;
    setLines((ls) => [...ls, { key: nextKey, start: round1(from), end: round1(Math.min(from + 3, length ?? from + 3)), text: '' }]);
    setNextKey((k) => k + 1);
  };

  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    if (invalid || busy || s === null || e === null) return;
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const edit = await requestEdit(id, {
        startSeconds: s,
        endSeconds: e,
        mode,
        subtitles: lines.map((l) => ({ startSeconds: secs(l.start)!, endSeconds: secs(l.end)!, text: l.text.trim() })),
      });
      qc.setQueryData<DeskEdit[]>(packagingKeys.edits(id), (old) => [edit, ...(old ?? []).filter((x) => x.id !== edit.id)]);
      setDone(t('trim.requested'));
    } catch (x) {
      setError(errorMessage(x));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="desk-panel trim" aria-labelledby="trim-h">
      <h2 id="trim-h">{t('trim.title')}</h2>
      <form onSubmit={(ev) => void submit(ev)} noValidate>
        <div className="trim-range">
          <div className={`field${rangeError && s === null ? ' field-invalid' : ''}`}>
            <label htmlFor="trim-start">{t('trim.start')}</label>
            <div className="input-with-btn">
              <input id="trim-start" type="number" inputMode="decimal" min={0} step={0.1} value={start} onChange={(x) => setStart(x.target.value)} />
              <button type="button" className="btn btn-secondary btn-sm" onClick={() => setStart(round1(currentTime()))}>
                {t('trim.fromPlayer')}
                <span className="sr-only"> ({t('trim.start')})</span>
              </button>
            </div>
          </div>
          <div className={`field${rangeError && s !== null ? ' field-invalid' : ''}`}>
            <label htmlFor="trim-end">{t('trim.end')}</label>
            <div className="input-with-btn">
              <input
                id="trim-end"
                type="number"
                inputMode="decimal"
                min={0}
                step={0.1}
                value={end}
                onChange={(x) => setEnd(x.target.value)}
                aria-invalid={rangeError ? true : undefined}
                aria-describedby={rangeError ? 'trim-range-err' : undefined}
              />
              <button type="button" className="btn btn-secondary btn-sm" onClick={() => setEnd(round1(currentTime()))}>
                {t('trim.fromPlayer')}
                <span className="sr-only"> ({t('trim.end')})</span>
              </button>
            </div>
          </div>
        </div>
        {rangeError ? (
          <p id="trim-range-err" className="field-error">
            {rangeError}
          </p>
        ) : (
          <p className="muted small">{t('trim.length', { length: formatClock(length!) })}</p>
        )}

        <fieldset className="subtitle-lines">
          <legend>{t('trim.subtitles')}</legend>
          <p className="muted small">{t('trim.relative')}</p>
          {lines.length ? (
            <table className="data-table subtitle-table">
              <thead>
                <tr>
                  <th scope="col">{t('trim.lineStart')}</th>
                  <th scope="col">{t('trim.lineEnd')}</th>
                  <th scope="col">{t('trim.lineText')}</th>
                  <th scope="col">
                    <span className="sr-only">{t('common.remove')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {lines.map((l, i) => {
                  const err = lineError(l);
                  const n = i + 1;
                  return (
                    <tr key={l.key}>
                      <td>
                        <input
                          type="number"
                          min={0}
                          step={0.1}
                          value={l.start}
                          onChange={(x) => update(l.key, { start: x.target.value })}
                          aria-label={t('trim.lineStartN', { n })}
                        />
                      </td>
                      <td>
                        <input
                          type="number"
                          min={0}
                          step={0.1}
                          value={l.end}
                          onChange={(x) => update(l.key, { end: x.target.value })}
                          aria-label={t('trim.lineEndN', { n })}
                        />
                      </td>
                      <td>
                        <input
                          type="text"
                          value={l.text}
                          onChange={(x) => update(l.key, { text: x.target.value })}
                          aria-label={t('trim.lineTextN', { n })}
                          aria-invalid={err ? true : undefined}
                          aria-describedby={err ? `line-err-${l.key}` : undefined}
                        />
                        {err ? (
                          <p id={`line-err-${l.key}`} className="field-error small">
                            {err}
                          </p>
                        ) : null}
                      </td>
                      <td>
                        <button type="button" className="btn btn-ghost btn-sm" onClick={() => setLines((ls) => ls.filter((x) => x.key !== l.key))}>
                          {t('common.remove')}
                          <span className="sr-only"> {t('trim.lineN', { n })}</span>
                        </button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          ) : (
            <p className="muted small">{t('trim.noLines')}</p>
          )}
          <button type="button" className="btn btn-secondary btn-sm" onClick={addLine}>
            {t('trim.addLine')}
          </button>
        </fieldset>

        <fieldset className="mode-picker">
          <legend>{t('trim.mode')}</legend>
          <label>
            <input type="radio" name="trim-mode" value="vtt" checked={mode === 'vtt'} onChange={() => setMode('vtt')} /> {t('trim.modeVtt')}
          </label>
          <label>
            <input type="radio" name="trim-mode" value="burn" checked={mode === 'burn'} onChange={() => setMode('burn')} /> {t('trim.modeBurn')}
          </label>
        </fieldset>
        {error ? <Alert>{error}</Alert> : null}
        {done ? <Alert tone="success">{done}</Alert> : null}
        <button type="submit" className="btn btn-primary btn-sm" disabled={invalid || busy}>
          {busy ? t('trim.submitting') : t('trim.submit')}
        </button>
      </form>

      <h3 className="versions-h">{t('trim.versions')}</h3>
      {edits.isPending ? <p className="muted small">{t('common.loading')}</p> : null}
      {edits.isError ? <Alert>{errorMessage(edits.error)}</Alert> : null}
      {edits.data && edits.data.length === 0 ? <p className="muted small">{t('trim.noVersions')}</p> : null}
      <ol className="versions">
        {edits.data?.map((v) => (
          <li key={v.id} className="version">
            <p className="version-head">
              <span className={`badge badge-edit-${v.status}`}>{t(`trim.status.${v.status}`)}</span>{' '}
              <span>
                {t('trim.versionRange', { from: formatClock(v.startSeconds), to: formatClock(v.endSeconds) })} ·{' '}
                {v.mode === 'burn' ? t('trim.modeBurn') : t('trim.modeVtt')} · {t('trim.lineCount', { count: v.subtitles.length })}
              </span>{' '}
              <time className="muted small" dateTime={v.createdAt}>
                {formatDateTime(v.createdAt, i18n.language)}
              </time>
            </p>
            {v.status === 'failed' && v.error ? <Alert>{v.error}</Alert> : null}
            {v.status === 'ready' && v.playbackUrl ? (
              <div className="version-body">
                <VideoPlayer
                  src={v.playbackUrl}
                  title={t('trim.versionTitle', { title, from: formatClock(v.startSeconds), to: formatClock(v.endSeconds) })}
                  subtitles={v.mode === 'vtt' && v.subtitlesUrl ? { url: v.subtitlesUrl, label: t('trim.subtitleTrack'), lang: i18n.language } : undefined}
                />
                <p className="small">
                  {v.mp4Url ? (
                    <a href={v.mp4Url} download>
                      {t('trim.download')}
                    </a>
                  ) : null}
                  {v.subtitlesUrl ? (
                    <>
                      {' · '}
                      <a href={v.subtitlesUrl} download>
                        {t('trim.downloadVtt')}
                      </a>
                    </>
                  ) : null}
                </p>
              </div>
            ) : null}
          </li>
        ))}
      </ol>
    </section>
  );
}
