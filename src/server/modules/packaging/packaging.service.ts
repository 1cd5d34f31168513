import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { CHANNEL_LIMITS, type Channel } from '../../../contracts/packaging.js';
import type { Db } from '../../db/client.js';
import type { SubmissionRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import type { Storage } from '../../lib/storage.js';
import { assertCan, type Actor } from '../accounts/permissions.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import { extractFrames } from '../media/frames.js';
import type { ProbeFacts } from '../media/probe.js';
import type { SubmissionsRepository } from '../submissions/submissions.repository.js';
import { submissionPrefix } from '../submissions/submissions.service.js';
import type { StudioScope } from '../desk/desk.scope.js';
import type { PackagingRepository } from './packaging.repository.js';

const COVER_CANDIDATES = 6;

export interface PackagingDeps {
  db: Db;
  repo: PackagingRepository;
  submissionsRepo: SubmissionsRepository;
  storage: Storage;
  audit: AuditRepository;
  clock: Clock;
  workDir: string;
  ffmpeg: { threads: number; timeoutMs: number };
  /** The desk's studio scope (desk.scope.ts): packaging and picks only for items the editor may work on. */
  scope: StudioScope;
}

/** Today's date in Asia/Shanghai as YYYY-MM-DD (China keeps UTC+8 all year). */
export function shanghaiDay(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

const mediaUrl = (key: string | null | undefined) => (key ? `/api/media/${key}` : null);

export function createPackagingService(deps: PackagingDeps) {
  const { repo } = deps;

  /** An adopted video the actor may work on; scope before status, so another studio learns nothing of it. */
  async function adopted(actor: Actor, id: string): Promise<SubmissionRow> {
    assertCan(actor, 'desk.review');
    const row = await deps.scope.assertCoversId(actor, id);
    if (row.status !== 'adopted') throw new AppError('desk.not_adopted');
    return row;
  }

  /** A day's pick belongs to the studio of its video: replacing or clearing it is working on that video. */
  async function assertPickInScope(actor: Actor, day: string): Promise<void> {
    const current = await repo.getPick(day);
    if (current) await deps.scope.assertCovers(actor, { id: current.submissionId });
  }

  /** A cover must be one of this submission's own frames: its poster or a candidate. */
  function checkCover(id: string, key: string | null): void {
    if (key === null) return;
    const prefix = submissionPrefix(id);
    if (key !== `${prefix}/poster.jpg` && !new RegExp(`^${prefix}/covers/\\d+\\.jpg$`).test(key)) throw new AppError('package.bad_cover');
  }

  function count(s: string): number {
    return [...s].length;
  }

  function presentPackage(p: Awaited<ReturnType<PackagingRepository['listPackages']>>[number]) {
    return {
      channel: p.channel as Channel,
      headline: p.headline,
      summary: p.summary,
      tags: p.tags,
      coverKey: p.coverKey,
      coverUrl: mediaUrl(p.coverKey),
      credit: p.credit,
      updatedAt: p.updatedAt.toISOString(),
    };
  }

  return {
    async list(actor: Actor, id: string) {
      await adopted(actor, id);
      return (await repo.listPackages(id)).map(presentPackage);
    },

    /** One channel's headline, summary, tags, cover and credit, within that channel's limits. */
    async save(
      actor: Actor,
      id: string,
      channel: Channel,
      body: { headline: string; summary: string; tags: string[]; coverKey: string | null; credit: string },
    ) {
      await adopted(actor, id);
      const limits = CHANNEL_LIMITS[channel];
      const [min, max] = limits.headline;
      const h = count(body.headline);
      if (h < min || h > max) throw new AppError('package.length', { field: 'headline', channel, min, max, actual: h });
      if (count(body.summary) > limits.summary)
        throw new AppError('package.length', { field: 'summary', channel, min: 0, max: limits.summary, actual: count(body.summary) });
      if (count(body.credit) > limits.credit)
        throw new AppError('package.length', { field: 'credit', channel, min: 0, max: limits.credit, actual: count(body.credit) });
      if (body.tags.length > limits.tags) throw new AppError('package.too_many_tags', { channel, max: limits.tags });
      checkCover(id, body.coverKey);
      const saved = await deps.db.transaction(async (tx) => {
        const row = await repo.upsertPackage({ submissionId: id, channel, ...body, tags: [...new Set(body.tags)], updatedBy: actor.id }, tx);
        await deps.audit.create({ actorId: actor.id, action: 'package.save', objectType: 'submission', objectId: id, data: { channel } }, tx);
        return row;
      });
      return presentPackage(saved);
    },

    /** Candidate cover frames, made once from the original and kept beside the other outputs. */
    async covers(actor: Actor, id: string) {
      const row = await adopted(actor, id);
      const keys = Array.from({ length: COVER_CANDIDATES }, (_, i) => `${submissionPrefix(id)}/covers/${i}.jpg`);
      const facts = row.probe as unknown as ProbeFacts | null;
      const duration = facts?.durationSeconds ?? 0;
      const times = keys.map((_, i) => Math.round(duration * (0.05 + (0.9 * (i + 0.5)) / COVER_CANDIDATES) * 10) / 10);
      if (!(await deps.storage.stat(keys[0]!)) && facts && row.outputs?.original) {
        const work = path.join(deps.workDir, `${id}-covers`);
        await mkdir(work, { recursive: true });
        try {
          const input = await deps.storage.localCopy(row.outputs.original, path.join(work, 'in'));
          const outs = keys.map((_, i) => path.join(work, `${i}.jpg`));
          await extractFrames({ input, facts, outPaths: outs, ...deps.ffmpeg });
          for (let i = 0; i < keys.length; i++) await deps.storage.putFile(keys[i]!, outs[i]!);
        } finally {
          await rm(work, { recursive: true, force: true });
        }
      }
      return keys.map((key, i) => ({ key, url: mediaUrl(key)!, atSeconds: times[i]! }));
    },

    async setDailyPick(actor: Actor, day: string, body: { submissionId: string; headline: string; summary: string; coverKey: string | null }) {
      assertCan(actor, 'desk.review');
      if (day < shanghaiDay(deps.clock.now())) throw new AppError('daily_pick.past_day');
      await adopted(actor, body.submissionId);
      await assertPickInScope(actor, day);
      checkCover(body.submissionId, body.coverKey);
      await deps.db.transaction(async (tx) => {
        await repo.upsertPick({ day, ...body, scheduledBy: actor.id }, tx);
        await deps.audit.create(
          { actorId: actor.id, action: 'daily_pick.set', objectType: 'daily_pick', objectId: day, data: { submissionId: body.submissionId } },
          tx,
        );
      });
      return (await this.publicPicks([day]))[0]!;
    },

    async clearDailyPick(actor: Actor, day: string) {
      assertCan(actor, 'desk.review');
      if (day < shanghaiDay(deps.clock.now())) throw new AppError('daily_pick.past_day');
      await assertPickInScope(actor, day);
      await deps.db.transaction(async (tx) => {
        await repo.deletePick(day, tx);
        await deps.audit.create({ actorId: actor.id, action: 'daily_pick.clear', objectType: 'daily_pick', objectId: day }, tx);
      });
    },

    /** The schedule as the desk sees it, future days included. */
    async schedule(actor: Actor, from: string, to: string) {
      assertCan(actor, 'desk.review');
      return this.present(await repo.listPicks(from, to));
    },

    /** What the public sees: picks up to today, newest first. */
    async published(days: number) {
      const today = shanghaiDay(deps.clock.now());
      const from = shanghaiDay(new Date(deps.clock.now().getTime() - (days - 1) * 86_400_000));
      return this.present(await repo.listPicks(from, today));
    },

    async publicPicks(daysList: string[]) {
      const rows = (await Promise.all(daysList.map((d) => repo.getPick(d)))).filter((r) => !!r);
      return this.present(rows);
    },

    async present(rows: Awaited<ReturnType<PackagingRepository['listPicks']>>) {
      const out = [];
      for (const p of rows) {
        const sub = await deps.submissionsRepo.get(p.submissionId);
        const names = sub ? await deps.submissionsRepo.userName(sub.userId) : '';
        out.push({
          day: p.day,
          submissionId: p.submissionId,
          headline: p.headline,
          summary: p.summary,
          coverUrl: mediaUrl(p.coverKey ?? sub?.outputs?.poster),
          playbackUrl: mediaUrl(sub?.outputs?.master),
          durationSeconds: sub?.durationSeconds ?? null,
          width: sub?.width ?? null,
          height: sub?.height ?? null,
          contributorName: names,
        });
      }
      return out;
    },

    /** Media of a video that has been a daily pick are public from its day on. */
    async isPublic(submissionId: string): Promise<boolean> {
      return repo.wasPickedBy(submissionId, shanghaiDay(deps.clock.now()));
    },
  };
}
export type PackagingService = ReturnType<typeof createPackagingService>;
