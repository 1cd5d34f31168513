import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { Locale } from '../../../contracts/common.js';
import type { Db } from '../../db/client.js';
import type { UserRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import { translate } from '../../lib/messages.js';
import type { AuditRepository } from '../audit/audit.repository.js';
// The one mailer of the app (SMTP, or the log in development) is built in services.ts and
// shared with notices; only its type is imported here.
import type { Mailer } from '../propagation/mailer.js';
import type { AccountsRepository } from './accounts.repository.js';
import { ARGON2 } from './accounts.service.js';
import { checkPassword } from './password.policy.js';
import { normalizePhone } from './phone.js';
import type { SecurityRepository } from './security.repository.js';
import type { SmsProvider } from './sms/sms.provider.js';

/** An emailed link lasts this long: long enough to switch to the mail app and back. */
export const RESET_LINK_TTL_MS = 30 * 60_000;
/**
 * A texted code lasts as long as the platform-approved verification template says it does
 * ("5 分钟内有效", console.sms.ts): the reset code is sent through the same template.
 */
export const RESET_CODE_TTL_MS = 5 * 60_000;
export const RESET_CODE_MAX_ATTEMPTS = 5;

export interface SecurityServiceDeps {
  db: Db;
  repo: SecurityRepository;
  accounts: AccountsRepository;
  audit: AuditRepository;
  clock: Clock;
  sms: SmsProvider;
  /** Null in production without MAIL_URL: reset by email is then refused for everyone alike. */
  mailer: Mailer | null;
  publicUrl: () => string;
  logger: { warn(obj: object, msg: string): void };
  limits: { perTargetPerHour: number; perIpPerHour: number };
}

export type ResetRequest = { email: string } | { phone: string; country?: string };

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
// A code is six digits, so its hash is salted with the phone: one table of 10⁶ hashes does not open every number.
const codeHash = (phone: string, code: string) => sha256(`password-reset:${phone}:${code}`);

export function createSecurityService(deps: SecurityServiceDeps) {
  const { db, repo, accounts, clock } = deps;

  /** Sets the password, ends the user's other ways in (sessions, other reset links) and audits it, all in `tx`. */
  async function setPassword(tx: Db, user: UserRow, password: string): Promise<void> {
    checkPassword(password, [user.email ?? '', user.name, user.phone ?? '']);
    await accounts.updateUser(user.id, { passwordHash: await hash(password, ARGON2) }, tx);
  }

  async function deliver(kind: 'email' | 'sms', user: UserRow, target: string, secret: string, locale: Locale): Promise<void> {
    try {
      if (kind === 'sms') {
        await deps.sms.send({ phone: target, code: secret, locale });
        return;
      }
      const url = `${deps.publicUrl()}/reset-password#token=${secret}`;
      await deps.mailer!.send({
        to: target,
        subject: translate('password_reset.email_subject', locale),
        text: translate('password_reset.email_text', locale, { name: user.name, url, minutes: RESET_LINK_TTL_MS / 60_000 }),
      });
    } catch (err) {
      // Reported to nobody but the log: an answer that differed would say the account exists.
      deps.logger.warn({ err: err instanceof Error ? err.message : String(err), userId: user.id, kind }, 'password reset message not sent');
    }
  }

  return {
    /**
     * Sends a reset link (email) or code (SMS) if an account has that address, and answers the
     * same either way: the same rows are written, the same limits count, and the message is
     * sent after the answer, so neither the body nor the time says whether the account exists.
     */
    async requestReset(input: ResetRequest, ctx: { locale: Locale; ip: string | null }): Promise<{ expiresInSeconds: number }> {
      const kind = 'email' in input ? ('email' as const) : ('sms' as const);
      if (kind === 'email' && !deps.mailer) throw new AppError('password_reset.email_unavailable', {}, { status: 503 });
      const target = 'email' in input ? input.email : normalizePhone(input.phone, input.country);
      const now = clock.now();
      const hourAgo = new Date(now.getTime() - 3_600_000);
      if (ctx.ip && (await repo.countResetsForIpSince(ctx.ip, hourAgo)) >= deps.limits.perIpPerHour) {
        throw new AppError('password_reset.too_many', { seconds: 3600 }, { status: 429 });
      }
      if ((await repo.countResetsForTargetSince(target, hourAgo)) >= deps.limits.perTargetPerHour) {
        throw new AppError('password_reset.too_many', { seconds: 3600 }, { status: 429 });
      }
      const found = kind === 'email' ? await accounts.getUserByEmail(target) : await accounts.getUserByPhone(target);
      const user = found && !found.disabled ? found : undefined;
      const secret = kind === 'email' ? randomBytes(32).toString('base64url') : String(randomInt(0, 1_000_000)).padStart(6, '0');
      const ttl = kind === 'email' ? RESET_LINK_TTL_MS : RESET_CODE_TTL_MS;
      await repo.createReset({
        userId: user?.id ?? null,
        channel: kind,
        target,
        secretHash: kind === 'email' ? sha256(secret) : codeHash(target, secret),
        ip: ctx.ip,
        expiresAt: new Date(now.getTime() + ttl),
      });
      if (user) void deliver(kind, user, target, secret, ctx.locale);
      return { expiresInSeconds: ttl / 1000 };
    },

    /** Sets a new password with the emailed link's token; the link works once, and every session ends. */
    async resetWithToken(input: { token: string; password: string }): Promise<void> {
      const now = clock.now();
      await db.transaction(async (tx) => {
        const row = await repo.getEmailResetForUpdate(sha256(input.token), tx);
        const user = row?.userId ? await accounts.getUser(row.userId, tx) : undefined;
        if (!row || !user || user.disabled) throw new AppError('password_reset.invalid');
        if (row.consumedAt) throw new AppError('password_reset.used', {}, { status: 410 });
        if (row.expiresAt <= now) throw new AppError('password_reset.expired', { minutes: RESET_LINK_TTL_MS / 60_000 }, { status: 410 });
        await setPassword(tx, user, input.password);
        await repo.consumeResetsOfUser(user.id, now, tx);
        await accounts.revokeAllSessions(user.id, now, tx);
        await deps.audit.create({ actorId: user.id, action: 'user.password_reset', objectType: 'user', objectId: user.id, data: { via: 'email' } }, tx);
      });
    },

    /** Sets a new password with the texted code; five wrong codes void it, as for sign-in codes. */
    async resetWithCode(input: { phone: string; country?: string; code: string; password: string }): Promise<void> {
      const phone = normalizePhone(input.phone, input.country);
      const now = clock.now();
      // A wrong guess must be counted even though the request fails, so the check commits first.
      const verdict = await db.transaction(async (tx) => {
        const live = await repo.getLiveSmsResetForUpdate(phone, now, tx);
        if (!live) return 'invalid' as const;
        if (live.attempts >= RESET_CODE_MAX_ATTEMPTS) return 'too_many' as const;
        const ok = timingSafeEqual(Buffer.from(live.secretHash, 'hex'), Buffer.from(codeHash(phone, input.code), 'hex'));
        if (!ok) {
          await repo.updateReset(live.id, { attempts: live.attempts + 1 }, tx);
          return live.attempts + 1 >= RESET_CODE_MAX_ATTEMPTS ? ('too_many' as const) : ('invalid' as const);
        }
        return live;
      });
      if (verdict === 'invalid') throw new AppError('password_reset.code_invalid');
      if (verdict === 'too_many') throw new AppError('password_reset.code_too_many', {}, { status: 429 });
      await db.transaction(async (tx) => {
        // Locked again: two requests with the same right code must not both succeed.
        const live = await repo.getLiveSmsResetForUpdate(phone, now, tx);
        const user = live?.id === verdict.id && live.userId ? await accounts.getUser(live.userId, tx) : undefined;
        if (!user || user.disabled) throw new AppError('password_reset.code_invalid');
        await setPassword(tx, user, input.password);
        await repo.consumeResetsOfUser(user.id, now, tx);
        await accounts.revokeAllSessions(user.id, now, tx);
        await deps.audit.create({ actorId: user.id, action: 'user.password_reset', objectType: 'user', objectId: user.id, data: { via: 'sms' } }, tx);
      });
    },

    /**
     * Changes (or, for an account that has none yet, sets) the signed-in user's password and
     * signs out every other session: whoever knew the old password is out everywhere else.
     */
    async changePassword(
      actor: { id: string },
      sessionId: string,
      input: { currentPassword?: string; newPassword: string },
    ): Promise<{ revokedSessions: number }> {
      const user = await accounts.getUser(actor.id);
      if (!user) throw new AppError('user.not_found');
      if (user.passwordHash) {
        if (!input.currentPassword) throw new AppError('password.current_required');
        if (!(await verify(user.passwordHash, input.currentPassword))) throw new AppError('password.current_wrong');
      }
      return db.transaction(async (tx) => {
        await setPassword(tx, user, input.newPassword);
        const revokedSessions = await repo.revokeOtherSessions(user.id, sessionId, clock.now(), tx);
        await repo.consumeResetsOfUser(user.id, clock.now(), tx);
        await deps.audit.create(
          {
            actorId: user.id,
            action: user.passwordHash ? 'user.password_change' : 'user.password_set',
            objectType: 'user',
            objectId: user.id,
            data: { revokedSessions },
          },
          tx,
        );
        return { revokedSessions };
      });
    },

    /** "Sign out everywhere else": every session of the user but this one. */
    async signOutOthers(actor: { id: string }, sessionId: string): Promise<{ revokedSessions: number }> {
      return db.transaction(async (tx) => {
        const revokedSessions = await repo.revokeOtherSessions(actor.id, sessionId, clock.now(), tx);
        await deps.audit.create(
          { actorId: actor.id, action: 'user.sessions_revoke_others', objectType: 'user', objectId: actor.id, data: { revokedSessions } },
          tx,
        );
        return { revokedSessions };
      });
    },

    async cleanup(): Promise<void> {
      await repo.deleteResetsExpiredBefore(new Date(clock.now().getTime() - 7 * 86_400_000));
    },
  };
}

export type SecurityService = ReturnType<typeof createSecurityService>;
