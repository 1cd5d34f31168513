import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { ROLES, type Me, type Role } from '../../../contracts/accounts.js';
import type { AdminUserQuery } from '../../../contracts/backOffice.js';
import type { Locale } from '../../../contracts/common.js';
import type { Db } from '../../db/client.js';
import type { SessionRow, UserRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { AppError, isUniqueViolation } from '../../lib/errors.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import type { AccountsRepository } from './accounts.repository.js';
import { checkPassword } from './password.policy.js';
import { normalizePhone } from './phone.js';
import { assertCan, type Actor } from './permissions.js';
import { SmsSendError, type SmsProvider } from './sms/sms.provider.js';

// OWASP's argon2id baseline: 19 MiB, 2 iterations, 1 lane.
// `algorithm: 2` is Argon2id (the package's const enum can't be imported under verbatimModuleSyntax).
export const ARGON2 = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
const PHONE_CODE_TTL_MS = 5 * 60_000;
const PHONE_CODE_MAX_ATTEMPTS = 5;
/** Last-seen is written at most this often, so every request is not a write. */
const TOUCH_EVERY_MS = 5 * 60_000;

export interface RequestMeta {
  userAgent: string | null;
  ip: string | null;
}

export interface SignedIn {
  user: UserRow;
  token: string;
  session: SessionRow;
}

/** Joins a user to a campaign inside the caller's transaction (the campaigns module provides it). */
export type JoinCampaign = (tx: Db, campaignId: string, userId: string) => Promise<void>;

export interface AccountsServiceDeps {
  db: Db;
  repo: AccountsRepository;
  audit: AuditRepository;
  clock: Clock;
  sms: SmsProvider;
  joinCampaign: JoinCampaign;
  sessionTtlDays: number;
  smsCodesPerPhonePerHour: number;
}

export interface UserDetail {
  user: UserRow;
  activeSessions: number;
  lastSeenAt: Date | null;
}

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const hashCode = (phone: string, code: string) => createHash('sha256').update(`${phone}:${code}`).digest();

export function toMe(user: UserRow): Me {
  return { id: user.id, email: user.email, phone: user.phone, name: user.name, roles: user.roles, locale: user.locale };
}

export function createAccountsService(deps: AccountsServiceDeps) {
  const { db, repo, clock } = deps;
  // Verifying against this when the email is unknown keeps sign-in time the same either way.
  const dummyHash = hash('paike-dummy-password-for-timing', ARGON2);

  async function startSession(user: UserRow, meta: RequestMeta, tx: Db = db): Promise<SignedIn> {
    const token = randomBytes(32).toString('base64url');
    const now = clock.now();
    const session = await repo.createSession(
      {
        tokenHash: hashToken(token),
        userId: user.id,
        // The service's clock, not the database's: "signed in minutes ago" (deleting a WeChat-only
        // account) is judged against the same clock as the expiry.
        createdAt: now,
        expiresAt: new Date(now.getTime() + deps.sessionTtlDays * 86_400_000),
        userAgent: meta.userAgent?.slice(0, 400) ?? null,
        ip: meta.ip,
      },
      tx,
    );
    return { user, token, session };
  }

  async function userDetail(id: string, tx: Db): Promise<UserDetail> {
    const user = await repo.getUser(id, tx);
    if (!user) throw new AppError('user.not_found');
    const s = await repo.sessionSummary(id, clock.now(), tx);
    return { user, activeSessions: s.active, lastSeenAt: s.lastSeenAt };
  }

  return {
    async signUpEmail(input: { email: string; password: string; name: string; locale: Locale; campaignId?: string }, meta: RequestMeta): Promise<SignedIn> {
      checkPassword(input.password, [input.email, input.name]);
      const passwordHash = await hash(input.password, ARGON2);
      try {
        return await db.transaction(async (tx) => {
          const user = await repo.createUser({ email: input.email, name: input.name, passwordHash, roles: ['contributor'], locale: input.locale }, tx);
          if (input.campaignId) await deps.joinCampaign(tx, input.campaignId, user.id);
          return startSession(user, meta, tx);
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError('auth.email_taken');
        throw err;
      }
    },

    async signInEmail(input: { email: string; password: string }, meta: RequestMeta): Promise<SignedIn> {
      const user = await repo.getUserByEmail(input.email);
      const ok = user?.passwordHash ? await verify(user.passwordHash, input.password) : (await verify(await dummyHash, input.password), false);
      if (!user || !ok) throw new AppError('auth.invalid_credentials');
      if (user.disabled) throw new AppError('auth.account_disabled');
      return startSession(user, meta);
    },

    /** For accounts that set a password (docs/accounts.md): the same answer and timing as email sign-in for an unknown number. */
    async signInPhonePassword(input: { phone: string; country?: string; password: string }, meta: RequestMeta): Promise<SignedIn> {
      const phone = normalizePhone(input.phone, input.country);
      const user = await repo.getUserByPhone(phone);
      const ok = user?.passwordHash ? await verify(user.passwordHash, input.password) : (await verify(await dummyHash, input.password), false);
      if (!user || !ok) throw new AppError('auth.invalid_phone_credentials', {}, { status: 401 });
      if (user.disabled) throw new AppError('auth.account_disabled');
      return startSession(user, meta);
    },

    /** Sends a 6-digit code by SMS. The code is stored only as a hash; a failed send leaves none behind. */
    async sendPhoneCode(input: { phone: string; country?: string }, locale: Locale): Promise<{ expiresInSeconds: number }> {
      const phone = normalizePhone(input.phone, input.country);
      const now = clock.now();
      const recent = await repo.countPhoneCodesSince(phone, new Date(now.getTime() - 3_600_000));
      if (recent >= deps.smsCodesPerPhonePerHour) throw new AppError('auth.code_limit');
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      const row = await repo.createPhoneCode({
        phone,
        codeHash: hashCode(phone, code).toString('hex'),
        expiresAt: new Date(now.getTime() + PHONE_CODE_TTL_MS),
      });
      try {
        await deps.sms.send({ phone, code, locale });
      } catch (err) {
        await repo.updatePhoneCode(row.id, { consumedAt: now });
        throw new AppError('auth.sms_failed', {}, { cause: err, status: err instanceof SmsSendError && !err.retryable ? 502 : 503 });
      }
      return { expiresInSeconds: PHONE_CODE_TTL_MS / 1000 };
    },

    async signInPhone(
      input: { phone: string; country?: string; code: string; name?: string; locale: Locale; campaignId?: string },
      meta: RequestMeta,
    ): Promise<SignedIn> {
      const phone = normalizePhone(input.phone, input.country);
      const now = clock.now();
      // The attempt count must survive a wrong guess, so the check commits before any error is thrown.
      const verdict = await db.transaction(async (tx) => {
        const live = await repo.getLivePhoneCodeForUpdate(phone, now, tx);
        if (!live) return 'invalid' as const;
        if (live.attempts >= PHONE_CODE_MAX_ATTEMPTS) return 'too_many' as const;
        const expected = Buffer.from(live.codeHash, 'hex');
        if (!timingSafeEqual(expected, hashCode(phone, input.code))) {
          await repo.updatePhoneCode(live.id, { attempts: live.attempts + 1 }, tx);
          return live.attempts + 1 >= PHONE_CODE_MAX_ATTEMPTS ? ('too_many' as const) : ('invalid' as const);
        }
        const existing = await repo.getUserByPhone(phone, tx);
        if (!existing && !input.name) return 'name_required' as const;
        await repo.updatePhoneCode(live.id, { consumedAt: now }, tx);
        const user = existing ?? (await repo.createUser({ phone, name: input.name!, roles: ['contributor'], locale: input.locale }, tx));
        if (user.disabled) return 'disabled' as const;
        if (input.campaignId) await deps.joinCampaign(tx, input.campaignId, user.id);
        return startSession(user, meta, tx);
      });
      if (verdict === 'invalid') throw new AppError('auth.code_invalid');
      if (verdict === 'too_many') throw new AppError('auth.code_too_many_attempts');
      if (verdict === 'name_required') throw new AppError('auth.name_required');
      if (verdict === 'disabled') throw new AppError('auth.account_disabled');
      return verdict;
    },

    /** Resolves a cookie token to its live session and user, or null. */
    async authenticate(token: string): Promise<{ user: UserRow; session: SessionRow } | null> {
      if (!token || token.length > 100) return null;
      const found = await repo.getSessionByTokenHash(hashToken(token));
      const now = clock.now();
      if (!found || found.session.revokedAt || found.session.expiresAt <= now || found.user.disabled) return null;
      if (now.getTime() - found.session.lastSeenAt.getTime() > TOUCH_EVERY_MS) await repo.touchSession(found.session.id, now);
      return found;
    },

    async signOut(sessionId: string, userId: string): Promise<void> {
      await repo.revokeSession(userId, sessionId, clock.now());
    },

    async listSessions(userId: string): Promise<SessionRow[]> {
      return repo.listActiveSessions(userId, clock.now());
    },

    /** Revokes one of the owner's own sessions; someone else's session id is "not found". */
    async revokeSession(actor: Actor, sessionId: string): Promise<void> {
      const ok = await repo.revokeSession(actor.id, sessionId, clock.now());
      if (!ok) throw new AppError('session.not_found');
    },

    async updateMe(userId: string, patch: { name?: string; locale?: Locale }): Promise<UserRow> {
      const row = await repo.updateUser(userId, patch);
      if (!row) throw new AppError('user.not_found');
      return row;
    },

    async getUser(id: string): Promise<UserRow | undefined> {
      return repo.getUser(id);
    },

    // ---- staff accounts (admin) ----

    async listUsers(actor: Actor, q: AdminUserQuery): Promise<{ rows: UserRow[]; total: number }> {
      assertCan(actor, 'user.manage');
      return repo.searchUsers(q);
    },

    /** One account as the admin's role editor shows it: the row plus how it can sign in. */
    async getUserDetail(actor: Actor, id: string, tx: Db = db): Promise<UserDetail> {
      assertCan(actor, 'user.manage');
      return userDetail(id, tx);
    },

    /** Staff for the studio member picker (chief editors and admins). */
    async searchStaff(actor: Actor, q: { q?: string; page: number; pageSize: number }): Promise<{ rows: UserRow[]; total: number }> {
      assertCan(actor, 'studio.members');
      return repo.searchStaff(q);
    },

    /**
     * "Reset sign-in": every session of the user ends and the password is cleared, so the next
     * sign-in goes through "forgot password" (or an SMS code). Refused for yourself: an admin who
     * wants that signs out everywhere from the account page instead.
     */
    async resetSignIn(actor: Actor, id: string, reason: string): Promise<{ detail: UserDetail; sessionsRevoked: number }> {
      assertCan(actor, 'user.manage');
      if (actor.id === id) throw new AppError('user.reset_self', {}, { status: 409 });
      return db.transaction(async (tx) => {
        const before = await repo.getUser(id, tx);
        if (!before) throw new AppError('user.not_found');
        await repo.updateUser(id, { passwordHash: null }, tx);
        const sessionsRevoked = await repo.revokeAllSessions(id, clock.now(), tx);
        await deps.audit.create(
          {
            actorId: actor.id,
            action: 'user.reset_sign_in',
            objectType: 'user',
            objectId: id,
            data: { reason, sessionsRevoked, hadPassword: before.passwordHash !== null },
          },
          tx,
        );
        return { detail: await userDetail(id, tx), sessionsRevoked };
      });
    },

    /** Creates a staff (or any) account. `actor` null means the command line, which is trusted. */
    async createUser(actor: Actor | null, input: { email: string; password: string; name: string; roles: Role[]; locale?: Locale }): Promise<UserRow> {
      if (actor) assertCan(actor, 'user.manage');
      checkPassword(input.password, [input.email, input.name]);
      const passwordHash = await hash(input.password, ARGON2);
      const roles = [...new Set(input.roles)];
      try {
        return await db.transaction(async (tx) => {
          const user = await repo.createUser({ email: input.email, name: input.name, passwordHash, roles, locale: input.locale ?? 'zh-CN' }, tx);
          await deps.audit.create(
            { actorId: actor?.id ?? null, action: 'user.create', objectType: 'user', objectId: user.id, data: { roles, via: actor ? 'web' : 'cli' } },
            tx,
          );
          return user;
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError('auth.email_taken');
        throw err;
      }
    },

    /**
     * The role editor and the disable switch. Rules, in the order a refusal is given: the last
     * enabled admin keeps the role and stays enabled; nobody disables themselves; granting admin
     * or removing one's own admin needs `confirm: true`. Each change is its own audit row.
     */
    async updateUser(actor: Actor, id: string, patch: { roles?: Role[]; disabled?: boolean; name?: string; confirm?: boolean }): Promise<UserRow> {
      assertCan(actor, 'user.manage');
      return db.transaction(async (tx) => {
        const admins = await repo.lockActiveAdmins(tx);
        const before = await repo.getUser(id, tx);
        if (!before) throw new AppError('user.not_found');
        const roles = patch.roles ? ROLES.filter((r) => patch.roles!.includes(r)) : before.roles;
        const disabled = patch.disabled ?? before.disabled;
        const wasAdmin = before.roles.includes('admin');
        const isAdmin = roles.includes('admin');
        const staysActiveAdmin = isAdmin && !disabled;
        if (admins.includes(id) && !staysActiveAdmin && admins.length <= 1) throw new AppError('user.last_admin');
        if (patch.disabled && actor.id === id) throw new AppError('user.disable_self', {}, { status: 409 });
        const grantsAdmin = !wasAdmin && isAdmin;
        const dropsOwnAdmin = wasAdmin && !isAdmin && actor.id === id;
        if ((grantsAdmin || dropsOwnAdmin) && !patch.confirm) throw new AppError('user.confirm_admin', { grant: grantsAdmin }, { status: 409 });

        const rolesChanged = roles.length !== before.roles.length || roles.some((r) => !before.roles.includes(r));
        const nameChanged = patch.name !== undefined && patch.name !== before.name;
        const updated = await repo.updateUser(
          id,
          { ...(rolesChanged ? { roles } : {}), ...(nameChanged ? { name: patch.name } : {}), ...(disabled !== before.disabled ? { disabled } : {}) },
          tx,
        );
        const audit = (action: string, data: Record<string, unknown>) =>
          deps.audit.create({ actorId: actor.id, action, objectType: 'user', objectId: id, data }, tx);
        if (rolesChanged) {
          await audit('user.roles_change', {
            from: before.roles,
            to: roles,
            added: roles.filter((r) => !before.roles.includes(r)),
            removed: before.roles.filter((r) => !roles.includes(r)),
          });
        }
        if (nameChanged) await audit('user.rename', { from: before.name, to: patch.name });
        if (disabled !== before.disabled) {
          const sessionsRevoked = disabled ? await repo.revokeAllSessions(id, clock.now(), tx) : 0;
          await audit(disabled ? 'user.disable' : 'user.enable', disabled ? { sessionsRevoked } : {});
        }
        return updated!;
      });
    },

    async hasAdmin(): Promise<boolean> {
      return (await repo.countActiveAdmins()) > 0;
    },

    /**
     * Checks and consumes a code texted by `sendPhoneCode`, for re-authentication of a signed-in
     * phone account (deleting it). The same rules as sign-in: the newest live code, five tries,
     * a wrong guess counted in its own transaction before the refusal is thrown.
     */
    async verifyPhoneCode(phone: string, code: string): Promise<void> {
      const now = clock.now();
      const verdict = await db.transaction(async (tx) => {
        const live = await repo.getLivePhoneCodeForUpdate(phone, now, tx);
        if (!live) return 'invalid' as const;
        if (live.attempts >= PHONE_CODE_MAX_ATTEMPTS) return 'too_many' as const;
        if (!timingSafeEqual(Buffer.from(live.codeHash, 'hex'), hashCode(phone, code))) {
          await repo.updatePhoneCode(live.id, { attempts: live.attempts + 1 }, tx);
          return live.attempts + 1 >= PHONE_CODE_MAX_ATTEMPTS ? ('too_many' as const) : ('invalid' as const);
        }
        await repo.updatePhoneCode(live.id, { consumedAt: now }, tx);
        return 'ok' as const;
      });
      if (verdict === 'invalid') throw new AppError('auth.code_invalid');
      if (verdict === 'too_many') throw new AppError('auth.code_too_many_attempts');
    },

    /** Whether a password is this user's (re-authentication); constant work when there is none. */
    async verifyPassword(user: UserRow, password: string): Promise<boolean> {
      if (!user.passwordHash) return (await verify(await dummyHash, password), false);
      return verify(user.passwordHash, password);
    },
    /** A session for a user another module has authenticated (WeChat sign-in), written in the caller's transaction. */
    startSession,

    async cleanup(): Promise<number> {
      const cutoff = new Date(clock.now().getTime() - 7 * 86_400_000);
      await repo.deleteOldPhoneCodes(cutoff);
      return repo.deleteDeadSessions(cutoff);
    },
  };
}

export type AccountsService = ReturnType<typeof createAccountsService>;
