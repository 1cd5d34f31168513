import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { Publication } from '../../../contracts/distribution.js';
import { CHANNELS, CHANNEL_LIMITS, type Channel } from '../../../contracts/packaging.limits.js';
import type { Db } from '../../db/client.js';
import type { ExternalChannel, PublicationErrorClass, PublicationEventRow, PublicationRow, SubmissionRow } from '../../db/schema.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import type { Storage } from '../../lib/storage.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import { assertCan, type Actor } from '../accounts/permissions.js';
import type { PackagingRepository } from '../packaging/packaging.repository.js';
import type { SubmissionsRepository } from '../submissions/submissions.repository.js';
import {
  ChannelError,
  type ChannelAdapter,
  type Checkpoint,
  type MetricsSample,
  type PublishInput,
  type PublishResult,
  type PublishedRef,
} from './channels/channel.js';
import type { ChannelAccounts } from './channel-accounts.service.js';
import type { DistributionRepository } from './distribution.repository.js';
import type { Renditions } from './rendition.js';

export interface MetricsSink {
  recordSample(publicationId: string, sample: MetricsSample, at: Date): Promise<unknown>;
}

export interface PublishingDeps {
  db: Db;
  repo: DistributionRepository;
  submissionsRepo: SubmissionsRepository;
  packagingRepo: PackagingRepository;
  accounts: ChannelAccounts;
  adapters: Record<Channel, ChannelAdapter>;
  renditions: Renditions;
  storage: Storage;
  jobs: JobQueue;
  audit: AuditRepository;
  clock: Clock;
  logger: FastifyBaseLogger;
  metrics: MetricsSink;
  workDir: string;
  publicUrl: () => string;
  /** Minutes between adoption and the first attempt, for editors to package (they can publish at once). */
  holdMinutes: number;
  /** Attempts before a transient failure stays failed (an editor can retry). */
  maxAttempts: number;
  /** The desk's studio scope: an editor acts only on videos routed to their studio (chief editors on all). */
  assertInScope?: (actor: Actor, submissionId: string) => Promise<void>;
  /** Tells the contributor their video is out on a channel (in the app and by email), once per publication. */
  notify?: (n: { userId: string; kind: 'publication'; submissionId: string; params: Record<string, string>; dedupeKey: string }, tx: Db) => Promise<unknown>;
}

const LEASE_MS = 50 * 60_000;
const METRICS_CLAIM_MS = 10 * 60_000;
const RATE_LIMIT_ATTEMPTS_FACTOR = 3;

/** Exponential backoff from 30 s, capped at an hour. */
export function backoffSeconds(attempt: number): number {
  return Math.min(3600, 30 * 2 ** Math.max(0, attempt - 1));
}

export const idempotencyKey = (submissionId: string, channel: Channel) => `pub:${submissionId}:${channel}`;

/** Trims to `max` characters (Chinese characters count one), ending with … when cut. */
export function fitText(s: string, max: number): string {
  const chars = [...s.trim()];
  return chars.length <= max ? chars.join('') : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

function presentEvent(e: PublicationEventRow) {
  return {
    at: e.at.toISOString(),
    status: e.status,
    errorClass: (e.errorClass as PublicationErrorClass | null) ?? null,
    message: e.message,
    actorId: e.actorId,
  };
}

export function presentPublication(p: PublicationRow, events: PublicationEventRow[] = []): Publication {
  return {
    id: p.id,
    submissionId: p.submissionId,
    channel: p.channel,
    status: p.status,
    notBefore: p.notBefore?.toISOString() ?? null,
    url: p.url,
    externalId: p.externalId,
    attempts: p.attempts,
    errorClass: p.errorClass,
    error: p.error,
    publishedAt: p.publishedAt?.toISOString() ?? null,
    unpublishedAt: p.unpublishedAt?.toISOString() ?? null,
    figures: { views: p.views, likes: p.likes, shares: p.shares, comments: p.comments, at: p.metricsAt?.toISOString() ?? null },
    events: events.map(presentEvent),
  };
}

const isExternal = (c: Channel): c is ExternalChannel => c !== 'app' && c !== 'kiosk';

/**
 * Every adopted video to every channel. Adoption leaves an outbox row; `dispatch` turns it
 * into one publication per channel (own site, kiosks, and each connected platform), each
 * with a fixed idempotency key. A worker takes a publication under a lease, resumes the
 * adapter from its checkpoint, and answers each failure class the way the issue asks:
 * auth_expired → the channel needs reconnecting (the publication waits, and is queued again
 * on reconnect); rate_limited → back off as the platform says; content_rejected → failed,
 * with the platform's reason for the editor; transient → retry with backoff.
 */
export function createPublishingService(deps: PublishingDeps) {
  const { repo, clock } = deps;
  const after = (seconds: number) => new Date(clock.now().getTime() + seconds * 1000);

  async function event(
    p: { id: string },
    status: string,
    extra: { errorClass?: PublicationErrorClass | null; message?: string | null; actorId?: string | null } = {},
    tx?: Db,
  ) {
    await repo.addEvent({ publicationId: p.id, status, ...extra }, tx);
  }

  // Jobs may be duplicated (an early one for the hold and a "publish now" one, say): the
  // not-before check and the lease in `publish` make every copy after the first a no-op.
  async function enqueue(p: Pick<PublicationRow, 'id' | 'notBefore'>, tx?: Db) {
    const startAfter = p.notBefore && p.notBefore > clock.now() ? p.notBefore : undefined;
    await deps.jobs.send('distribution.publish', { publicationId: p.id }, { tx, startAfter });
  }

  /** What the platform gets: the editor's package for the channel, or one made from the contributor's title within the channel's limits. */
  async function buildInput(pub: PublicationRow, sub: SubmissionRow, scratch: string): Promise<PublishInput> {
    const pkg = (await deps.packagingRepo.listPackages(sub.id)).find((p) => p.channel === pub.channel);
    const limits = CHANNEL_LIMITS[pub.channel];
    const headline = pkg?.headline ?? fitText(sub.title, limits.headline[1]);
    const coverKey = pkg?.coverKey ?? sub.outputs?.poster ?? null;
    return {
      idempotencyKey: pub.idempotencyKey,
      publicationId: pub.id,
      submissionId: sub.id,
      // Toutiao wants at least 5 characters: a very short title is followed by the programme's name.
      headline: [...headline].length < limits.headline[0] ? fitText(`${headline}｜拍客视频`, limits.headline[1]) : headline,
      summary: pkg?.summary ?? fitText(sub.description ?? '', limits.summary),
      tags: pkg?.tags ?? [],
      credit: pkg?.credit ?? '',
      pageUrl: `${deps.publicUrl()}/v/${sub.id}`,
      video: (opts) => deps.renditions.mp4(sub, opts ?? {}, path.join(scratch, 'video')),
      async cover() {
        if (!coverKey) return null;
        const info = await deps.storage.stat(coverKey);
        if (!info) return null;
        return { path: await deps.storage.localCopy(coverKey, path.join(scratch, 'cover')), bytes: info.size, mime: 'image/jpeg' };
      },
    };
  }

  function checkpointOf(pub: PublicationRow): Checkpoint {
    const state: Record<string, string | number> = { ...pub.checkpoint };
    return {
      state,
      async save(patch) {
        Object.assign(state, await repo.saveCheckpoint(pub.id, patch));
      },
    };
  }

  function refOf(pub: PublicationRow): PublishedRef {
    return { externalId: pub.externalId ?? '', url: pub.url, publishedAt: pub.publishedAt ?? pub.updatedAt, checkpoint: checkpointOf(pub) };
  }

  async function credentialsFor(channel: Channel) {
    return isExternal(channel) ? deps.accounts.usable(channel) : { appId: '', appSecret: '' };
  }

  async function goneLive(pub: PublicationRow, r: Extract<PublishResult, { kind: 'live' }>) {
    const now = clock.now();
    const adapter = deps.adapters[pub.channel];
    await deps.db.transaction(async (tx) => {
      await repo.update(
        pub.id,
        {
          status: 'live',
          externalId: r.externalId,
          url: r.url,
          publishedAt: now,
          errorClass: null,
          error: null,
          leaseUntil: null,
          metricsDueAt: new Date(now.getTime() + adapter.metricsIntervalMinutes * 60_000),
        },
        tx,
      );
      await event(pub, 'live', { message: r.url }, tx);
      const sub = await deps.submissionsRepo.get(pub.submissionId, tx);
      if (sub && deps.notify)
        await deps.notify(
          { userId: sub.userId, kind: 'publication', submissionId: sub.id, params: { channel: pub.channel }, dedupeKey: `publication:${pub.id}` },
          tx,
        );
    });
  }

  /** Answers a failure by its class. Returns the row as left. */
  async function failed(pub: PublicationRow, err: unknown, verb: 'publish' | 'unpublish'): Promise<void> {
    const ce =
      err instanceof ChannelError
        ? err
        : new ChannelError('transient', err instanceof AppError ? err.code : 'an unexpected error inside Paike (see the server log)');
    if (!(err instanceof ChannelError)) deps.logger.error({ err, publicationId: pub.id }, 'publication failed unexpectedly');
    const now = clock.now();
    const attempts = pub.attempts;
    const retryStatus = verb === 'publish' ? 'queued' : 'unpublishing';
    const failStatus = verb === 'publish' ? 'failed' : 'live';
    let retryIn: number | null = null;
    if (ce.errorClass === 'transient' && attempts < deps.maxAttempts) retryIn = backoffSeconds(attempts);
    if (ce.errorClass === 'rate_limited' && attempts < deps.maxAttempts * RATE_LIMIT_ATTEMPTS_FACTOR)
      retryIn = Math.max(ce.details.retryAfterSeconds ?? 0, backoffSeconds(attempts));
    if (ce.errorClass === 'auth_expired' && isExternal(pub.channel)) await deps.accounts.markReconnect(pub.channel, ce.message);

    await deps.db.transaction(async (tx) => {
      if (retryIn !== null) {
        const notBefore = new Date(now.getTime() + retryIn * 1000);
        await repo.update(pub.id, { status: retryStatus, errorClass: ce.errorClass, error: ce.message, notBefore, leaseUntil: null }, tx);
        await event(pub, 'retrying', { errorClass: ce.errorClass, message: `${ce.message} (attempt ${attempts}; next in ${retryIn} s)` }, tx);
        if (verb === 'publish') await deps.jobs.send('distribution.publish', { publicationId: pub.id }, { tx, startAfter: notBefore });
        else await deps.jobs.send('distribution.unpublish', { publicationId: pub.id }, { tx, startAfter: notBefore });
      } else {
        await repo.update(pub.id, { status: failStatus, errorClass: ce.errorClass, error: ce.message, leaseUntil: null }, tx);
        await event(pub, verb === 'publish' ? 'failed' : 'unpublish_failed', { errorClass: ce.errorClass, message: ce.message }, tx);
      }
    });
  }

  async function withScratch<T>(pubId: string, fn: (dir: string) => Promise<T>): Promise<T> {
    const dir = path.join(deps.workDir, `publish-${pubId}-${Date.now()}`);
    await mkdir(dir, { recursive: true });
    try {
      return await fn(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async function desk(submissionId: string) {
    const [pubs, accounts] = await Promise.all([repo.listBySubmission(submissionId), deps.accounts.usableChannels()]);
    const events = await repo.listEvents(
      pubs.map((p) => p.id),
      20,
    );
    return CHANNELS.map((channel) => {
      const pub = pubs.find((p) => p.channel === channel);
      return {
        channel,
        connected: !isExternal(channel) || accounts.has(channel),
        publication: pub
          ? presentPublication(
              pub,
              events.filter((e) => e.publicationId === pub.id),
            )
          : null,
      };
    });
  }

  async function forEditor(actor: Actor, publicationId: string): Promise<PublicationRow> {
    assertCan(actor, 'distribution.publish');
    const pub = await repo.get(publicationId);
    if (!pub) throw new AppError('publication.not_found');
    await deps.assertInScope?.(actor, pub.submissionId);
    return pub;
  }

  return {
    /** Outbox → publications. Idempotent: a second run (or a second worker) finds the outbox row processed. */
    async dispatch(submissionId: string): Promise<PublicationRow[]> {
      const usable = await deps.accounts.usableChannels();
      return deps.db.transaction(async (tx) => {
        const box = await repo.lockOutboxFor(submissionId, tx);
        if (!box || box.processedAt) return [];
        const sub = await deps.submissionsRepo.get(submissionId, tx);
        await repo.markOutboxProcessed(box.id, tx);
        if (!sub || sub.status !== 'adopted') return [];
        const notBefore = new Date(Math.max(clock.now().getTime(), (sub.adoptedAt ?? clock.now()).getTime() + deps.holdMinutes * 60_000));
        const channels = CHANNELS.filter((c) => !isExternal(c) || usable.has(c));
        const created = await repo.createPublications(
          channels.map((channel) => ({ submissionId, channel, status: 'queued' as const, idempotencyKey: idempotencyKey(submissionId, channel), notBefore })),
          tx,
        );
        for (const p of created) {
          await event(p, 'queued', { message: `not before ${notBefore.toISOString()}` }, tx);
          await enqueue(p, tx);
        }
        return created;
      });
    },

    /** Channels connected after a video was adopted: queue it there too (the desk's "publish here" button). */
    async addChannel(actor: Actor, submissionId: string, channel: Channel) {
      assertCan(actor, 'distribution.publish');
      await deps.assertInScope?.(actor, submissionId);
      const sub = await deps.submissionsRepo.get(submissionId);
      if (!sub) throw new AppError('submission.not_found');
      if (sub.status !== 'adopted') throw new AppError('desk.not_adopted');
      if (isExternal(channel) && !(await deps.accounts.usableChannels()).has(channel)) throw new AppError('channel.not_connected', { channel });
      await deps.db.transaction(async (tx) => {
        const [p] = await repo.createPublications([{ submissionId, channel, status: 'queued', idempotencyKey: idempotencyKey(submissionId, channel) }], tx);
        if (!p) return;
        await event(p, 'queued', { actorId: actor.id }, tx);
        await enqueue(p, tx);
      });
      return desk(submissionId);
    },

    /** One attempt (the `distribution.publish` job). */
    async publish(publicationId: string): Promise<void> {
      const now = clock.now();
      const current = await repo.get(publicationId);
      if (!current || (current.status !== 'queued' && current.status !== 'publishing')) return;
      if (current.notBefore && current.notBefore > now) {
        // Scheduled later (or backing off): a job that woke early puts itself back.
        await deps.jobs.send('distribution.publish', { publicationId }, { startAfter: current.notBefore });
        return;
      }
      const pub = await repo.claim(publicationId, ['queued', 'publishing'], now, new Date(now.getTime() + LEASE_MS), { status: 'publishing' });
      if (!pub) return; // another worker holds it
      await event(pub, 'publishing', { message: `attempt ${pub.attempts}` });
      try {
        const sub = await deps.submissionsRepo.get(pub.submissionId);
        if (!sub || sub.status !== 'adopted') throw new ChannelError('content_rejected', 'the video is no longer adopted');
        const creds = await credentialsFor(pub.channel);
        const result = await withScratch(pub.id, async (dir) => deps.adapters[pub.channel].publish(await buildInput(pub, sub, dir), creds, checkpointOf(pub)));
        if (result.kind === 'live') return await goneLive(pub, result);
        await deps.db.transaction(async (tx) => {
          await repo.update(pub.id, { status: 'pending', leaseUntil: null, errorClass: null, error: null }, tx);
          await event(pub, 'pending', { message: 'submitted; the platform is reviewing it' }, tx);
          await deps.jobs.send('distribution.status', { publicationId: pub.id }, { tx, startAfter: after(result.pollAfterSeconds) });
        });
      } catch (err) {
        await failed(await repo.get(pub.id).then((p) => p ?? pub), err, 'publish');
      }
    },

    /** Asks the platform about a submitted post (WeChat's freepublish). */
    async checkStatus(publicationId: string): Promise<void> {
      const pub = await repo.get(publicationId);
      if (!pub || pub.status !== 'pending') return;
      const adapter = deps.adapters[pub.channel];
      try {
        if (!adapter.checkStatus) throw new ChannelError('transient', 'this channel cannot be asked about a pending post');
        const result = await adapter.checkStatus(await credentialsFor(pub.channel), checkpointOf(pub));
        if (result.kind === 'live') return await goneLive(pub, result);
        await deps.jobs.send('distribution.status', { publicationId }, { startAfter: after(result.pollAfterSeconds) });
      } catch (err) {
        const ce = err instanceof ChannelError ? err : new ChannelError('transient', 'unexpected error while asking the platform');
        if (ce.errorClass === 'content_rejected' || ce.errorClass === 'auth_expired') {
          if (ce.errorClass === 'auth_expired' && isExternal(pub.channel)) await deps.accounts.markReconnect(pub.channel, ce.message);
          await deps.db.transaction(async (tx) => {
            await repo.update(pub.id, { status: 'failed', errorClass: ce.errorClass, error: ce.message }, tx);
            await event(pub, 'failed', { errorClass: ce.errorClass, message: ce.message }, tx);
          });
          return;
        }
        // Still pending: ask again later, slower after each miss.
        await repo.update(pub.id, { errorClass: ce.errorClass, error: ce.message });
        await deps.jobs.send('distribution.status', { publicationId }, { startAfter: after(Math.max(ce.details.retryAfterSeconds ?? 0, 300)) });
      }
    },

    async unpublishNow(publicationId: string): Promise<void> {
      const now = clock.now();
      const pub = await repo.claim(publicationId, ['unpublishing'], now, new Date(now.getTime() + LEASE_MS), {});
      if (!pub) return;
      try {
        await deps.adapters[pub.channel].unpublish(refOf(pub), await credentialsFor(pub.channel));
        await deps.db.transaction(async (tx) => {
          await repo.update(pub.id, { status: 'unpublished', unpublishedAt: clock.now(), leaseUntil: null, errorClass: null, error: null }, tx);
          await event(pub, 'unpublished', {}, tx);
        });
      } catch (err) {
        await failed(await repo.get(pub.id).then((p) => p ?? pub), err, 'unpublish');
      }
    },

    /** Pulls one live publication's figures (the `distribution.metrics-pull` job). */
    async pullMetrics(publicationId: string): Promise<void> {
      const pub = await repo.get(publicationId);
      if (!pub || pub.status !== 'live') return;
      const adapter = deps.adapters[pub.channel];
      const now = clock.now();
      let due = new Date(now.getTime() + adapter.metricsIntervalMinutes * 60_000);
      try {
        const sample = await adapter.fetchMetrics(refOf(pub), await credentialsFor(pub.channel));
        await deps.metrics.recordSample(pub.id, sample, now);
      } catch (err) {
        const ce = err instanceof ChannelError ? err : new ChannelError('transient', 'unexpected error while reading figures');
        if (!(err instanceof ChannelError)) deps.logger.error({ err, publicationId }, 'metrics pull failed unexpectedly');
        if (ce.errorClass === 'auth_expired' && isExternal(pub.channel)) await deps.accounts.markReconnect(pub.channel, ce.message);
        if (ce.errorClass === 'rate_limited' && ce.details.retryAfterSeconds)
          due = new Date(now.getTime() + Math.max(ce.details.retryAfterSeconds * 1000, adapter.metricsIntervalMinutes * 60_000));
        await event(pub, 'metrics_failed', { errorClass: ce.errorClass, message: ce.message });
      }
      await repo.update(pub.id, { metricsDueAt: due });
    },

    /** The scheduled sweep: queues metric pulls that are due, and recovers work a crash left behind. */
    async sweep(): Promise<{ metrics: number; outbox: number; requeued: number }> {
      const now = clock.now();
      // Claimed by moving their due time on, so a backlog of pulls is not queued again every minute.
      const due = await repo.claimDueMetrics(now, new Date(now.getTime() + METRICS_CLAIM_MS), 500);
      for (const p of due) await deps.jobs.send('distribution.metrics-pull', { publicationId: p.id });
      const outbox = await repo.pendingOutbox(100);
      for (const o of outbox) await deps.jobs.send('distribution.dispatch', { submissionId: o.submissionId });
      let requeued = 0;
      for (const p of await repo.staleLeases(now, 100)) {
        await event(p, 'recovered', { message: 'the worker handling this stopped; trying again' });
        await repo.update(p.id, { leaseUntil: null });
        await deps.jobs.send(p.status === 'unpublishing' ? 'distribution.unpublish' : 'distribution.publish', { publicationId: p.id });
        requeued++;
      }
      // Queued rows whose time came long ago but whose job is gone (e.g. a queue wiped by hand).
      for (const p of await repo.queuedDue(new Date(now.getTime() - 10 * 60_000), 100)) {
        await enqueue(p);
        requeued++;
      }
      return { metrics: due.length, outbox: outbox.length, requeued };
    },

    /** After an admin reconnects a channel: everything that failed for want of it goes again. */
    async requeueAfterReconnect(channel: ExternalChannel): Promise<number> {
      const rows = await repo.failedForAuth(channel);
      for (const p of rows) {
        await deps.db.transaction(async (tx) => {
          const moved = await repo.transition(p.id, ['failed'], { status: 'queued', notBefore: null, attempts: 0, errorClass: null, error: null }, tx);
          if (!moved) return;
          await event(p, 'queued', { message: 'channel reconnected' }, tx);
          await enqueue(moved, tx);
        });
      }
      return rows.length;
    },

    // ---- the desk ----
    async forSubmission(actor: Actor, submissionId: string) {
      assertCan(actor, 'desk.access');
      await deps.assertInScope?.(actor, submissionId);
      return desk(submissionId);
    },

    /**
     * Retry button: a failed publication goes again from its checkpoint (never a second post).
     * An unpublished one goes out again as a new post: its checkpoint named the post taken down.
     */
    async retry(actor: Actor, publicationId: string) {
      const pub = await forEditor(actor, publicationId);
      await deps.db.transaction(async (tx) => {
        const again = { status: 'queued' as const, notBefore: null, attempts: 0, errorClass: null, error: null };
        const moved =
          (await repo.transition(pub.id, ['failed'], again, tx)) ??
          (await repo.transition(
            pub.id,
            ['unpublished'],
            { ...again, checkpoint: {}, externalId: null, url: null, publishedAt: null, unpublishedAt: null },
            tx,
          ));
        if (!moved) {
          if (pub.status === 'queued' || pub.status === 'publishing' || pub.status === 'pending') return; // already on its way
          throw new AppError('publication.not_retryable', { status: pub.status });
        }
        await event(pub, 'queued', { actorId: actor.id, message: 'retry' }, tx);
        await deps.audit.create(
          { actorId: actor.id, action: 'publication.retry', objectType: 'publication', objectId: pub.id, data: { channel: pub.channel } },
          tx,
        );
        await enqueue(moved, tx);
      });
      return desk(pub.submissionId);
    },

    /** Moves a publication that has not gone out yet: to a time, or (null) to now. */
    async schedule(actor: Actor, publicationId: string, at: Date | null) {
      const pub = await forEditor(actor, publicationId);
      if (at && at.getTime() < clock.now().getTime() - 60_000) throw new AppError('publication.schedule_in_past');
      await deps.db.transaction(async (tx) => {
        const moved = await repo.transition(pub.id, ['queued', 'failed'], { status: 'queued', notBefore: at, errorClass: null, error: null }, tx);
        if (!moved) throw new AppError('publication.not_schedulable', { status: pub.status });
        await event(pub, 'scheduled', { actorId: actor.id, message: at ? at.toISOString() : 'now' }, tx);
        await deps.audit.create(
          {
            actorId: actor.id,
            action: 'publication.schedule',
            objectType: 'publication',
            objectId: pub.id,
            data: { channel: pub.channel, at: at?.toISOString() ?? null },
          },
          tx,
        );
        await enqueue(moved, tx);
      });
      return desk(pub.submissionId);
    },

    /** Takes a video down from a channel (or stops it going out, when it has not yet). */
    async unpublish(actor: Actor, publicationId: string) {
      const pub = await forEditor(actor, publicationId);
      await deps.db.transaction(async (tx) => {
        const cancelled = await repo.transition(
          pub.id,
          ['queued', 'failed'],
          { status: 'unpublished', unpublishedAt: clock.now(), errorClass: null, error: null },
          tx,
        );
        if (cancelled) {
          await event(pub, 'unpublished', { actorId: actor.id, message: 'cancelled before going out' }, tx);
        } else {
          const moved = await repo.transition(pub.id, ['live', 'pending'], { status: 'unpublishing', attempts: 0 }, tx);
          if (!moved) {
            if (pub.status === 'unpublishing' || pub.status === 'unpublished') return;
            throw new AppError('publication.not_unpublishable', { status: pub.status });
          }
          await event(pub, 'unpublishing', { actorId: actor.id }, tx);
          await deps.jobs.send('distribution.unpublish', { publicationId: pub.id }, { tx });
        }
        await deps.audit.create(
          { actorId: actor.id, action: 'publication.unpublish', objectType: 'publication', objectId: pub.id, data: { channel: pub.channel } },
          tx,
        );
      });
      return desk(pub.submissionId);
    },
  };
}
export type PublishingService = ReturnType<typeof createPublishingService>;
