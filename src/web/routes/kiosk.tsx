import { getRouteApi } from '@tanstack/react-router';
import { KioskApp } from '../features/kiosk/KioskApp.js';

const route = getRouteApi('/kiosk');

/** `/kiosk`: what an e-newspaper kiosk opens full-screen (docs/kiosk.md). Chinese unless `?lang=en`. */
export function KioskPage() {
  const { lang } = route.useSearch();
  return <KioskApp lang={lang === 'en' ? 'en' : 'zh-CN'} />;
}
