import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { initI18n } from './i18n/index.js';
import { queryClient, router } from './router.js';
import { isChunkLoadError, reloadOnceForChunkError } from './routes/boundaries.js';
import './styles.css';
import './features/pwa/register.js';

// Move focus to the page on client-side navigation so screen readers announce the new page.
router.subscribe('onResolved', ({ fromLocation, toLocation }) => {
  if (fromLocation && fromLocation.pathname !== toLocation.pathname) {
    requestAnimationFrame(() => document.getElementById('main')?.focus({ preventScroll: true }));
  }
});

/** No catalogue means no words to say it in: both languages, built without React. */
function startFailed(): void {
  const root = document.getElementById('root')!;
  const box = document.createElement('div');
  box.className = 'panel start-failed';
  box.setAttribute('role', 'alert');
  const p = document.createElement('p');
  p.textContent = '页面没能加载，请检查网络后重试。 Paike could not load; check your connection and try again.';
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'btn btn-primary';
  b.textContent = '重新加载 · Reload';
  b.addEventListener('click', () => window.location.reload());
  box.append(p, b);
  root.replaceChildren(box);
}

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
    if (isChunkLoadError(e) && reloadOnceForChunkError()) return;
    startFailed();
    throw e;
  },
);
