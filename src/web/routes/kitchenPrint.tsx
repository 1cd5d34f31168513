import { useState } from 'react';
import { getRouteApi } from '@tanstack/react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../api/client.js';
import { kitchenPrintKeys, printLinks, requestRender, usePrintState, type PrintRenderState } from '../api/kitchenPrint.js';
import { KitchenNav } from '../features/kitchen/KitchenNav.js';
import { EDITORS } from '../features/desk/deskUi.js';
import { Alert } from '../ui/Field.js';
import { ErrorState, Loading, RequireRole, useTitle } from '../ui/common.js';
import { formatDateTime } from '../ui/format.js';

const routeApi = getRouteApi('/kitchen/stories/$id/print');

function StatusLine({ state }: { state: PrintRenderState }) {
  const { t, i18n } = useTranslation();
  const busy = state.status === 'queued' || state.status === 'rendering';
  return (
    <div className="k-print-status" aria-live="polite">
      <p>
        <strong>{t(`kitchenPrint.status.${state.status}`)}</strong>
        {busy ? <progress className="k-print-progress" aria-label={t('kitchenPrint.rendering')} /> : null}
        {state.status === 'done' && state.finishedAt ? (
          <span className="muted small">
            {' '}
            {t('kitchenPrint.doneAt', { at: formatDateTime(state.finishedAt, i18n.language), seconds: ((state.renderMs ?? 0) / 1000).toFixed(1) })}
          </span>
        ) : null}
      </p>
      <p className="muted small">{t(state.source === 'form' ? 'kitchenPrint.sourceForm' : 'kitchenPrint.sourceStory')}</p>
      {state.stale ? <Alert tone="info">{t('kitchenPrint.stale', { version: state.storyVersion ?? '—' })}</Alert> : null}
      {state.status === 'failed' && state.error ? (
        <Alert>
          {state.error.message} <code className="small">{state.error.code}</code>
        </Alert>
      ) : null}
    </div>
  );
}

function PrintPanel({ storyId }: { storyId: string }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const q = usePrintState(storyId);
  const [error, setError] = useState<string | null>(null);
  const [asking, setAsking] = useState(false);
  const [previewKey, setPreviewKey] = useState(0);
  const links = printLinks(storyId);
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  const state = q.data;
  const busy = asking || state.status === 'queued' || state.status === 'rendering';
  async function render() {
    setError(null);
    setAsking(true);
    try {
      qc.setQueryData(kitchenPrintKeys.state(storyId), await requestRender(storyId));
      setPreviewKey((k) => k + 1);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setAsking(false);
    }
  }
  return (
    <div className="k-print-layout">
      <section className="k-print-side" aria-labelledby="k-print-actions">
        <h2 id="k-print-actions">{t('kitchenPrint.pdfTitle')}</h2>
        <StatusLine state={state} />
        {error ? <Alert>{error}</Alert> : null}
        <div className="actions">
          <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void render()}>
            {busy ? t('kitchenPrint.rendering') : state.pdfUrl ? t('kitchenPrint.renderAgain') : t('kitchenPrint.render')}
          </button>
          {state.pdfUrl ? (
            <a className="btn" href={state.pdfUrl} download>
              {t('kitchenPrint.download')}
            </a>
          ) : null}
        </div>
        <h2>{t('kitchenPrint.exportsTitle')}</h2>
        <p className="muted small">{t('kitchenPrint.exportsIntro')}</p>
        <ul className="k-print-exports">
          <li>
            <a href={links.newsml} download>
              {t('kitchenPrint.newsml')}
            </a>
          </li>
          <li>
            <a href={links.ninjs} download={`story-${storyId.slice(0, 8)}.ninjs.json`}>
              {t('kitchenPrint.ninjs')}
            </a>
          </li>
        </ul>
      </section>
      <section className="k-print-preview" aria-labelledby="k-print-preview-title">
        <div className="k-print-preview-head">
          <h2 id="k-print-preview-title">{t('kitchenPrint.previewTitle')}</h2>
          <button type="button" className="btn btn-small" onClick={() => setPreviewKey((k) => k + 1)}>
            {t('kitchenPrint.refreshPreview')}
          </button>
        </div>
        {/* No script, no forms, no navigation: the preview is a document to look at (its own CSP says the same). */}
        <iframe key={previewKey} className="k-print-frame" src={links.preview} sandbox="" title={t('kitchenPrint.previewTitle')} />
      </section>
    </div>
  );
}

export function StoryPrintPage() {
  const { t } = useTranslation();
  const { id } = routeApi.useParams();
  useTitle(t('kitchenPrint.title'));
  return (
    <RequireRole roles={EDITORS}>
      {(me) => (
        <div className="staff k-print-page">
          <KitchenNav me={me} />
          <p>
            <a href={`/kitchen/stories/${encodeURIComponent(id)}`}>{t('kitchenPrint.backToStory')}</a>
          </p>
          <h1>{t('kitchenPrint.title')}</h1>
          <p className="muted">{t('kitchenPrint.intro')}</p>
          <PrintPanel storyId={id} />
        </div>
      )}
    </RequireRole>
  );
}
