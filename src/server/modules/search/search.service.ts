import type { Locale } from '../../../contracts/common.js';
import type { SearchQuery, SearchReply, TimelineEvent, TimelineReply } from '../../../contracts/search.js';
import type { Db } from '../../db/client.js';
import { AppError } from '../../lib/errors.js';
import { assertCan, type Actor } from '../accounts/permissions.js';
import type { StudioScope } from '../desk/desk.scope.js';
import type { SubmissionsService } from '../submissions/submissions.service.js';
import type { SearchRepository } from './search.repository.js';

export interface SearchServiceDeps {
  db: Db;
  repo: SearchRepository;
  submissions: Pick<SubmissionsService, 'present'>;
  /** The desk's studio scope (desk.scope.ts): the list shows exactly what the queue would. */
  scope: StudioScope;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY_MS = 86_400_000;

/** A calendar day in the campaign's time zone (Asia/Shanghai, no daylight saving) as its first instant. */
function shanghaiDay(day: string): Date {
  return new Date(`${day}T00:00:00+08:00`);
}

/** What a phone number looks like in E.164 once the spaces, dashes and brackets people type are gone. */
function phoneDigits(s: string): string | undefined {
  const d = s.replace(/[\s\-()]/g, '');
  return /^\+?\d{3,}$/.test(d) ? d : undefined;
}

export function createSearchService(deps: SearchServiceDeps) {
  const { repo } = deps;

  return {
    /**
     * Every submission the actor may see on the desk, filtered and paged. Scope is the queue's:
     * an editor sees items routed to their studios and items routed nowhere; chief editors and
     * admins see everything. Asking for another studio by id is a 403, as on the queue.
     */
    async search(actor: Actor, q: SearchQuery): Promise<SearchReply> {
      const scope = await deps.scope.forDesk(actor);
      let studioIds: string[] | undefined = scope.all ? undefined : scope.studioIds;
      if (q.studioId) {
        if (studioIds && !studioIds.includes(q.studioId)) throw new AppError('desk.out_of_scope');
        studioIds = [q.studioId];
      }
      const contributor = q.contributor?.trim();
      const byId = contributor && UUID.test(contributor) ? contributor : undefined;
      const { rows, total } = await repo.search({
        text: q.q?.trim() || undefined,
        status: q.status,
        campaignId: q.campaignId,
        theme: q.theme,
        studioIds,
        includeUnrouted: !q.studioId && !scope.all,
        contributorId: byId,
        contributorText: contributor && !byId ? contributor : undefined,
        contributorPhone: contributor && !byId ? phoneDigits(contributor) : undefined,
        createdFrom: q.from ? shanghaiDay(q.from) : undefined,
        // `to` is inclusive: everything before the next day starts.
        createdBefore: q.to ? new Date(shanghaiDay(q.to).getTime() + DAY_MS) : undefined,
        sort: q.sort,
        limit: q.pageSize,
        offset: (q.page - 1) * q.pageSize,
      });
      const studioNames = await repo.studioNames([...new Set(rows.map((r) => r.studioId).filter((x): x is string => !!x))]);
      return {
        items: rows.map((r) => ({
          id: r.row.id,
          title: r.row.title,
          status: r.row.status,
          stage: r.stage,
          campaignId: r.row.campaignId,
          theme: r.row.theme,
          studioId: r.studioId,
          studioName: r.studioId ? (studioNames.get(r.studioId) ?? null) : null,
          contributor: { id: r.row.userId, name: r.contributorName },
          grade: r.row.grade,
          posterUrl: r.row.outputs?.poster ? `/api/media/${r.row.outputs.poster}` : null,
          liveChannels: r.liveChannels,
          views: r.views,
          createdAt: r.row.createdAt.toISOString(),
          decidedAt: (r.row.adoptedAt ?? (r.row.status === 'rejected' && r.row.reviewedBy ? r.row.updatedAt : null))?.toISOString() ?? null,
        })),
        total,
        page: q.page,
        pageSize: q.pageSize,
      };
    },

    /**
     * One item's life, oldest first, assembled from what each step already records: the
     * submission row (upload, processing), the claim, the audit log (adoption, regrade, rejection,
     * packaging), the ledger (the reward actually posted), daily picks and the publications with
     * their events and latest figures. Nothing is stored twice for it.
     */
    async timeline(actor: Actor, id: string, locale: Locale): Promise<TimelineReply> {
      assertCan(actor, 'desk.review');
      const row = await deps.scope.assertCoversId(actor, id);
      const src = await repo.timelineSources(row);
      const events: (Omit<TimelineEvent, 'at' | 'actor' | 'channel' | 'grade' | 'fromGrade' | 'rewardFen' | 'reason' | 'url'> &
        Partial<Omit<TimelineEvent, 'at' | 'actor'>> & { at: Date; actorId?: string | null })[] = [];

      events.push({ kind: 'uploaded', at: row.createdAt, actorId: row.userId });
      if (row.processedAt) events.push({ kind: 'processed', at: row.processedAt });
      for (const c of src.claims) events.push({ kind: 'claimed', at: c.claimedAt, actorId: c.editorId });

      const present = deps.submissions.present(row, locale, true);
      const reward = src.transfers.find((t) => t.kind === 'adoption_reward');
      let adoptedSeen = false;
      let rejectedSeen = false;
      for (const a of src.audits) {
        const d = a.data;
        const str = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : null);
        if (a.action === 'submission.adopt') {
          adoptedSeen = true;
          events.push({ kind: 'adopted', at: a.at, actorId: a.actorId, grade: str('grade'), rewardFen: reward?.fen ?? null });
        } else if (a.action === 'submission.regrade') {
          events.push({ kind: 'regraded', at: a.at, actorId: a.actorId, grade: str('to'), fromGrade: str('from') });
        } else if (a.action === 'submission.reject') {
          rejectedSeen = true;
          events.push({ kind: 'rejected', at: a.at, actorId: a.actorId, reason: present.rejection?.message ?? str('reason') });
        } else if (a.action === 'package.save') {
          events.push({ kind: 'packaged', at: a.at, actorId: a.actorId, channel: (str('channel') as TimelineEvent['channel']) ?? null });
        }
      }
      // Decisions made before the audit log recorded them, or by the pipeline (an automatic refusal).
      if (!adoptedSeen && row.adoptedAt)
        events.push({ kind: 'adopted', at: row.adoptedAt, actorId: row.adoptedBy, grade: row.grade, rewardFen: reward?.fen ?? null });
      if (!rejectedSeen && row.status === 'rejected')
        events.push({ kind: 'rejected', at: row.updatedAt, actorId: row.reviewedBy, reason: present.rejection?.message ?? null });
      for (const p of src.picks) events.push({ kind: 'daily_pick', at: shanghaiDay(p.day), actorId: p.scheduledBy });

      const withEvents = new Set(src.events.map((e) => e.ev.publicationId));
      for (const e of src.events) {
        const kind = e.ev.status === 'live' ? 'published' : e.ev.status === 'failed' ? 'publish_failed' : e.ev.status === 'unpublished' ? 'unpublished' : null;
        if (kind) events.push({ kind, at: e.ev.at, actorId: e.ev.actorId, channel: e.channel, url: kind === 'published' ? e.url : null });
      }
      for (const p of src.publications) {
        if (withEvents.has(p.id)) continue;
        if (p.publishedAt) events.push({ kind: 'published', at: p.publishedAt, channel: p.channel, url: p.url });
        if (p.unpublishedAt) events.push({ kind: 'unpublished', at: p.unpublishedAt, channel: p.channel });
      }

      const names = await repo.userNames([...new Set(events.map((e) => e.actorId).filter((x): x is string => !!x))]);
      const order = (k: TimelineEvent['kind']) => ['uploaded', 'processed', 'claimed', 'adopted'].indexOf(k);
      events.sort((a, b) => a.at.getTime() - b.at.getTime() || order(a.kind) - order(b.kind));
      return {
        id: row.id,
        title: row.title,
        stage: await repo.stageOf(row.id),
        events: events.map((e) => ({
          at: e.at.toISOString(),
          kind: e.kind,
          actor: e.actorId ? { id: e.actorId, name: names.get(e.actorId) ?? '' } : null,
          channel: e.channel ?? null,
          grade: e.grade ?? null,
          fromGrade: e.fromGrade ?? null,
          rewardFen: e.rewardFen ?? null,
          reason: e.reason ?? null,
          url: e.url ?? null,
        })),
        channels: src.publications.map((p) => ({
          channel: p.channel,
          status: p.status,
          url: p.url,
          publishedAt: p.publishedAt?.toISOString() ?? null,
          unpublishedAt: p.unpublishedAt?.toISOString() ?? null,
          views: p.views,
          likes: p.likes,
          shares: p.shares,
          comments: p.comments,
          metricsAt: p.metricsAt?.toISOString() ?? null,
        })),
      };
    },
  };
}
export type SearchService = ReturnType<typeof createSearchService>;
