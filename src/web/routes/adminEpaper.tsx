import { useEffect, useRef, useState, type FormEvent, type PointerEvent as ReactPointerEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { AdminEdition, EpaperPage, ImportZonesReply } from '../../contracts/epaper.js';
import { api, errorMessage, uploadWithProgress } from '../api/client.js';
import { Alert } from '../ui/Field.js';
import { ErrorState, Loading, RequireRole, useTitle } from '../ui/common.js';
import { formatDateTime } from '../ui/format.js';
import { AdminNav } from './adminCampaigns.js';

/**
 * `/admin/epaper` (docs/epaper.md): upload today's newspaper as a PDF (with progress, then the
 * render's status), mark its articles as zones on each page (drawn by dragging, or imported from
 * the central kitchen's print forms where Paike made the page), then publish it to the kiosks.
 */
const editionsKey = ['epaper', 'admin', 'editions'] as const;
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());

interface DraftZone {
  id?: string;
  x: number;
  y: number;
  w: number;
  h: number;
  headline: string;
  text: string;
}

export function AdminEpaperPage() {
  const { t } = useTranslation();
  useTitle(t('epaperAdmin.title'));
  return (
    <RequireRole roles={['chief_editor', 'admin']}>
      {() => (
        <div className="staff">
          <AdminNav />
          <h1>{t('epaperAdmin.title')}</h1>
          <Body />
        </div>
      )}
    </RequireRole>
  );
}

function Body() {
  const { t, i18n } = useTranslation();
  const q = useQuery({
    queryKey: editionsKey,
    queryFn: () => api<{ editions: AdminEdition[] }>('/api/admin/epaper/editions'),
    // While a render runs, its status is polled.
    refetchInterval: (query) => (query.state.data?.editions.some((e) => e.status === 'processing') ? 2000 : false),
  });
  const [openId, setOpenId] = useState<string | null>(null);
  const open = q.data?.editions.find((e) => e.id === openId) ?? null;
  return (
    <>
      <Upload onUploaded={setOpenId} />
      <section aria-labelledby="epaper-list-h">
        <h2 id="epaper-list-h">{t('epaperAdmin.editions')}</h2>
        {q.isPending ? <Loading /> : null}
        {q.isError ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : null}
        {q.data?.editions.length === 0 ? <p className="muted">{t('epaperAdmin.none')}</p> : null}
        {q.data?.editions.length ? (
          <div className="table-wrap">
            <table className="data-table">
              <caption className="sr-only">{t('epaperAdmin.editions')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('epaperAdmin.date')}</th>
                  <th scope="col">{t('epaperAdmin.paper')}</th>
                  <th scope="col">{t('epaperAdmin.status')}</th>
                  <th scope="col">{t('epaperAdmin.pages')}</th>
                  <th scope="col">{t('epaperAdmin.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {q.data.editions.map((e) => (
                  <tr key={e.id}>
                    <th scope="row">{e.date}</th>
                    <td>{e.title}</td>
                    <td data-testid="epaper-status">
                      {t(`epaperAdmin.statuses.${e.status}`)}
                      {e.error ? ` · ${e.error.message}` : ''}
                      {e.publishedAt ? ` · ${formatDateTime(e.publishedAt, i18n.language)}` : ''}
                    </td>
                    <td>{e.pageCount}</td>
                    <td>
                      {e.status === 'ready' || e.status === 'published' ? (
                        <button type="button" className="btn btn-secondary btn-sm" onClick={() => setOpenId(e.id)}>
                          {t('epaperAdmin.open')}
                        </button>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
      {open ? <EditionEditor key={open.id} edition={open} onClose={() => setOpenId(null)} /> : null}
    </>
  );
}

/** The PDF goes up with a progress bar (XMLHttpRequest: fetch cannot report upload progress). */
function Upload({ onUploaded }: { onUploaded: (id: string) => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [date, setDate] = useState(today);
  const [title, setTitle] = useState('人民日报');
  const [labels, setLabels] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!file) return setError(t('epaperAdmin.pickFile'));
    setError(null);
    const params = new URLSearchParams({ date, title });
    if (labels.trim()) params.set('labels', labels.trim());
    setProgress(0);
    uploadWithProgress<{ id: string }>(`/api/admin/epaper/editions?${params.toString()}`, file, 'application/pdf', setProgress)
      .then((r) => {
        setFile(null);
        void qc.invalidateQueries({ queryKey: editionsKey });
        onUploaded(r.id);
      })
      .catch((err: unknown) => setError(errorMessage(err)))
      .finally(() => setProgress(null));
  };
  return (
    <form onSubmit={submit} noValidate className="panel inline-form" aria-labelledby="epaper-up-h">
      <h2 id="epaper-up-h">{t('epaperAdmin.upload')}</h2>
      {error ? <Alert>{error}</Alert> : null}
      <div className="grid-2">
        <div className="field">
          <label htmlFor="ep-date">{t('epaperAdmin.date')}</label>
          <input id="ep-date" type="date" value={date} onChange={(e) => setDate(e.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor="ep-title">{t('epaperAdmin.paper')}</label>
          <input id="ep-title" value={title} maxLength={80} onChange={(e) => setTitle(e.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor="ep-labels">{t('epaperAdmin.labels')}</label>
          <input id="ep-labels" value={labels} placeholder="第01版 要闻|第02版 要闻" onChange={(e) => setLabels(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="ep-file">{t('epaperAdmin.file')}</label>
          <input id="ep-file" type="file" accept="application/pdf" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </div>
      </div>
      {progress !== null ? <progress max={1} value={progress} aria-label={t('epaperAdmin.uploading')} /> : null}
      <button type="submit" className="btn btn-primary" disabled={progress !== null}>
        {t('epaperAdmin.uploadButton')}
      </button>
    </form>
  );
}

function EditionEditor({ edition, onClose }: { edition: AdminEdition; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [pageIndex, setPageIndex] = useState(0);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const page = edition.pages[Math.min(pageIndex, edition.pages.length - 1)];
  const act = async (fn: () => Promise<unknown>, done: string) => {
    setError(null);
    setMessage(null);
    try {
      await fn();
      setMessage(done);
      await qc.invalidateQueries({ queryKey: editionsKey });
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  return (
    <section className="panel epaper-editor" aria-label={t('epaperAdmin.editing', { title: edition.title, date: edition.date })}>
      <h2>{t('epaperAdmin.editing', { title: edition.title, date: edition.date })}</h2>
      {error ? <Alert>{error}</Alert> : null}
      {message ? <p role="status">{message}</p> : null}
      <div className="btn-row">
        {edition.status === 'ready' ? (
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => void act(() => api(`/api/admin/epaper/editions/${edition.id}/publish`, { method: 'POST' }), t('epaperAdmin.published'))}
          >
            {t('epaperAdmin.publish')}
          </button>
        ) : null}
        <button type="button" className="btn btn-ghost" onClick={onClose}>
          {t('epaperAdmin.close')}
        </button>
      </div>
      <div className="sub-nav" role="group" aria-label={t('epaperAdmin.pages')}>
        {edition.pages.map((p, i) => (
          <button key={p.id} type="button" className="btn btn-ghost btn-sm" aria-pressed={i === pageIndex} onClick={() => setPageIndex(i)}>
            {p.label}
          </button>
        ))}
      </div>
      {page ? <PageZones key={page.id} page={page} onSaved={() => void qc.invalidateQueries({ queryKey: editionsKey })} /> : null}
    </section>
  );
}

/** One page: drag on it to draw a zone; each zone has a headline (and optional text); save replaces the page's list. */
function PageZones({ page, onSaved }: { page: EpaperPage; onSaved: () => void }) {
  const { t } = useTranslation();
  const [zones, setZones] = useState<DraftZone[]>(() =>
    page.zones.map((z) => ({ id: z.id, x: z.x, y: z.y, w: z.w, h: z.h, headline: z.headline, text: z.text ?? '' })),
  );
  const [drag, setDrag] = useState<{ x0: number; y0: number; x: number; y: number } | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const first = useRef<HTMLInputElement>(null);
  const [focusNew, setFocusNew] = useState(false);
  useEffect(() => {
    if (focusNew) first.current?.focus();
    setFocusNew(false);
  }, [focusNew]);
  const at = (e: ReactPointerEvent) => {
    const r = box.current!.getBoundingClientRect();
    return { x: Math.min(1, Math.max(0, (e.clientX - r.left) / r.width)), y: Math.min(1, Math.max(0, (e.clientY - r.top) / r.height)) };
  };
  const rect = (d: { x0: number; y0: number; x: number; y: number }) => ({
    x: Math.min(d.x0, d.x),
    y: Math.min(d.y0, d.y),
    w: Math.abs(d.x - d.x0),
    h: Math.abs(d.y - d.y0),
  });
  const save = async () => {
    setError(null);
    setStatus(null);
    try {
      await api(`/api/admin/epaper/pages/${page.id}/zones`, {
        method: 'PUT',
        body: {
          zones: zones.map((z) => ({
            ...(z.id ? { id: z.id } : {}),
            x: z.x,
            y: z.y,
            w: z.w,
            h: z.h,
            headline: z.headline.trim(),
            text: z.text.trim() || null,
          })),
        },
      });
      setStatus(t('epaperAdmin.saved', { n: zones.length }));
      onSaved();
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  const importForms = async () => {
    setError(null);
    setStatus(null);
    try {
      const r = await api<ImportZonesReply>(`/api/admin/epaper/pages/${page.id}/zones/import`, { method: 'POST', body: {} });
      setStatus(t('epaperAdmin.imported', { placed: r.placed.length, unplaced: r.unplaced.length }));
      setZones(r.page.zones.map((z) => ({ id: z.id, x: z.x, y: z.y, w: z.w, h: z.h, headline: z.headline, text: z.text ?? '' })));
      onSaved();
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  const draft = drag ? rect(drag) : null;
  return (
    <div className="epaper-page-editor">
      <div
        ref={box}
        className="epaper-canvas"
        data-testid="epaper-canvas"
        style={{ aspectRatio: `${page.width} / ${page.height}` }}
        onPointerDown={(e) => {
          (e.target as HTMLElement).setPointerCapture?.(e.pointerId);
          const p = at(e);
          setDrag({ x0: p.x, y0: p.y, ...p });
        }}
        onPointerMove={(e) => drag && setDrag({ ...drag, ...at(e) })}
        onPointerUp={() => {
          if (!drag) return;
          const r = rect(drag);
          setDrag(null);
          // A click is not a zone: at least 2 % of the page each way.
          if (r.w < 0.02 || r.h < 0.02) return;
          setZones((zs) => [{ ...r, headline: '', text: '' }, ...zs]);
          setFocusNew(true);
        }}
      >
        <img src={page.imageUrl} alt={page.label} draggable={false} />
        {zones.map((z, i) => (
          <span
            key={z.id ?? `new-${i}`}
            className="epaper-zone"
            style={{ left: `${z.x * 100}%`, top: `${z.y * 100}%`, width: `${z.w * 100}%`, height: `${z.h * 100}%` }}
          >
            {i + 1}
          </span>
        ))}
        {draft ? (
          <span
            className="epaper-zone epaper-zone-draft"
            style={{ left: `${draft.x * 100}%`, top: `${draft.y * 100}%`, width: `${draft.w * 100}%`, height: `${draft.h * 100}%` }}
          />
        ) : null}
      </div>
      <div className="epaper-zone-list">
        <p className="muted">{t('epaperAdmin.drawHint')}</p>
        {error ? <Alert>{error}</Alert> : null}
        {status ? <p role="status">{status}</p> : null}
        <ol>
          {zones.map((z, i) => (
            <li key={z.id ?? `new-${i}`}>
              <label>
                {t('epaperAdmin.headline', { n: i + 1 })}
                <input
                  ref={i === 0 ? first : undefined}
                  value={z.headline}
                  maxLength={200}
                  onChange={(e) => setZones((zs) => zs.map((x, j) => (j === i ? { ...x, headline: e.target.value } : x)))}
                />
              </label>
              <label>
                {t('epaperAdmin.text')}
                <textarea
                  rows={2}
                  value={z.text}
                  maxLength={4000}
                  onChange={(e) => setZones((zs) => zs.map((x, j) => (j === i ? { ...x, text: e.target.value } : x)))}
                />
              </label>
              <button type="button" className="btn btn-ghost btn-sm" onClick={() => setZones((zs) => zs.filter((_, j) => j !== i))}>
                {t('common.remove')}
              </button>
            </li>
          ))}
        </ol>
        <div className="btn-row">
          <button type="button" className="btn btn-primary" onClick={() => void save()}>
            {t('epaperAdmin.save')}
          </button>
          <button type="button" className="btn btn-secondary" onClick={() => void importForms()}>
            {t('epaperAdmin.import')}
          </button>
        </div>
      </div>
    </div>
  );
}
