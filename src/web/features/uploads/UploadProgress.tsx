import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Alert } from '../../ui/Field.js';
import { formatMB } from './media.js';
import type { UploadSnapshot } from './uploadQueue.js';

/** One progress bar for an upload (of one or several files), with Pause / Resume. */
export function UploadProgress({ snap, onPause, onResume }: { snap: UploadSnapshot; onPause: () => void; onResume: () => void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const box = useRef<HTMLElement>(null);
  // The form above is long on a phone: bring the bar and its Pause button into view once.
  useEffect(() => {
    box.current?.scrollIntoView({ block: 'nearest' });
  }, []);
  const percent = snap.total > 0 ? Math.min(100, Math.floor((snap.sent / snap.total) * 100)) : 0;
  const phaseText =
    snap.phase === 'offline'
      ? t('upload.offline')
      : snap.phase === 'paused'
        ? t('upload.paused')
        : snap.phase === 'done'
          ? t('upload.done')
          : snap.phase === 'error'
            ? t('upload.failed')
            : snap.fileCount > 1
              ? t('upload.uploadingClip', { n: snap.fileIndex + 1, count: snap.fileCount })
              : t('upload.uploading');
  return (
    <section ref={box} className="card upload-progress" aria-labelledby="upload-h">
      <h2 id="upload-h">{t('upload.progressTitle')}</h2>
      <p className="upload-phase" role="status" aria-live="polite">
        <strong>{phaseText}</strong>
      </p>
      <progress max={100} value={percent} aria-label={t('upload.progressLabel')} aria-valuetext={t('upload.percent', { percent })} className="upload-bar" />
      <p className="upload-figures">
        <span className="upload-percent">{t('upload.percent', { percent })}</span>
        <span>{t('upload.sentOf', { sent: formatMB(snap.sent, lang), total: formatMB(snap.total, lang) })}</span>
        {snap.phase === 'uploading' && snap.bytesPerSecond !== null ? <span>{t('upload.speed', { speed: formatMB(snap.bytesPerSecond, lang) })}</span> : null}
      </p>
      {snap.phase === 'offline' ? <Alert tone="info">{t('upload.offlineHint')}</Alert> : null}
      {snap.phase === 'error' && snap.error ? <Alert>{snap.error}</Alert> : null}
      <div className="upload-actions">
        {snap.phase === 'uploading' || snap.phase === 'offline' ? (
          <button type="button" className="btn btn-secondary btn-block" onClick={onPause}>
            {t('upload.pause')}
          </button>
        ) : null}
        {snap.phase === 'paused' || snap.phase === 'error' ? (
          <button type="button" className="btn btn-primary btn-block" onClick={onResume}>
            {snap.phase === 'error' ? t('common.retry') : t('upload.resume')}
          </button>
        ) : null}
      </div>
    </section>
  );
}
