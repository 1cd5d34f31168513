import { createRootRouteWithContext, Link, Outlet } from '@tanstack/react-router';
import type { QueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { TabBar } from '../ui/TabBar.js';
import { Header, useTitle } from '../ui/common.js';
import { PwaNotices } from '../features/pwa/PwaNotices.js';

export interface RouterContext {
  queryClient: QueryClient;
}

function RootLayout() {
  const { t } = useTranslation();
  return (
    <>
      <Header />
      <PwaNotices />
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
      <footer className="site-footer">
        <p>{t('app.footer')}</p>
      </footer>
      <TabBar />
    </>
  );
}

function NotFound() {
  const { t } = useTranslation();
  useTitle(t('common.notFound'));
  return (
    <section className="panel">
      <h1>{t('common.notFound')}</h1>
      <p>
        <Link to="/">{t('common.backHome')}</Link>
      </p>
    </section>
  );
}

export const rootRoute = createRootRouteWithContext<RouterContext>()({
  component: RootLayout,
  notFoundComponent: NotFound,
});
