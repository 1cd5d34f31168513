import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { z } from 'zod';
import type { channelAccountBody, ExternalChannelName } from '../../../contracts/distribution.js';
import type { Db } from '../../db/client.js';
import type { ChannelAccountRow, ExternalChannel } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import { assertCan, type Actor } from '../accounts/permissions.js';
import { ChannelError, REFRESH_MARGIN_SECONDS, type ChannelAdapter, type ChannelCredentials } from './channels/channel.js';
import type { CredentialsVault } from './credentials.js';
import type { DistributionRepository } from './distribution.repository.js';

export const EXTERNAL_CHANNELS: readonly ExternalChannel[] = ['weibo', 'wechat', 'toutiao', 'penguin'];

export interface ChannelAccountsDeps {
  db: Db;
  repo: DistributionRepository;
  vault: CredentialsVault;
  adapters: Record<ExternalChannel, ChannelAdapter>;
  audit: AuditRepository;
  clock: Clock;
  logger: FastifyBaseLogger;
  publicUrl: () => string;
  /** Signs the OAuth `state`, so a callback cannot be forged or replayed into another channel. */
  stateSecret: string;
  /** Called after a channel is (re)connected: what failed for want of it goes again. */
  onConnected?: (channel: ExternalChannel) => Promise<unknown>;
}

const STATE_TTL_MS = 15 * 60_000;

/**
 * The platform accounts Paike posts as: credentials sealed at rest, tokens refreshed before
 * they expire (one refresh at a time per channel), and a channel that only a human can fix
 * marked `reconnect` so the admin page prompts for it. Secrets never leave this service.
 */
export function createChannelAccountsService(deps: ChannelAccountsDeps) {
  const { repo, vault, clock } = deps;
  const inflight = new Map<ExternalChannel, Promise<ChannelCredentials>>();

  const redirectUri = (channel: ExternalChannel) => `${deps.publicUrl()}/api/admin/channels/${channel}/callback`;
  const sign = (payload: string) => createHmac('sha256', deps.stateSecret).update(payload).digest('base64url');

  function present(channel: ExternalChannel, row: ChannelAccountRow | undefined) {
    const creds = row?.credentials ? safeOpen(channel, row.credentials) : null;
    return {
      channel,
      status: row?.status ?? ('disconnected' as const),
      enabled: row?.enabled ?? false,
      oauth: Boolean(deps.adapters[channel].authorizeUrl),
      appId: creds?.appId ?? null,
      accountId: creds?.accountId ?? null,
      accessExpiresAt: row?.accessExpiresAt?.toISOString() ?? null,
      refreshExpiresAt: row?.refreshExpiresAt?.toISOString() ?? null,
      lastError: row?.lastError ?? null,
      updatedAt: (row?.updatedAt ?? new Date(0)).toISOString(),
    };
  }

  function safeOpen(channel: ExternalChannel, blob: string): ChannelCredentials | null {
    try {
      return vault.open(channel, blob);
    } catch (err) {
      deps.logger.error({ err, channel }, 'channel credentials cannot be opened (was the key changed?)');
      return null;
    }
  }

  async function store(
    channel: ExternalChannel,
    creds: ChannelCredentials,
    status: ChannelAccountRow['status'],
    actorId: string | null,
    lastError: string | null = null,
    tx: Db = deps.db,
  ) {
    const row = await repo.getAccount(channel, tx);
    return repo.upsertAccount(
      {
        channel,
        credentials: vault.seal(channel, creds),
        status,
        enabled: row?.enabled ?? true,
        accessExpiresAt: creds.accessTokenExpiresAt ? new Date(creds.accessTokenExpiresAt) : null,
        refreshExpiresAt: creds.refreshTokenExpiresAt ? new Date(creds.refreshTokenExpiresAt) : null,
        lastError,
        updatedBy: actorId,
      },
      tx,
    );
  }

  function needsRefresh(creds: ChannelCredentials, now: Date): boolean {
    if (!creds.accessToken || !creds.accessTokenExpiresAt) return true;
    if (Date.parse(creds.accessTokenExpiresAt) - now.getTime() < REFRESH_MARGIN_SECONDS * 1000) return true;
    // A refresh token is kept alive by its adapter, which reports an access expiry that brings
    // Paike back in time (Douyin renews its own a day before it dies). Refreshing earlier on the
    // refresh token's account would not renew it, only repeat the refresh on every call.
    return Boolean(creds.refreshTokenExpiresAt && Date.parse(creds.refreshTokenExpiresAt) - now.getTime() < REFRESH_MARGIN_SECONDS * 1000);
  }

  async function refresh(channel: ExternalChannel, creds: ChannelCredentials): Promise<ChannelCredentials> {
    // One refresh per channel at a time in this process: platforms that rotate refresh tokens
    // invalidate the loser of a race.
    const running = inflight.get(channel);
    if (running) return running;
    const p = (async () => {
      try {
        const fresh = await deps.adapters[channel].refreshCredentials(creds);
        await store(channel, fresh, 'connected', null);
        return fresh;
      } catch (err) {
        if (err instanceof ChannelError && err.errorClass === 'auth_expired') await markReconnect(channel, err.message);
        throw err;
      } finally {
        inflight.delete(channel);
      }
    })();
    inflight.set(channel, p);
    return p;
  }

  async function markReconnect(channel: ExternalChannel, message: string) {
    await repo.updateAccount(channel, { status: 'reconnect', lastError: message });
    deps.logger.warn({ channel }, 'channel needs reconnecting');
  }

  async function list(actor: Actor) {
    assertCan(actor, 'channel.manage');
    const rows = await repo.listAccounts();
    return EXTERNAL_CHANNELS.map((c) =>
      present(
        c,
        rows.find((r) => r.channel === c),
      ),
    );
  }

  return {
    list,
    markReconnect,

    /** Channels to publish to: enabled and connected (or waiting to be reconnected, so their posts wait too). */
    async usableChannels(tx?: Db): Promise<Set<ExternalChannel>> {
      const rows = await repo.listAccounts(tx);
      return new Set(rows.filter((r) => r.enabled && r.credentials && r.status !== 'disconnected').map((r) => r.channel));
    },

    /** Credentials ready for a call: refreshed first when near expiry. */
    async usable(channel: ExternalChannel): Promise<ChannelCredentials> {
      const row = await repo.getAccount(channel);
      if (!row?.credentials || !row.enabled || row.status === 'disconnected') throw new ChannelError('auth_expired', `${channel} is not connected`);
      if (row.status === 'reconnect') throw new ChannelError('auth_expired', row.lastError ?? `${channel} needs reconnecting`);
      const creds = vault.open(channel, row.credentials);
      return needsRefresh(creds, clock.now()) ? refresh(channel, creds) : creds;
    },

    /** The scheduled refresh: every connected account near expiry gets fresh tokens now, not mid-publish. */
    async refreshDue(): Promise<{ refreshed: number; failed: number }> {
      const rows = await repo.accountsExpiringBefore(new Date(clock.now().getTime() + 2 * REFRESH_MARGIN_SECONDS * 1000));
      let refreshed = 0;
      let failed = 0;
      for (const row of rows) {
        if (!row.credentials || !row.enabled) continue;
        const creds = safeOpen(row.channel, row.credentials);
        if (!creds) continue;
        try {
          await refresh(row.channel, creds);
          refreshed++;
        } catch (err) {
          failed++;
          if (!(err instanceof ChannelError)) deps.logger.error({ err, channel: row.channel }, 'token refresh failed');
          else if (err.errorClass !== 'auth_expired') await repo.updateAccount(row.channel, { lastError: err.message });
        }
      }
      return { refreshed, failed };
    },

    /**
     * An admin enters the app's id and secret. Client-credential platforms (WeChat) are
     * checked at once by fetching a token; OAuth ones then need "Connect" (authorizeUrl).
     */
    async save(actor: Actor, channel: ExternalChannelName, body: z.infer<typeof channelAccountBody>) {
      assertCan(actor, 'channel.manage');
      const row = await repo.getAccount(channel);
      const old = row?.credentials ? safeOpen(channel, row.credentials) : null;
      const appSecret = body.appSecret ?? old?.appSecret;
      if (!appSecret) throw new AppError('channel.secret_required');
      const sameApp = old && old.appId === body.appId && !body.appSecret;
      const creds: ChannelCredentials = {
        ...(sameApp ? old : {}),
        appId: body.appId,
        appSecret,
        accountId: body.accountId ?? (sameApp ? old?.accountId : undefined),
        extra: body.extra ?? (sameApp ? old?.extra : undefined),
      };
      const adapter = deps.adapters[channel];
      let status: ChannelAccountRow['status'] = sameApp && row ? row.status : 'disconnected';
      let lastError: string | null = null;
      let saved = creds;
      if (!adapter.authorizeUrl) {
        try {
          saved = await adapter.refreshCredentials(creds);
          status = 'connected';
        } catch (err) {
          if (!(err instanceof ChannelError)) throw err;
          status = 'reconnect';
          lastError = err.message;
        }
      }
      await deps.db.transaction(async (tx) => {
        await store(channel, saved, status, actor.id, lastError, tx);
        await repo.updateAccount(channel, { enabled: body.enabled }, tx);
        await deps.audit.create(
          { actorId: actor.id, action: 'channel.save', objectType: 'channel', objectId: null, data: { channel, appId: body.appId, status } },
          tx,
        );
      });
      if (status === 'connected') await deps.onConnected?.(channel);
      return present(channel, await repo.getAccount(channel));
    },

    /** Where to send the admin to grant Paike access (OAuth platforms). */
    async authorizeUrl(actor: Actor, channel: ExternalChannelName): Promise<string> {
      assertCan(actor, 'channel.manage');
      const adapter = deps.adapters[channel];
      const row = await repo.getAccount(channel);
      const creds = row?.credentials ? safeOpen(channel, row.credentials) : null;
      if (!adapter.authorizeUrl || !creds) throw new AppError('channel.not_oauth', { channel });
      const payload = `${channel}.${actor.id}.${clock.now().getTime() + STATE_TTL_MS}.${randomBytes(9).toString('base64url')}`;
      return adapter.authorizeUrl(creds, redirectUri(channel), `${payload}.${sign(payload)}`);
    },

    /**
     * The platform sends the admin back here with a code: exchange it for tokens. The state is
     * bound to the admin who started the connect, in their own session: a state that leaked
     * (browser history, a log) cannot link someone else's platform account to Paike.
     */
    async callback(actor: Actor, channel: ExternalChannelName, code: string, state: string) {
      assertCan(actor, 'channel.manage');
      const parts = state.split('.');
      const mac = parts.pop() ?? '';
      const payload = parts.join('.');
      const [stateChannel, stateActorId, expires] = parts;
      const expected = Buffer.from(sign(payload));
      const given = Buffer.from(mac);
      if (
        stateChannel !== channel ||
        stateActorId !== actor.id ||
        expected.length !== given.length ||
        !timingSafeEqual(expected, given) ||
        Number(expires) < clock.now().getTime()
      )
        throw new AppError('channel.bad_state');
      const actorId = actor.id;
      const adapter = deps.adapters[channel];
      const row = await repo.getAccount(channel);
      const creds = row?.credentials ? safeOpen(channel, row.credentials) : null;
      if (!adapter.exchangeCode || !creds) throw new AppError('channel.not_oauth', { channel });
      try {
        const fresh = await adapter.exchangeCode(creds, code, redirectUri(channel));
        await store(channel, fresh, 'connected', actorId);
      } catch (err) {
        if (!(err instanceof ChannelError)) throw err;
        await repo.updateAccount(channel, { status: 'reconnect', lastError: err.message });
        throw new AppError('channel.connect_failed', { channel, reason: err.message });
      }
      await deps.audit.create({ actorId, action: 'channel.connect', objectType: 'channel', objectId: null, data: { channel } });
      await deps.onConnected?.(channel);
    },

    async disconnect(actor: Actor, channel: ExternalChannelName) {
      assertCan(actor, 'channel.manage');
      await repo.updateAccount(channel, {
        credentials: null,
        status: 'disconnected',
        accessExpiresAt: null,
        refreshExpiresAt: null,
        lastError: null,
        updatedBy: actor.id,
      });
      await deps.audit.create({ actorId: actor.id, action: 'channel.disconnect', objectType: 'channel', objectId: null, data: { channel } });
      return list(actor);
    },
  };
}
export type ChannelAccounts = ReturnType<typeof createChannelAccountsService>;
