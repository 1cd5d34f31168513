import { and, count, eq, gte, inArray, lt } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { kioskPlays, publications } from '../../db/schema.js';

export interface NewPlay {
  id: string;
  screenId: string;
  submissionId: string;
  playedAt: Date;
  durationMs: number;
}

/** Kiosk plays (migrations/0036_kiosk_plays.sql): written once by their id, counted per video. */
export function createPlaysRepository(db: Db) {
  return {
    /** Inserts the plays not seen before; returns their ids. */
    async createReturningIds(plays: NewPlay[], tx: Db = db): Promise<string[]> {
      if (plays.length === 0) return [];
      const rows = await tx.insert(kioskPlays).values(plays).onConflictDoNothing({ target: kioskPlays.id }).returning({ id: kioskPlays.id });
      return rows.map((r) => r.id);
    },
    /** Plays a screen has reported that began in [from, to). */
    async countForScreen(q: { screenId: string; from: Date; to: Date }, tx: Db = db): Promise<number> {
      const [r] = await tx
        .select({ n: count() })
        .from(kioskPlays)
        .where(and(eq(kioskPlays.screenId, q.screenId), gte(kioskPlays.playedAt, q.from), lt(kioskPlays.playedAt, q.to)));
      return r?.n ?? 0;
    },
    /** When each of `ids` was on the kiosk channel: every kiosk publication's published and taken-down times. */
    async kioskWindows(ids: string[], tx: Db = db): Promise<{ submissionId: string; publishedAt: Date | null; unpublishedAt: Date | null }[]> {
      if (ids.length === 0) return [];
      return tx
        .select({ submissionId: publications.submissionId, publishedAt: publications.publishedAt, unpublishedAt: publications.unpublishedAt })
        .from(publications)
        .where(and(inArray(publications.submissionId, ids), eq(publications.channel, 'kiosk')));
    },
    async countForSubmission(submissionId: string, tx: Db = db): Promise<number> {
      const [r] = await tx.select({ n: count() }).from(kioskPlays).where(eq(kioskPlays.submissionId, submissionId));
      return r?.n ?? 0;
    },
  };
}
export type PlaysRepository = ReturnType<typeof createPlaysRepository>;
