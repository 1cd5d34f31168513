import { Link } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../../contracts/accounts.js';
import { CHIEFS, hasRole } from '../desk/deskUi.js';

/** Sub-navigation of the central kitchen's pages; each part adds its own tabs. */
export function KitchenNav({ me }: { me: Me }) {
  const { t } = useTranslation();
  return (
    <nav aria-label={t('kitchenForms.nav.label')} className="sub-nav">
      {/* Part `forms`: the review inbox and, for chief editors, the chains per studio. */}
      <Link to="/kitchen/review" activeOptions={{ exact: true }}>
        {t('kitchenForms.nav.inbox')}
      </Link>
      {hasRole(me, CHIEFS) ? <Link to="/kitchen/review/chains">{t('kitchenForms.nav.chains')}</Link> : null}
    </nav>
  );
}
