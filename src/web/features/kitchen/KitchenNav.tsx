import { useTranslation } from 'react-i18next';

/**
 * The kitchen's tabs. The wall opens in a window of its own: it is meant for a big screen
 * (F11 or kiosk mode, docs/wall.md), not for a tab among the desk's pages.
 */
export function KitchenNav() {
  const { t } = useTranslation();
  return (
    <nav aria-label={t('kitchenWall.navLabel')} className="sub-nav">
      <a href="/wall" target="_blank" rel="noopener">
        {t('kitchenWall.tab')}
      </a>
    </nav>
  );
}
