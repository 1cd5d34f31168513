import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useRouter, type ErrorComponentProps } from '@tanstack/react-router';
import { errorMessage } from '../api/client.js';
import { Alert } from '../ui/Field.js';
import { Loading } from '../ui/common.js';

/** Shown while a page's chunk (or its data) is on its way. */
export function RoutePending() {
  return <Loading />;
}

const RELOAD_KEY = 'paike.chunkReload';
// Long enough that a reload which fails the same way shows the message instead of looping.
const RELOAD_GUARD_MS = 60_000;

/**
 * A page's chunk failed to load: the browser holds an index from before a deploy that removed
 * the old chunks, or the network dropped mid-download. Chrome, Firefox and Safari word it
 * differently; Vite's own preload helper adds its CSS variant.
 */
export function isChunkLoadError(e: unknown): boolean {
  const msg = e instanceof Error ? `${e.name} ${e.message}` : String(e);
  return /dynamically imported module|Importing a module script failed|error loading dynamically imported|Unable to preload CSS|ChunkLoadError/i.test(msg);
}

/** Reloads once per guard window; false when a reload already happened in it (so show the message). */
export function reloadOnceForChunkError(): boolean {
  try {
    const last = Number(sessionStorage.getItem(RELOAD_KEY) ?? 0);
    if (Date.now() - last < RELOAD_GUARD_MS) return false;
    sessionStorage.setItem(RELOAD_KEY, String(Date.now()));
  } catch {
    // Without storage there is no loop guard; let the person choose to reload.
    return false;
  }
  window.location.reload();
  return true;
}

// lazyRouteComponent already reloads once for these (keyed by the message in sessionStorage);
// reaching RouteError with one means that reload happened and failed again.
const RELOADED_BY_ROUTER = /^(Failed to fetch dynamically imported module|error loading dynamically imported module|Importing a module script failed)/;

export function RouteError({ error, reset }: ErrorComponentProps) {
  const { t } = useTranslation();
  const router = useRouter();
  const chunk = isChunkLoadError(error);
  const reloadedAlready = error instanceof Error && RELOADED_BY_ROUTER.test(error.message);
  useEffect(() => {
    if (chunk && !reloadedAlready) reloadOnceForChunkError();
  }, [chunk, reloadedAlready]);
  return (
    <section className="panel">
      <Alert>
        <p>{chunk ? t('common.chunkFailed') : errorMessage(error)}</p>
        {chunk ? (
          <button type="button" className="btn btn-primary" onClick={() => window.location.reload()}>
            {t('common.reload')}
          </button>
        ) : (
          <button
            type="button"
            className="btn btn-secondary"
            onClick={() => {
              reset();
              void router.invalidate();
            }}
          >
            {t('common.retry')}
          </button>
        )}
      </Alert>
    </section>
  );
}
