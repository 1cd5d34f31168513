import type { Role } from '../../../contracts/accounts.js';
import { AppError } from '../../lib/errors.js';

/**
 * Authorization is one table: each action names the roles that may take it. Routes ask for
 * an action, never for a role; object checks (ownership) go through `assertOwnerOr`.
 */
export const PERMISSIONS = {
  'account.self': ['contributor', 'reporter', 'editor', 'chief_editor', 'finance', 'admin'],
  'campaign.join': ['contributor', 'reporter', 'editor', 'chief_editor', 'finance', 'admin'],
  'campaign.manage': ['admin'],
  // Staff reporters (issue 15) upload field footage through the same path as contributors.
  'submission.create': ['contributor', 'reporter'],
  'user.manage': ['admin'],
  'desk.access': ['editor', 'chief_editor', 'finance', 'admin'],
  'audit.read': ['chief_editor', 'admin'],
  'desk.review': ['editor', 'chief_editor', 'admin'],
  'desk.view_all': ['chief_editor', 'admin'],
  'studio.manage': ['chief_editor', 'admin'],
  'ledger.read_all': ['finance', 'admin'],
  'finance.reconcile': ['finance', 'admin'],
  'budget.fund': ['finance', 'admin'],
  'payout.manage': ['finance', 'admin'],
  'rain.grab': ['contributor'],
  'rain.manage': ['admin'],
  // Editors adopt and set rewards up to 10,000 yuan; finance pays: either may confirm a grand prize.
  'grand_prize.confirm': ['editor', 'chief_editor', 'finance', 'admin'],
  'dashboard.view_all': ['editor', 'chief_editor', 'admin'],
  'distribution.publish': ['editor', 'chief_editor', 'admin'],
  'channel.manage': ['admin'],
  'kiosk.manage': ['admin'],
  // Issue 16: the lending catalogue and its licences (docs/lending.md); any signed-in account borrows.
  'lending.manage': ['chief_editor', 'admin'],
  // Issue 16: study collections, their items and quizzes, and their progress counts (docs/study.md).
  'study.manage': ['chief_editor', 'admin'],
  // Issue 16: the e-paper (docs/epaper.md): upload a day's newspaper, mark its article zones, publish it.
  'epaper.manage': ['chief_editor', 'admin'],
  // Issue 13: chief editors staff their studios (members, leads) and search staff to do it.
  'studio.members': ['chief_editor', 'admin'],
  // Issue 14, the central kitchen (docs/kitchen.md). Editors are studio-bound (kitchen.scope.ts);
  // who approves a review step is decided by the chain, not by these.
  'kitchen.write': ['editor', 'chief_editor', 'admin'],
  'kitchen.review': ['editor', 'chief_editor', 'admin'],
  'kitchen.publish': ['editor', 'chief_editor', 'admin'],
  'kitchen.plan': ['editor', 'chief_editor', 'admin'],
  'kitchen.view_all': ['chief_editor', 'admin'],
  'kitchen.configure': ['chief_editor', 'admin'],
  'kitchen.wall': ['editor', 'chief_editor', 'finance', 'admin'],
  // Issue 15, the command platform (docs/command.md). Editors are studio-bound (command.scope.ts);
  // people in the field act on their own offers, positions and calls (object checks in services).
  'command.assign': ['editor', 'chief_editor', 'admin'],
  'command.view': ['editor', 'chief_editor', 'admin'],
  'command.view_all': ['chief_editor', 'admin'],
  'command.direct': ['editor', 'chief_editor', 'admin'],
  'command.wall': ['editor', 'chief_editor', 'finance', 'admin'],
  'command.field': ['contributor', 'reporter'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export interface Actor {
  id: string;
  roles: readonly Role[];
}

export function can(actor: Actor | null | undefined, permission: Permission): boolean {
  if (!actor) return false;
  const allowed: readonly Role[] = PERMISSIONS[permission];
  return actor.roles.some((r) => allowed.includes(r));
}

export function assertCan(actor: Actor | null | undefined, permission: Permission): asserts actor is Actor {
  if (!actor) throw new AppError('auth.required');
  if (!can(actor, permission)) throw new AppError('auth.forbidden');
}

/** Object-level check: the actor owns the object, or holds the permission that overrides ownership. */
export function assertOwnerOr(actor: Actor | null | undefined, ownerId: string, override: Permission): asserts actor is Actor {
  if (!actor) throw new AppError('auth.required');
  if (actor.id !== ownerId && !can(actor, override)) throw new AppError('auth.forbidden');
}

/** The permissions a user holds, for the web app to shape its menus (the server still checks each action). */
export function permissionsOf(roles: readonly Role[]): Permission[] {
  return (Object.keys(PERMISSIONS) as Permission[]).filter((p) => can({ id: '', roles }, p));
}
