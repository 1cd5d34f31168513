import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { Me, Role } from '../../../contracts/accounts.js';
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
    const session = await repo.createSession(
      {
        tokenHash: hashToken(token),
        userId: user.id,
        expiresAt: new Date(clock.now().getTime() + deps.sessionTtlDays * 86_400_000),
        userAgent: meta.userAgent?.slice(0, 400) ?? null,
        ip: meta.ip,
      },
      tx,
    );
    return { user, token, session };
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

    async listUsers(actor: Actor): Promise<UserRow[]> {
      assertCan(actor, 'user.manage');
      return repo.listUsers();
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

    async updateUser(actor: Actor, id: string, patch: { roles?: Role[]; disabled?: boolean; name?: string }): Promise<UserRow> {
      assertCan(actor, 'user.manage');
      return db.transaction(async (tx) => {
        const before = await repo.getUser(id, tx);
        if (!before) throw new AppError('user.not_found');
        const roles = patch.roles ? [...new Set(patch.roles)] : undefined;
        const updated = await repo.updateUser(id, { ...patch, ...(roles ? { roles } : {}) }, tx);
        if ((await repo.countActiveAdmins(tx)) === 0) throw new AppError('user.last_admin');
        if (patch.disabled) await repo.revokeAllSessions(id, clock.now(), tx);
        await deps.audit.create(
          {
            actorId: actor.id,
            action: 'user.update',
            objectType: 'user',
            objectId: id,
            data: { before: { roles: before.roles, disabled: before.disabled }, patch },
          },
          tx,
        );
        return updated!;
      });
    },

    async hasAdmin(): Promise<boolean> {
      return (await repo.countActiveAdmins()) > 0;
    },

    async cleanup(): Promise<number> {
      const cutoff = new Date(clock.now().getTime() - 7 * 86_400_000);
      await repo.deleteOldPhoneCodes(cutoff);
      return repo.deleteDeadSessions(cutoff);
    },
  };
}

export type AccountsService = ReturnType<typeof createAccountsService>;
