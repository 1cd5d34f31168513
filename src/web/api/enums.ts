// The few value lists that route search validators need. They live apart from the API modules
// so the router (in the first load) can check a URL's search without pulling in desk, holds or
// dashboard code, which loads with its page.
import type { TrustLevel } from '../../contracts/desk.js';
import type { ExternalChannelName } from '../../contracts/distribution.js';
import type { PropagationHold } from '../../contracts/propagation.js';

/** Mirrors TRUST_LEVELS in src/contracts/desk.ts. */
export const TRUST: readonly TrustLevel[] = ['new', 'regular', 'trusted'];

/** Mirrors externalChannelSchema in src/contracts/distribution.ts. */
export const EXTERNAL_CHANNELS: readonly ExternalChannelName[] = ['weibo', 'wechat', 'toutiao', 'penguin'];

export type DashboardRange = '48h' | '7d' | '30d' | '90d';
export const DASHBOARD_RANGES: readonly DashboardRange[] = ['48h', '7d', '30d', '90d'];

/** Mirrors propagationHoldStatusSchema in src/contracts/propagation.ts. */
export const HOLD_STATUSES: readonly PropagationHold['status'][] = ['held', 'released', 'rejected'];
