import { and, asc, desc, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { Channel } from '../../../contracts/packaging.limits.js';
import type { DeskStage, SearchSort, SearchStatus } from '../../../contracts/search.js';
import type { Db } from '../../db/client.js';
import {
  auditLog,
  dailyPicks,
  ledgerEntries,
  ledgerTransfers,
  packages,
  publicationEvents,
  publications,
  studios,
  submissionClaims,
  submissions,
  users,
  type SubmissionRow,
} from '../../db/schema.js';

export interface SearchFilter {
  /** Lower-cased by PostgreSQL, matched as a substring: no character in it is special. */
  text?: string;
  status?: SearchStatus;
  campaignId?: string;
  theme?: string;
  /** Only items routed to one of these studios, or (with includeUnrouted) routed nowhere. */
  studioIds?: string[];
  includeUnrouted?: boolean;
  contributorId?: string;
  /** Part of a contributor's name, email or phone (digits only for the phone). */
  contributorText?: string;
  contributorPhone?: string;
  createdFrom?: Date;
  createdBefore?: Date;
  sort: SearchSort;
  limit: number;
  offset: number;
}

/** As in desk.repository.ts: a theme route wins over a whole-campaign route. */
const routedStudio = sql<string | null>`(
  SELECT r.studio_id FROM studio_routes r
  WHERE r.campaign_id = submissions.campaign_id AND (r.theme = submissions.theme OR r.theme IS NULL)
  ORDER BY r.theme NULLS LAST LIMIT 1)`;

const liveExists = sql`EXISTS (SELECT 1 FROM publications p WHERE p.submission_id = submissions.id AND p.status = 'live')`;
const unpublishedExists = sql`EXISTS (SELECT 1 FROM publications p WHERE p.submission_id = submissions.id AND p.status IN ('unpublishing', 'unpublished'))`;

const stage = sql<DeskStage>`CASE
  WHEN submissions.status = 'adopted' AND ${liveExists} THEN 'published'
  WHEN submissions.status = 'adopted' AND ${unpublishedExists} THEN 'unpublished'
  ELSE submissions.status END`;

const liveChannels = sql<
  Channel[]
>`ARRAY(SELECT p.channel FROM publications p WHERE p.submission_id = submissions.id AND p.status = 'live' ORDER BY p.channel)`;
const views = sql<number>`(SELECT coalesce(sum(p.views), 0)::bigint FROM publications p WHERE p.submission_id = submissions.id)`;

/**
 * position() rather than LIKE: the needle is data, never a pattern, so %, _, \ and regex
 * characters need no escaping; both sides go through PostgreSQL's lower() so case folding is
 * the database's on both.
 */
const contains = (haystack: SQL, needle: string) => sql`position(lower(${needle}::text) in ${haystack}) > 0`;

function conditions(f: SearchFilter): SQL[] {
  const conds: SQL[] = [];
  if (f.text) conds.push(contains(sql`submissions.search_text`, f.text));
  if (f.status === 'in_review') conds.push(eq(submissions.status, 'in_review'));
  if (f.status === 'rejected') conds.push(eq(submissions.status, 'rejected'));
  if (f.status === 'adopted') conds.push(eq(submissions.status, 'adopted'));
  if (f.status === 'published') conds.push(sql`submissions.status = 'adopted' AND ${liveExists}`);
  if (f.status === 'unpublished') conds.push(sql`submissions.status = 'adopted' AND ${unpublishedExists} AND NOT ${liveExists}`);
  if (f.campaignId) conds.push(eq(submissions.campaignId, f.campaignId));
  if (f.theme) conds.push(eq(submissions.theme, f.theme));
  if (f.contributorId) conds.push(eq(submissions.userId, f.contributorId));
  if (f.contributorText) {
    const who: SQL[] = [contains(sql`lower(users.name)`, f.contributorText), contains(sql`lower(coalesce(users.email, ''))`, f.contributorText)];
    if (f.contributorPhone) who.push(sql`position(${f.contributorPhone}::text in coalesce(users.phone, '')) > 0`);
    conds.push(or(...who)!);
  }
  if (f.createdFrom) conds.push(sql`submissions.created_at >= ${f.createdFrom.toISOString()}::timestamptz`);
  if (f.createdBefore) conds.push(sql`submissions.created_at < ${f.createdBefore.toISOString()}::timestamptz`);
  if (f.studioIds) {
    const scope: SQL[] = [];
    if (f.studioIds.length)
      scope.push(
        sql`${routedStudio} IN (${sql.join(
          f.studioIds.map((id) => sql`${id}::uuid`),
          sql`, `,
        )})`,
      );
    if (f.includeUnrouted) scope.push(sql`${routedStudio} IS NULL`);
    conds.push(scope.length ? or(...scope)! : sql`false`);
  }
  return conds;
}

function order(sort: SearchSort): SQL[] {
  switch (sort) {
    case 'oldest':
      return [asc(submissions.createdAt), asc(submissions.id)];
    case 'views':
      return [sql`${views} DESC`, desc(submissions.createdAt), desc(submissions.id)];
    case 'title':
      return [asc(submissions.title), desc(submissions.createdAt), desc(submissions.id)];
    default:
      return [desc(submissions.createdAt), desc(submissions.id)];
  }
}

export function createSearchRepository(db: Db) {
  return {
    async search(f: SearchFilter, tx: Db = db) {
      const where = and(...conditions(f));
      const [rows, [count]] = await Promise.all([
        tx
          .select({
            row: submissions,
            contributorName: users.name,
            studioId: routedStudio,
            stage,
            liveChannels,
            views,
          })
          .from(submissions)
          .innerJoin(users, eq(users.id, submissions.userId))
          .where(where)
          .orderBy(...order(f.sort))
          .limit(f.limit)
          .offset(f.offset),
        tx
          .select({ n: sql<number>`count(*)::int` })
          .from(submissions)
          .innerJoin(users, eq(users.id, submissions.userId))
          .where(where),
      ]);
      return { rows: rows.map((r) => ({ ...r, views: Number(r.views) })), total: count?.n ?? 0 };
    },

    async studioNames(ids: string[], tx: Db = db): Promise<Map<string, string>> {
      if (!ids.length) return new Map();
      const rows = await tx.select({ id: studios.id, name: studios.name }).from(studios).where(inArray(studios.id, ids));
      return new Map(rows.map((r) => [r.id, r.name]));
    },

    async stageOf(id: string, tx: Db = db): Promise<DeskStage> {
      const [r] = await tx.select({ stage }).from(submissions).where(eq(submissions.id, id));
      return r?.stage ?? 'uploading';
    },

    /** Everything the timeline is assembled from, for one submission. */
    async timelineSources(row: SubmissionRow, tx: Db = db) {
      const id = row.id;
      const [audits, claims, pkgs, picks, pubs, events, transfers] = await Promise.all([
        tx
          .select()
          .from(auditLog)
          .where(and(eq(auditLog.objectType, 'submission'), eq(auditLog.objectId, id)))
          .orderBy(asc(auditLog.at), asc(auditLog.id)),
        tx.select().from(submissionClaims).where(eq(submissionClaims.submissionId, id)),
        tx.select().from(packages).where(eq(packages.submissionId, id)),
        tx.select().from(dailyPicks).where(eq(dailyPicks.submissionId, id)),
        tx.select().from(publications).where(eq(publications.submissionId, id)).orderBy(asc(publications.channel)),
        tx
          .select({ ev: publicationEvents, channel: publications.channel, url: publications.url })
          .from(publicationEvents)
          .innerJoin(publications, eq(publications.id, publicationEvents.publicationId))
          .where(eq(publications.submissionId, id))
          .orderBy(asc(publicationEvents.at), asc(publicationEvents.id)),
        // What the contributor was credited per transfer: the positive side of the adoption.
        tx
          .select({
            id: ledgerTransfers.id,
            kind: ledgerTransfers.kind,
            fen: sql<number>`coalesce(sum(${ledgerEntries.amountFen}) FILTER (WHERE ${ledgerEntries.amountFen} > 0), 0)::bigint`,
          })
          .from(ledgerTransfers)
          .innerJoin(ledgerEntries, eq(ledgerEntries.transferId, ledgerTransfers.id))
          .where(sql`${ledgerTransfers.refs}->>'submissionId' = ${id}`)
          .groupBy(ledgerTransfers.id, ledgerTransfers.kind),
      ]);
      return { audits, claims, packages: pkgs, picks, publications: pubs, events, transfers: transfers.map((t) => ({ ...t, fen: Number(t.fen) })) };
    },

    async userNames(ids: string[], tx: Db = db): Promise<Map<string, string>> {
      if (!ids.length) return new Map();
      const rows = await tx.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, ids));
      return new Map(rows.map((r) => [r.id, r.name]));
    },
  };
}
export type SearchRepository = ReturnType<typeof createSearchRepository>;
