import { useSyncExternalStore } from 'react';
import './pwa.css';
import { useTranslation } from 'react-i18next';
import { applyUpdate, getState, subscribe } from './pwa.js';

/**
 * Two polite banners at the top of every page: "offline" while the network is gone (the app
 * still opens from the service worker's shell, and uploads wait and resume by themselves), and
 * "a new version is available" when a deploy's worker is waiting.
 */
export function PwaNotices() {
  const { t } = useTranslation();
  const s = useSyncExternalStore(subscribe, getState, getState);
  return (
    <>
      <div role="status" aria-live="polite" className="pwa-banner-slot">
        {s.offline ? (
          <p className="pwa-banner pwa-offline">
            <strong>{t('pwa.offlineTitle')}</strong> {t('pwa.offlineText')}
          </p>
        ) : null}
      </div>
      {s.updateReady ? (
        <div role="status" className="pwa-banner pwa-update">
          <p>{t('pwa.updateText')}</p>
          <button type="button" className="btn btn-primary btn-sm" onClick={applyUpdate}>
            {t('pwa.updateReload')}
          </button>
        </div>
      ) : null}
    </>
  );
}
