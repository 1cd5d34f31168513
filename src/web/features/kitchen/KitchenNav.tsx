import { Link } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';

/** Sub-navigation of the central kitchen's pages; each part adds its own tab. */
export function KitchenNav() {
  const { t } = useTranslation();
  return (
    <nav aria-label={t('kitchenStories.nav.label')} className="sub-nav">
      <Link to="/kitchen" search={{}} activeOptions={{ exact: true, includeSearch: false }}>
        {t('kitchenStories.nav.stories')}
      </Link>
    </nav>
  );
}
