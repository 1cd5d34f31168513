import { Link } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../../contracts/accounts.js';
import { CHIEFS, hasRole } from '../desk/deskUi.js';

/**
 * The central kitchen's tabs, on every kitchen page. Configuration tabs (review chains,
 * newspapers) show only to chief editors and admins, when the page knows who is signed in.
 */
export function KitchenNav({ me }: { me?: Me }) {
  const { t } = useTranslation();
  const chief = me ? hasRole(me, CHIEFS) : false;
  return (
    <nav aria-label={t('kitchenStories.nav.label')} className="sub-nav">
      <Link to="/kitchen" search={{}} activeOptions={{ exact: true, includeSearch: false }}>
        {t('kitchenStories.nav.stories')}
      </Link>
      <Link to="/kitchen/plan" search={{}}>
        {t('kitchenPlan.navPlan')}
      </Link>
      <Link to="/kitchen/review" activeOptions={{ exact: true }}>
        {t('kitchenForms.nav.inbox')}
      </Link>
      <Link to="/kitchen/studios" activeOptions={{ exact: true }}>
        {t('kitchenPlan.navStudios')}
      </Link>
      {chief ? <Link to="/kitchen/review/chains">{t('kitchenForms.nav.chains')}</Link> : null}
      {chief ? <Link to="/kitchen/newspapers">{t('kitchenPrint.newspapers.nav')}</Link> : null}
      {/* The wall opens in a window of its own: it is meant for a big screen (docs/wall.md). */}
      <a href="/wall" target="_blank" rel="noopener">
        {t('kitchenWall.tab')}
      </a>
    </nav>
  );
}
