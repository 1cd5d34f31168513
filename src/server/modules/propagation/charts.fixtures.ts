import { randomUUID } from 'node:crypto';
import type { CampaignRules, CreateCampaignInput } from '../../../contracts/campaigns.js';
import type { Channel } from '../../../contracts/packaging.limits.js';
import { metricSamples, publications, users } from '../../db/schema.js';
import { demoCampaign } from '../../seed.js';
import type { Services } from '../../services.js';

/**
 * Test data for charts, grand prize and dashboards: rows go in directly (the desk, publishing
 * and metrics pipelines have their own tests), shaped as those pipelines leave them.
 */
export function propagationFixtures(services: Services) {
  const { db } = services.database;
  return {
    async campaign(opts: { startsAt: string; endsAt: string; rules?: Partial<CampaignRules>; published?: boolean; slug?: string }) {
      const base = demoCampaign(new Date(opts.startsAt));
      const input: CreateCampaignInput = {
        ...base,
        slug: opts.slug ?? `c-${randomUUID().slice(0, 8)}`,
        startsAt: new Date(opts.startsAt).toISOString(),
        endsAt: new Date(opts.endsAt).toISOString(),
        published: opts.published ?? true,
        rules: { ...base.rules, ...opts.rules },
      };
      const c = await services.campaigns.create(null, input);
      // A funded budget, so reconciliation compares prizes against something.
      const [treasury, budget] = [await services.ledger.systemAccount('treasury'), await services.ledger.systemAccount('campaign_budget', c.id)];
      await services.ledger.post({
        idempotencyKey: `budget:test:${c.id}`,
        kind: 'budget_funding',
        entries: [
          { accountId: treasury.id, amountFen: -100_000_000 },
          { accountId: budget.id, amountFen: 100_000_000 },
        ],
        refs: { campaignId: c.id },
      });
      return c;
    },

    async user(name = '拍客') {
      const [u] = await db
        .insert(users)
        .values({ name, email: `p-${randomUUID()}@example.test` })
        .returning();
      return u!;
    },

    /** An adopted video (status, grade and adoption time as the desk leaves them). */
    async video(opts: { campaignId: string; userId: string; adoptedAt: Date | string; title?: string; theme?: string; status?: 'adopted' | 'in_review' }) {
      const adoptedAt = new Date(opts.adoptedAt);
      const row = await services.submissionsRepo.create({
        userId: opts.userId,
        campaignId: opts.campaignId,
        theme: opts.theme ?? 'food',
        title: opts.title ?? '街头小吃',
        consentAt: adoptedAt,
        status: opts.status ?? 'adopted',
        progress: 100,
        uploadLength: 1000,
        originalFilename: 'a.mp4',
        durationSeconds: 75,
        width: 720,
        height: 1280,
        processedAt: adoptedAt,
      });
      await services.submissionsRepo.update(row.id, { grade: 'D', adoptedAt: opts.status === 'in_review' ? null : adoptedAt });
      return row.id;
    },

    /** A live publication of a video on a channel. */
    async publication(submissionId: string, channel: Channel) {
      const [p] = await db
        .insert(publications)
        .values({ submissionId, channel, status: 'live', idempotencyKey: `publish:${submissionId}:${channel}`, publishedAt: new Date('2026-01-01T00:00:00Z') })
        .returning();
      return p!.id;
    },

    /** One pulled sample, as reported (cumulative; may be lower than an earlier one). */
    async sample(publicationId: string, at: Date | string, f: Partial<{ views: number; likes: number; comments: number; shares: number }>) {
      await db.insert(metricSamples).values({
        publicationId,
        sampledAt: new Date(at),
        views: f.views ?? null,
        likes: f.likes ?? null,
        comments: f.comments ?? null,
        shares: f.shares ?? null,
      });
    },
  };
}
