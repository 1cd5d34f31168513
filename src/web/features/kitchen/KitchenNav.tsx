import { Link } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';

/** The kitchen's tabs (each part adds its own). */
export function KitchenNav() {
  const { t } = useTranslation();
  return (
    <nav aria-label={t('kitchenPlan.navLabel')} className="sub-nav">
      <Link to="/kitchen/plan" search={{}}>
        {t('kitchenPlan.navPlan')}
      </Link>
      <Link to="/kitchen/studios" activeOptions={{ exact: true }}>
        {t('kitchenPlan.navStudios')}
      </Link>
    </nav>
  );
}
