import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Locale } from '../../../contracts/common.js';
import type { Db } from '../../db/client.js';
import type { IdentityRow, UserRow, WechatAppKind, WechatScope } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { AppError, isUniqueViolation } from '../../lib/errors.js';
import type { AccountsRepository } from '../accounts/accounts.repository.js';
import type { JoinCampaign, RequestMeta, SignedIn } from '../accounts/accounts.service.js';
import type { Actor } from '../accounts/permissions.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import { WechatOAuthError, type WechatOAuth } from './wechat.oauth.js';
import type { WechatRepository } from './wechat.repository.js';

/** WeChat's codes live 5 minutes; a state a little longer covers a slow scan. */
const STATE_TTL_MS = 10 * 60_000;
/** Time to type a name and accept the terms after WeChat answered. */
const PENDING_TTL_MS = 15 * 60_000;

export interface WechatApp {
  appId: string;
  secret: string;
}

export interface WechatServiceDeps {
  db: Db;
  repo: WechatRepository;
  accountsRepo: AccountsRepository;
  startSession: (user: UserRow, meta: RequestMeta, tx: Db) => Promise<SignedIn>;
  joinCampaign: JoinCampaign;
  audit: AuditRepository;
  clock: Clock;
  oauth: WechatOAuth;
  /** The 开放平台 website app (QR login on a desktop), when configured. */
  open?: WechatApp;
  /** The 公众号 (authorisation inside WeChat's browser; its openid is the WeChat Pay payee), when configured. */
  mp?: WechatApp;
  publicUrl: () => string;
}

export type WechatFlow = 'qr' | 'mp';

export interface StartInput {
  flow: WechatFlow;
  intent: 'sign_in' | 'link';
  campaignId?: string;
  next?: string;
}

/** What the callback comes to; the route turns each into a redirect (and cookies). */
export type CallbackOutcome =
  | { kind: 'signed_in'; signedIn: SignedIn; next: string }
  | { kind: 'linked'; next: string }
  | { kind: 'pending'; token: string; expiresAt: Date; campaignId: string | null }
  | { kind: 'reauthorize'; url: string; state: string };

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const sameSecret = (a: string, b: string) => timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

/** A same-origin path only: an open redirect through `next` would make a phishing link look like ours. */
export function safeNext(next: string | null | undefined): string | null {
  // Browsers drop tabs and newlines from a URL, so `/\t/evil.example` would become `//evil.example`.
  // eslint-disable-next-line no-control-regex
  if (!next || /[\u0000-\u001f\u007f]/.test(next)) return null;
  if (!next.startsWith('/') || next.startsWith('//') || next.includes('\\') || next.length > 500) return null;
  return next;
}

/**
 * WeChat sign-in, sign-up and linking (docs/wechat.md). The `state` of each authorisation is a
 * random value held in the browser's cookie and, hashed, in a server row: the callback needs
 * both to match, and the row is consumed (single use) before the code is exchanged, so a forged,
 * replayed or expired state is refused before WeChat is asked anything. Identities are found by
 * (app id, openid); a new openid whose unionid is already known joins that person's account.
 */
export function createWechatService(deps: WechatServiceDeps) {
  const { db, repo, clock, oauth } = deps;
  const appOf = (kind: WechatAppKind): WechatApp => {
    const app = kind === 'open' ? deps.open : deps.mp;
    if (!app) throw new AppError('wechat.not_configured', {}, { status: 404 });
    return app;
  };
  const redirectUri = () => `${deps.publicUrl()}/api/auth/wechat/callback`;

  async function newState(
    input: { kind: WechatAppKind; scope: WechatScope; intent: 'sign_in' | 'link'; userId: string | null; campaignId: string | null; next: string | null },
    tx: Db = db,
  ) {
    const app = appOf(input.kind);
    const state = randomBytes(24).toString('base64url');
    await repo.createState(
      {
        stateHash: sha(state),
        appKind: input.kind,
        scope: input.scope,
        intent: input.intent,
        userId: input.userId,
        campaignId: input.campaignId,
        nextPath: input.next,
        expiresAt: new Date(clock.now().getTime() + STATE_TTL_MS),
      },
      tx,
    );
    return { state, url: oauth.authorizeUrl({ kind: input.kind, appId: app.appId, redirectUri: redirectUri(), scope: input.scope, state }) };
  }

  function wechatFailure(err: unknown): never {
    if (err instanceof WechatOAuthError) {
      if (err.codeRejected) throw new AppError('wechat.code_rejected', {}, { status: 400, cause: err });
      throw new AppError('wechat.unavailable', {}, { status: 502, cause: err });
    }
    throw err;
  }

  async function signInAs(user: UserRow, identity: IdentityRow, meta: RequestMeta, campaignId: string | null, tx: Db): Promise<SignedIn> {
    if (user.disabled) throw new AppError('auth.account_disabled');
    await repo.update(identity.id, { lastUsedAt: clock.now() }, tx);
    if (campaignId) await deps.joinCampaign(tx, campaignId, user.id);
    return deps.startSession(user, meta, tx);
  }

  return {
    /** Which buttons to show: QR on a desktop, the 公众号 inside WeChat. */
    available() {
      return { qr: !!deps.open, mp: !!deps.mp };
    },

    /** The WeChat address to send the browser to, and the state for its cookie. Linking needs a session. */
    async start(actor: Actor | null, input: StartInput): Promise<{ url: string; state: string }> {
      if (input.intent === 'link' && !actor) throw new AppError('auth.required');
      const kind: WechatAppKind = input.flow === 'qr' ? 'open' : 'mp';
      // Inside WeChat: silent snsapi_base first (a returning user sees nothing), snsapi_userinfo
      // only when the openid is new (we then need the unionid and a nickname). Linking asks for
      // userinfo at once: the unionid decides whether the WeChat already belongs to someone else.
      const scope: WechatScope = kind === 'open' ? 'snsapi_login' : input.intent === 'link' ? 'snsapi_userinfo' : 'snsapi_base';
      return newState({
        kind,
        scope,
        intent: input.intent,
        userId: input.intent === 'link' ? actor!.id : null,
        campaignId: input.intent === 'sign_in' ? (input.campaignId ?? null) : null,
        next: safeNext(input.next),
      });
    },

    async callback(input: { code?: string; state?: string; cookieState?: string }, meta: RequestMeta): Promise<CallbackOutcome> {
      // The browser that comes back must be the one that left: its cookie holds the same state.
      if (!input.state || !input.cookieState || !sameSecret(input.state, input.cookieState)) throw new AppError('wechat.bad_state', {}, { status: 403 });
      const now = clock.now();
      // Consumed (and committed) before WeChat is called: a replay finds it used whatever happens next.
      const st = await repo.consumeState(sha(input.state), now);
      if (!st) throw new AppError('wechat.bad_state', {}, { status: 403 });
      if (!input.code) throw new AppError('wechat.denied', {}, { status: 400 });
      const app = appOf(st.appKind);
      const token = await oauth.exchangeCode({ appId: app.appId, secret: app.secret, code: input.code }).catch(wechatFailure);
      // A 快照页 virtual account is not a person we can recognise again.
      if (token.isSnapshotUser) throw new AppError('wechat.snapshot_user', {}, { status: 400 });
      const known = await repo.getIdentity(app.appId, token.openid);

      if (st.intent === 'sign_in' && known) {
        const user = await deps.accountsRepo.getUser(known.userId);
        if (!user) throw new AppError('wechat.bad_state', {}, { status: 403 });
        const signedIn = await db.transaction((tx) => signInAs(user, known, meta, st.campaignId, tx));
        return { kind: 'signed_in', signedIn, next: st.nextPath ?? '/account' };
      }
      if (st.intent === 'sign_in' && st.scope === 'snsapi_base') {
        // A new openid inside WeChat: ask again with snsapi_userinfo for the unionid and nickname.
        const again = await newState({ kind: 'mp', scope: 'snsapi_userinfo', intent: 'sign_in', userId: null, campaignId: st.campaignId, next: st.nextPath });
        return { kind: 'reauthorize', ...again };
      }
      const info = st.scope === 'snsapi_base' ? null : await oauth.userInfo({ accessToken: token.accessToken, openid: token.openid }).catch(wechatFailure);
      const unionid = token.unionid ?? info?.unionid ?? null;
      const nickname = info?.nickname?.slice(0, 80) || null;
      const sameUnion = unionid ? await repo.listByUnionid(unionid) : [];

      if (st.intent === 'link') {
        const userId = st.userId!;
        const owners = new Set([...(known ? [known.userId] : []), ...sameUnion.map((i) => i.userId)]);
        if ([...owners].some((id) => id !== userId)) throw new AppError('wechat.linked_elsewhere', {}, { status: 409 });
        if (known) return { kind: 'linked', next: st.nextPath ?? '/account' };
        try {
          await db.transaction(async (tx) => {
            if (await repo.getUserIdentityForApp(userId, app.appId, tx)) throw new AppError('wechat.already_linked', {}, { status: 409 });
            const row = await repo.create({ userId, appId: app.appId, appKind: st.appKind, openid: token.openid, unionid, nickname }, tx);
            await deps.audit.create(
              {
                actorId: userId,
                action: 'wechat.link',
                objectType: 'user',
                objectId: userId,
                data: { identityId: row.id, appKind: st.appKind, via: 'account' },
              },
              tx,
            );
          });
        } catch (err) {
          if (isUniqueViolation(err)) throw new AppError('wechat.linked_elsewhere', {}, { status: 409, cause: err });
          throw err;
        }
        return { kind: 'linked', next: st.nextPath ?? '/account' };
      }

      // Sign-in with an openid new to this app: the same person through the other app (unionid) joins that account.
      const owner = sameUnion[0];
      if (owner) {
        const user = await deps.accountsRepo.getUser(owner.userId);
        if (!user) throw new AppError('wechat.bad_state', {}, { status: 403 });
        try {
          const signedIn = await db.transaction(async (tx) => {
            const row = await repo.create({ userId: user.id, appId: app.appId, appKind: st.appKind, openid: token.openid, unionid, nickname }, tx);
            await deps.audit.create(
              {
                actorId: user.id,
                action: 'wechat.link',
                objectType: 'user',
                objectId: user.id,
                data: { identityId: row.id, appKind: st.appKind, via: 'unionid' },
              },
              tx,
            );
            return signInAs(user, row, meta, st.campaignId, tx);
          });
          return { kind: 'signed_in', signedIn, next: st.nextPath ?? '/account' };
        } catch (err) {
          if (isUniqueViolation(err)) throw new AppError('wechat.already_linked', {}, { status: 409, cause: err });
          throw err;
        }
      }

      // Someone new: they sign up (a name, the terms) with what WeChat told us held server-side.
      const pendingToken = randomBytes(24).toString('base64url');
      const expiresAt = new Date(now.getTime() + PENDING_TTL_MS);
      await repo.createPending({
        tokenHash: sha(pendingToken),
        appId: app.appId,
        appKind: st.appKind,
        openid: token.openid,
        unionid,
        nickname,
        campaignId: st.campaignId,
        nextPath: st.nextPath,
        expiresAt,
      });
      return { kind: 'pending', token: pendingToken, expiresAt, campaignId: st.campaignId };
    },

    /** The waiting sign-up's WeChat nickname (to prefill the name), or 404. */
    async pending(token: string | undefined): Promise<{ nickname: string | null; campaignId: string | null }> {
      const row = token ? await repo.getLivePending(sha(token), clock.now()) : undefined;
      if (!row) throw new AppError('wechat.signup_expired', {}, { status: 404 });
      return { nickname: row.nickname, campaignId: row.campaignId };
    },

    /** Creates the account, its identity, its campaign membership and its session in one transaction. */
    async signUp(
      token: string | undefined,
      input: { name: string; acceptTerms: boolean; locale: Locale },
      meta: RequestMeta,
    ): Promise<{ signedIn: SignedIn; next: string | null }> {
      if (!input.acceptTerms) throw new AppError('wechat.terms_required', {}, { status: 400 });
      if (!token) throw new AppError('wechat.signup_expired', {}, { status: 404 });
      try {
        return await db.transaction(async (tx) => {
          const p = await repo.consumePending(sha(token), clock.now(), tx);
          if (!p) throw new AppError('wechat.signup_expired', {}, { status: 404 });
          const user = await deps.accountsRepo.createUser({ name: input.name, roles: ['contributor'], locale: input.locale }, tx);
          const row = await repo.create(
            { userId: user.id, appId: p.appId, appKind: p.appKind, openid: p.openid, unionid: p.unionid, nickname: p.nickname },
            tx,
          );
          await deps.audit.create(
            {
              actorId: user.id,
              action: 'wechat.link',
              objectType: 'user',
              objectId: user.id,
              data: { identityId: row.id, appKind: p.appKind, via: 'sign_up' },
            },
            tx,
          );
          if (p.campaignId) await deps.joinCampaign(tx, p.campaignId, user.id);
          return { signedIn: await deps.startSession(user, meta, tx), next: p.nextPath };
        });
      } catch (err) {
        // The same WeChat finished signing up in another tab meanwhile.
        if (isUniqueViolation(err)) throw new AppError('wechat.linked_elsewhere', {}, { status: 409, cause: err });
        throw err;
      }
    },

    async list(actor: Actor) {
      const rows = await repo.listByUser(actor.id);
      return rows.map((r) => ({
        id: r.id,
        app: r.appKind,
        nickname: r.nickname,
        linkedAt: r.createdAt.toISOString(),
        payee: r.appKind === 'mp' && r.appId === deps.mp?.appId,
      }));
    },

    /** Refused when it would leave the account no way in: email with a password, a phone, or another WeChat. */
    async unlink(actor: Actor, id: string): Promise<void> {
      await db.transaction(async (tx) => {
        const user = await repo.lockUser(actor.id, tx);
        if (!user) throw new AppError('auth.required');
        const removed = await repo.delete(actor.id, id, tx);
        if (!removed) throw new AppError('wechat.identity_not_found', {}, { status: 404 });
        const others = await repo.listByUser(actor.id, tx);
        // Counted under the account's row lock, so two unlinks at once cannot both pass.
        if (!(user.email && user.passwordHash) && !user.phone && others.length === 0) throw new AppError('wechat.last_sign_in', {}, { status: 409 });
        await deps.audit.create(
          { actorId: actor.id, action: 'wechat.unlink', objectType: 'user', objectId: actor.id, data: { identityId: id, appKind: removed.appKind } },
          tx,
        );
      });
    },

    /** The WeChat Pay payee: this user's openid under the 公众号 the merchant account is bound to. */
    async payee(userId: string, tx: Db = db): Promise<{ appId: string; openid: string } | null> {
      if (!deps.mp) return null;
      const row = await repo.getUserIdentityForApp(userId, deps.mp.appId, tx);
      return row ? { appId: row.appId, openid: row.openid } : null;
    },

    async cleanup(): Promise<void> {
      await repo.deleteOld(new Date(clock.now().getTime() - 86_400_000));
    },
  };
}

export type WechatService = ReturnType<typeof createWechatService>;
