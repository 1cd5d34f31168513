import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { campaigns, publications, storyForms, submissions, weeklyCharts } from '../../db/schema.js';

/**
 * What the sitemap lists, each with the same visibility rule as its public JSON route: videos
 * live on the app channel (`/api/videos/:id`, distribution.repository siteVideo), published
 * campaigns (`/api/campaigns/:idOrSlug` for anyone), their weekly charts (`/api/charts/weekly`
 * answers only for published campaigns), contributors with a live video (`/api/contributors/:id`),
 * and kitchen stories whose web form is published (`/api/site/stories/:id`).
 */
export function createWebRepository(db: Db) {
  return {
    async listLiveVideos(limit: number): Promise<{ id: string; userId: string; at: Date }[]> {
      return db
        .select({ id: publications.submissionId, userId: submissions.userId, at: sql<Date>`${publications.publishedAt}`.mapWith(publications.publishedAt) })
        .from(publications)
        .innerJoin(submissions, eq(submissions.id, publications.submissionId))
        .where(and(eq(publications.channel, 'app'), eq(publications.status, 'live')))
        .orderBy(desc(publications.publishedAt), desc(publications.submissionId))
        .limit(limit);
    },
    async listPublishedStories(limit: number): Promise<{ id: string; at: Date }[]> {
      return db
        .select({ id: storyForms.storyId, at: sql<Date>`coalesce(${storyForms.publishedAt}, ${storyForms.updatedAt})`.mapWith(storyForms.updatedAt) })
        .from(storyForms)
        .where(and(eq(storyForms.form, 'web'), eq(storyForms.status, 'published')))
        .orderBy(desc(storyForms.publishedAt), desc(storyForms.storyId))
        .limit(limit);
    },
    async listPublicCampaigns(limit: number): Promise<{ id: string; slug: string; at: Date }[]> {
      return db
        .select({ id: campaigns.id, slug: campaigns.slug, at: campaigns.updatedAt })
        .from(campaigns)
        .where(eq(campaigns.published, true))
        .orderBy(desc(campaigns.updatedAt))
        .limit(limit);
    },
    async listFrozenCharts(limit: number): Promise<{ campaignId: string; week: string; at: Date }[]> {
      return db
        .select({ campaignId: weeklyCharts.campaignId, week: weeklyCharts.week, at: weeklyCharts.frozenAt })
        .from(weeklyCharts)
        .innerJoin(campaigns, eq(campaigns.id, weeklyCharts.campaignId))
        .where(eq(campaigns.published, true))
        .orderBy(desc(weeklyCharts.frozenAt))
        .limit(limit);
    },
  };
}
export type WebRepository = ReturnType<typeof createWebRepository>;
