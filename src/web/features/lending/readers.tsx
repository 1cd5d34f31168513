import { useEffect, useRef, useState, type RefObject } from 'react';
import type { FoliateView } from 'foliate-js/view.js';
import type { PDFDocumentProxy } from 'pdfjs-dist';
import { useTranslation } from 'react-i18next';

/** Where the reader is: an EPUB CFI or `page=N` for a PDF, and how far through (0–1). */
export interface Place {
  locator: string;
  progress: number;
}

/**
 * EPUB with foliate-js (docs/lending.md "Reading"). The file was fetched once with the loan's
 * short-lived token; foliate-js renders each section in a sandboxed blob: frame that inherits
 * the reader page's Content-Security-Policy (`script-src 'self'`), so a book's scripts, which
 * the server already strips, could not run even if one slipped through.
 */
export function EpubReader({ file, start, onPlace }: { file: Blob; start: string | null; onPlace: (p: Place) => void }) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<FoliateView | null>(null);
  const place = useRef(onPlace);
  place.current = onPlace;
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let cancelled = false;
    let v: FoliateView | null = null;
    void (async () => {
      try {
        await import('foliate-js/view.js');
        if (cancelled || !host.current) return;
        v = document.createElement('foliate-view') as unknown as FoliateView;
        v.className = 'reader-view';
        host.current.append(v);
        await v.open(new File([file], 'book.epub', { type: 'application/epub+zip' }));
        // Only the reader's own moves are a new place: opening at the saved place on a screen of
        // another size lands on a page that starts earlier, and must not move the saved place back.
        v.renderer.addEventListener('relocate', (e) => {
          const reason = (e as CustomEvent<{ reason?: string }>).detail?.reason;
          if (reason !== 'page' && reason !== 'snap' && reason !== 'scroll') return;
          const d = v?.lastLocation;
          if (d?.cfi) place.current({ locator: d.cfi, progress: Math.min(1, Math.max(0, d.fraction ?? 0)) });
        });
        await v.init({ lastLocation: start, showTextStart: !start });
        view.current = v;
      } catch {
        if (!cancelled) setFailed(true);
      }
    })();
    return () => {
      cancelled = true;
      view.current = null;
      v?.close();
      v?.remove();
    };
    // The book and where it opens are fixed for this reader's life (`start` is read once).
  }, [file]);
  return <ReaderFrame failed={failed} host={host} onPrev={() => void view.current?.prev()} onNext={() => void view.current?.next()} />;
}

/** PDF with pdf.js: the whole file (fetched once: a token outlives no loan), one page at a time on a canvas. */
export function PdfReader({ file, start, onPlace }: { file: Blob; start: string | null; onPlace: (p: Place) => void }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const doc = useRef<PDFDocumentProxy | null>(null);
  const [page, setPage] = useState(() => Math.max(1, Number(/^page=(\d+)$/.exec(start ?? '')?.[1] ?? 1)));
  const [pages, setPages] = useState(0);
  const [failed, setFailed] = useState(false);
  const place = useRef(onPlace);
  place.current = onPlace;
  useEffect(() => {
    let cancelled = false;
    void (async () => {
      try {
        const [pdfjs, worker] = await Promise.all([import('pdfjs-dist'), import('pdfjs-dist/build/pdf.worker.min.mjs?url')]);
        pdfjs.GlobalWorkerOptions.workerSrc = worker.default;
        // No eval (the page's CSP forbids it anyway), no scripting: a PDF's actions never run.
        const d = await pdfjs.getDocument({ data: new Uint8Array(await file.arrayBuffer()), isEvalSupported: false, enableXfa: false }).promise;
        if (cancelled) return void d.destroy();
        doc.current = d;
        setPages(d.numPages);
      } catch {
        if (!cancelled) setFailed(true);
      }
    })();
    return () => {
      cancelled = true;
      void doc.current?.destroy();
      doc.current = null;
    };
  }, [file]);
  useEffect(() => {
    const d = doc.current;
    const c = canvas.current;
    if (!d || !c || pages === 0) return;
    const n = Math.min(Math.max(1, page), pages);
    let task: { cancel(): void; promise: Promise<void> } | null = null;
    void d
      .getPage(n)
      .then((p) => {
        const width = c.parentElement?.clientWidth ?? 360;
        const base = p.getViewport({ scale: 1 });
        const scale = (width / base.width) * (window.devicePixelRatio || 1);
        const viewport = p.getViewport({ scale });
        c.width = Math.floor(viewport.width);
        c.height = Math.floor(viewport.height);
        c.style.width = `${width}px`;
        task = p.render({ canvas: c, viewport });
        return task.promise.then(() => place.current({ locator: `page=${n}`, progress: pages > 1 ? (n - 1) / (pages - 1) : 1 }));
      })
      .catch(() => undefined);
    return () => task?.cancel();
  }, [page, pages]);
  const { t } = useTranslation();
  return (
    <div className="reader-pdf">
      <canvas ref={canvas} aria-label={t('lending.pdfPage', { page, pages })} role="img" />
      <ReaderFrame
        failed={failed}
        label={pages ? `${page} / ${pages}` : null}
        onPrev={() => setPage((p) => Math.max(1, p - 1))}
        onNext={() => setPage((p) => Math.min(pages || 1, p + 1))}
      />
    </div>
  );
}

function ReaderFrame({
  failed,
  host,
  label,
  onPrev,
  onNext,
}: {
  failed: boolean;
  host?: RefObject<HTMLDivElement | null>;
  label?: string | null;
  onPrev: () => void;
  onNext: () => void;
}) {
  const { t } = useTranslation();
  if (failed) return <p role="alert">{t('lending.readFailed')}</p>;
  return (
    <>
      {host ? <div ref={host} className="reader-host" data-testid="epub-host" /> : null}
      <div className="reader-controls">
        <button type="button" onClick={onPrev}>
          {t('lending.prevPage')}
        </button>
        {label ? <span data-testid="reader-page">{label}</span> : null}
        <button type="button" onClick={onNext}>
          {t('lending.nextPage')}
        </button>
      </div>
    </>
  );
}
