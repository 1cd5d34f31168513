import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { initI18n } from './i18n/index.js';
import { queryClient, router } from './router.js';
import { isChunkLoadError, reloadOnceForChunkError } from './routes/boundaries.js';
import './styles.css';

// Move focus to the page on client-side navigation so screen readers announce the new page.
router.subscribe('onResolved', ({ fromLocation, toLocation }) => {
  if (fromLocation && fromLocation.pathname !== toLocation.pathname) {
    requestAnimationFrame(() => document.getElementById('main')?.focus({ preventScroll: true }));
  }
});

// A chunk that fails outside a route (a preload on hover, the other language's catalogue):
// Vite reports it here; the same once-only reload as RouteError's.
window.addEventListener('vite:preloadError', (e) => {
  if (reloadOnceForChunkError()) e.preventDefault();
});

// The server's loading shell stays in #root until the active catalogue is in.
void initI18n().then(
  () => {
    createRoot(document.getElementById('root')!).render(
      <StrictMode>
        <QueryClientProvider client={queryClient}>
          <RouterProvider router={router} />
        </QueryClientProvider>
      </StrictMode>,
    );
  },
  (e: unknown) => {
    if (isChunkLoadError(e)) reloadOnceForChunkError();
    throw e;
  },
);
