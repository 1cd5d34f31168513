import { STAFF_ROLES } from '../../../contracts/accounts.js';
import type { Locale } from '../../../contracts/common.js';
import type { EraseAccountBody, ErasureBlocker, ErasureStatus } from '../../../contracts/privacy.js';
import type { Db } from '../../db/client.js';
import type { SessionRow, UserRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import { translate } from '../../lib/messages.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import type { Storage } from '../../lib/storage.js';
import { fenToYuan } from '../payouts/payout.details.js';
import { submissionPrefix } from '../submissions/submissions.service.js';
import type { OpenMoney, PrivacyRepository } from './privacy.repository.js';

/** The name every deleted account takes, and so every credit of its published videos (the campaign terms). */
export const ANONYMOUS_NAME = '拍客';
/**
 * The users table requires an email or a phone on every row; a deleted account keeps a
 * placeholder under `.invalid` (RFC 2606: never resolves, never delivered), derived from the id
 * so it is unique and says nothing about the person. The real address is free to sign up again.
 */
export const placeholderEmail = (userId: string) => `deleted-${userId}@paike.invalid`;

export interface ErasureServiceDeps {
  db: Db;
  repo: PrivacyRepository;
  accounts: Pick<AccountsService, 'verifyPassword' | 'verifyPhoneCode' | 'sendPhoneCode'>;
  audit: AuditRepository;
  clock: Clock;
  storage: Pick<Storage, 'deletePrefix'>;
  logger: { warn(obj: object, msg: string): void };
}

const isStaff = (user: Pick<UserRow, 'roles'>) => user.roles.some((r) => STAFF_ROLES.includes(r));
const reauthOf = (user: UserRow): ErasureStatus['reauth'] => (user.passwordHash ? 'password' : user.phone ? 'sms' : 'recent_sign_in');
/**
 * An account with neither password nor phone signs in only through WeChat, so the proof that
 * the person is present is a WeChat sign-in made moments ago, not a session left open for weeks.
 */
export const RECENT_SIGN_IN_MS = 10 * 60_000;
const recentUntil = (session: Pick<SessionRow, 'createdAt'> | null, now: Date): Date | null => {
  if (!session) return null;
  const until = new Date(session.createdAt.getTime() + RECENT_SIGN_IN_MS);
  return until > now ? until : null;
};
const maskPhone = (phone: string) => `${phone.slice(0, -8)}****${phone.slice(-4)}`;

/** Each open sum of money, as the reason it gives in the user's language, most pressing first. */
export function blockersOf(open: OpenMoney, locale: Locale): ErasureBlocker[] {
  const out: ErasureBlocker[] = [];
  const add = (code: ErasureBlocker['code'], params: Record<string, unknown>, extra: Partial<ErasureBlocker>) =>
    out.push({ code, message: translate(code, locale, params), ...extra });
  if (open.balanceFen > 0) add('erasure.balance_positive', { amountYuan: fenToYuan(open.balanceFen) }, { amountFen: open.balanceFen });
  if (open.balanceFen < 0) add('erasure.balance_owed', { amountYuan: fenToYuan(-open.balanceFen) }, { amountFen: -open.balanceFen });
  if (open.openPayouts) add('erasure.payout_open', { count: open.openPayouts }, { count: open.openPayouts });
  if (open.unpaidRainWins) add('erasure.rain_unpaid', { count: open.unpaidRainWins }, { count: open.unpaidRainWins });
  if (open.pendingRewards) add('erasure.reward_pending', { count: open.pendingRewards }, { count: open.pendingRewards });
  return out;
}

/**
 * Deleting one's own account (docs/privacy.md). Refused while any money of the account is
 * open; otherwise one transaction empties it of personal data and leaves an anonymous account
 * named 拍客 behind, so the ledger keeps every entry and still balances.
 */
export function createErasureService(deps: ErasureServiceDeps) {
  const { db, repo, clock } = deps;

  return {
    async status(user: UserRow, locale: Locale, session: Pick<SessionRow, 'createdAt'> | null): Promise<ErasureStatus> {
      const staff = isStaff(user);
      const blockers = blockersOf(await repo.openMoney(user.id), locale);
      const reauth = reauthOf(user);
      const fresh = reauth === 'recent_sign_in' ? recentUntil(session, clock.now()) : null;
      return {
        allowed: !staff && blockers.length === 0 && (reauth !== 'recent_sign_in' || fresh !== null),
        staff,
        blockers,
        reauth,
        recentUntil: fresh?.toISOString() ?? null,
        phoneMasked: reauth === 'sms' && user.phone ? maskPhone(user.phone) : null,
      };
    },

    /** Texts a code to the account's own phone (no number in the request: nothing to probe). */
    async sendCode(user: UserRow, locale: Locale) {
      if (isStaff(user)) throw new AppError('erasure.staff_account', {}, { status: 403 });
      if (!user.phone) throw new AppError('erasure.no_phone', {}, { status: 409 });
      return deps.accounts.sendPhoneCode({ phone: user.phone }, locale);
    },

    async erase(user: UserRow, body: EraseAccountBody, locale: Locale, session: Pick<SessionRow, 'createdAt'> | null): Promise<void> {
      if (isStaff(user)) throw new AppError('erasure.staff_account', {}, { status: 403 });
      // Re-authentication before anything is read or written: a session left open on a shared
      // phone is not enough to delete the account.
      const reauth = reauthOf(user);
      if (reauth === 'recent_sign_in') {
        if (!recentUntil(session, clock.now())) throw new AppError('erasure.sign_in_again', { minutes: RECENT_SIGN_IN_MS / 60_000 }, { status: 403 });
      } else if (reauth === 'password') {
        if (!body.password) throw new AppError('erasure.password_required');
        if (!(await deps.accounts.verifyPassword(user, body.password))) throw new AppError('erasure.wrong_password', {}, { status: 403 });
      } else {
        if (!body.code) throw new AppError('erasure.code_required');
        await deps.accounts.verifyPhoneCode(user.phone!, body.code);
      }

      const now = clock.now();
      const media = await db.transaction(async (tx) => {
        const current = await repo.lockUser(user.id, tx);
        // Deleted already (a double click, two tabs): the same outcome, nothing written twice.
        if (!current || (await repo.getErasure(user.id, tx))) return [];
        // Order matters. Withdrawing first means no video can be adopted (and paid) after the
        // money checks below; an adoption that got its lock first has committed by now and its
        // reward is in the balance read next (each statement reads what has committed).
        await repo.withdrawOpenSubmissions(user.id, now, tx);
        await repo.lockContributorAccount(user.id, tx);
        const blockers = blockersOf(await repo.openMoney(user.id, tx), locale);
        if (blockers.length) {
          throw new AppError(
            'erasure.open_money',
            { reasons: blockers.map((b) => b.message).join(' ') },
            { status: 409, details: { blockers: blockers.map(({ code, amountFen, count }) => ({ code, amountFen, count })) } },
          );
        }
        const { mediaToDelete } = await repo.erase({ user: current, now, anonymousName: ANONYMOUS_NAME, placeholderEmail: placeholderEmail(user.id) }, tx);
        // No personal data in the audit row: the id (now anonymous) and counts only.
        await deps.audit.create(
          { actorId: user.id, action: 'account.erase', objectType: 'user', objectId: user.id, data: { mediaDeleted: mediaToDelete.length } },
          tx,
        );
        return mediaToDelete;
      });
      // Files after the commit: a rollback must not have lost them. A failure leaves orphaned
      // files of an anonymous account (logged), never a half-deleted account.
      for (const id of media) {
        await deps.storage
          .deletePrefix(submissionPrefix(id))
          .catch((err: unknown) => deps.logger.warn({ err, submissionId: id }, 'erasure: files not removed'));
      }
    },
  };
}

export type ErasureService = ReturnType<typeof createErasureService>;
