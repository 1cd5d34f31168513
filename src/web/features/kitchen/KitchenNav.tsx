import { Link } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import type { Me, Role } from '../../../contracts/accounts.js';

const CONFIGURE: readonly Role[] = ['chief_editor', 'admin'];
const hasRole = (me: Me, roles: readonly Role[]) => me.roles.some((r) => roles.includes(r));

/** The central kitchen's tabs (each part adds its own). */
export function KitchenNav({ me }: { me: Me }) {
  const { t } = useTranslation();
  return (
    <nav aria-label={t('kitchenPrint.navLabel')} className="sub-nav">
      {hasRole(me, CONFIGURE) ? <Link to="/kitchen/newspapers">{t('kitchenPrint.newspapers.nav')}</Link> : null}
    </nav>
  );
}
