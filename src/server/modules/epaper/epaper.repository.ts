import { and, asc, desc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { EditionStatus } from '../../../contracts/epaper.js';
import type { Db } from '../../db/client.js';
import {
  epaperEditions,
  epaperPages,
  epaperZones,
  newspapers,
  stories,
  storyForms,
  type EpaperEditionRow,
  type EpaperPageRow,
  type EpaperZoneRow,
  type NewspaperRow,
} from '../../db/schema.js';

export type NewEdition = Pick<EpaperEditionRow, 'id' | 'date' | 'title' | 'sourceKey' | 'sourceBytes' | 'pageCount' | 'pageLabels' | 'createdBy'>;
export type NewPage = Omit<EpaperPageRow, 'id'>;
export type NewZone = Omit<EpaperZoneRow, 'id' | 'createdAt'> & { id?: string };
export type PageWithZones = EpaperPageRow & { zones: EpaperZoneRow[] };

/** A print form of the central kitchen, as the zone import reads it. */
export interface PrintFormRow {
  storyId: string;
  storyHeadline: string;
  content: Record<string, unknown>;
  newspaperId: string | null;
}

/** The e-paper tables (migrations/0039_epaper.sql), and what the zone import reads of the kitchen's. */
export function createEpaperRepository(db: Db) {
  return {
    // ---- editions ----
    async createEdition(e: NewEdition, tx: Db = db): Promise<EpaperEditionRow> {
      const [row] = await tx.insert(epaperEditions).values(e).returning();
      return row!;
    },
    async getEdition(id: string, tx: Db = db): Promise<EpaperEditionRow | undefined> {
      const [row] = await tx.select().from(epaperEditions).where(eq(epaperEditions.id, id));
      return row;
    },
    async lockEdition(id: string, tx: Db): Promise<EpaperEditionRow | undefined> {
      const [row] = await tx.select().from(epaperEditions).where(eq(epaperEditions.id, id)).for('update');
      return row;
    },
    async getByTitleDate(q: { title: string; date: string }, tx: Db = db): Promise<EpaperEditionRow | undefined> {
      const [row] = await tx
        .select()
        .from(epaperEditions)
        .where(and(eq(epaperEditions.title, q.title), eq(epaperEditions.date, q.date)));
      return row;
    },
    async listEditions(q: { status?: EditionStatus; limit: number; offset: number }, tx: Db = db): Promise<EpaperEditionRow[]> {
      return tx
        .select()
        .from(epaperEditions)
        .where(q.status ? eq(epaperEditions.status, q.status) : undefined)
        .orderBy(desc(epaperEditions.date), asc(epaperEditions.title), desc(epaperEditions.createdAt))
        .limit(q.limit)
        .offset(q.offset);
    },
    /** Published editions, newest date first. */
    async listPublished(q: { title?: string; before?: string; date?: string; limit: number; offset: number }, tx: Db = db): Promise<EpaperEditionRow[]> {
      return tx
        .select()
        .from(epaperEditions)
        .where(
          and(
            eq(epaperEditions.status, 'published'),
            q.title ? eq(epaperEditions.title, q.title) : undefined,
            q.before ? lte(epaperEditions.date, q.before) : undefined,
            q.date ? eq(epaperEditions.date, q.date) : undefined,
          ),
        )
        .orderBy(desc(epaperEditions.date), asc(epaperEditions.title))
        .limit(q.limit)
        .offset(q.offset);
    },
    async updateEdition(id: string, patch: Partial<Omit<EpaperEditionRow, 'id'>>, tx: Db = db): Promise<EpaperEditionRow | undefined> {
      const [row] = await tx.update(epaperEditions).set(patch).where(eq(epaperEditions.id, id)).returning();
      return row;
    },
    /** Only from `from`: a job that lost a race with a delete or a second run changes nothing. */
    async setStatus(q: { id: string; from: EditionStatus; patch: Partial<Omit<EpaperEditionRow, 'id'>> }, tx: Db = db): Promise<EpaperEditionRow | undefined> {
      const [row] = await tx
        .update(epaperEditions)
        .set(q.patch)
        .where(and(eq(epaperEditions.id, q.id), eq(epaperEditions.status, q.from)))
        .returning();
      return row;
    },
    async deleteEdition(id: string, tx: Db = db): Promise<boolean> {
      const rows = await tx.delete(epaperEditions).where(eq(epaperEditions.id, id)).returning({ id: epaperEditions.id });
      return rows.length > 0;
    },

    // ---- pages and zones ----
    async createPages(pages: NewPage[], tx: Db = db): Promise<void> {
      if (pages.length) await tx.insert(epaperPages).values(pages);
    },
    async getPage(id: string, tx: Db = db): Promise<(EpaperPageRow & { edition: EpaperEditionRow }) | undefined> {
      const [row] = await tx
        .select({ page: epaperPages, edition: epaperEditions })
        .from(epaperPages)
        .innerJoin(epaperEditions, eq(epaperEditions.id, epaperPages.editionId))
        .where(eq(epaperPages.id, id));
      return row ? { ...row.page, edition: row.edition } : undefined;
    },
    /** The pages of editions, in order, each with its zones in order. */
    async pagesOf(editionIds: string[], tx: Db = db): Promise<Map<string, PageWithZones[]>> {
      const out = new Map<string, PageWithZones[]>(editionIds.map((id) => [id, []]));
      if (!editionIds.length) return out;
      const pages = await tx.select().from(epaperPages).where(inArray(epaperPages.editionId, editionIds)).orderBy(asc(epaperPages.number));
      const zones = pages.length
        ? await tx
            .select()
            .from(epaperZones)
            .where(
              inArray(
                epaperZones.pageId,
                pages.map((p) => p.id),
              ),
            )
            .orderBy(asc(epaperZones.position), asc(epaperZones.createdAt))
        : [];
      for (const p of pages) out.get(p.editionId)!.push({ ...p, zones: zones.filter((z) => z.pageId === p.id) });
      return out;
    },
    /** The first page of each edition (for covers). */
    async firstPages(editionIds: string[], tx: Db = db): Promise<Map<string, EpaperPageRow>> {
      if (!editionIds.length) return new Map();
      const rows = await tx
        .select()
        .from(epaperPages)
        .where(and(inArray(epaperPages.editionId, editionIds), eq(epaperPages.number, 1)));
      return new Map(rows.map((r) => [r.editionId, r]));
    },
    async zonesOf(pageId: string, tx: Db = db): Promise<EpaperZoneRow[]> {
      return tx.select().from(epaperZones).where(eq(epaperZones.pageId, pageId)).orderBy(asc(epaperZones.position), asc(epaperZones.createdAt));
    },
    /** Replaces a page's zones with these, in this order. */
    async replaceZones(pageId: string, zones: NewZone[], tx: Db): Promise<void> {
      await tx.delete(epaperZones).where(eq(epaperZones.pageId, pageId));
      if (zones.length) await tx.insert(epaperZones).values(zones.map((z, i) => ({ ...z, pageId, position: i })));
    },

    // ---- what the zones link to (the central kitchen's tables, read only) ----
    async existingStories(ids: string[], tx: Db = db): Promise<Set<string>> {
      if (!ids.length) return new Set();
      const rows = await tx.select({ id: stories.id }).from(stories).where(inArray(stories.id, ids));
      return new Set(rows.map((r) => r.id));
    },
    /** Stories whose web form is published: the ones with a public page (`/stories/:id`). */
    async storiesWithPublicPage(ids: string[], tx: Db = db): Promise<Set<string>> {
      if (!ids.length) return new Set();
      const rows = await tx
        .select({ id: storyForms.storyId })
        .from(storyForms)
        .where(and(inArray(storyForms.storyId, ids), eq(storyForms.form, 'web'), eq(storyForms.status, 'published')));
      return new Set(rows.map((r) => r.id));
    },
    /** Print forms planned for an edition date (their content's `edition`), oldest first. */
    async printFormsOn(date: string, tx: Db = db): Promise<PrintFormRow[]> {
      return tx
        .select({ storyId: storyForms.storyId, storyHeadline: stories.headline, content: storyForms.content, newspaperId: storyForms.newspaperId })
        .from(storyForms)
        .innerJoin(stories, eq(stories.id, storyForms.storyId))
        .where(and(eq(storyForms.form, 'print'), sql`${storyForms.content}->>'edition' = ${date}`))
        .orderBy(asc(storyForms.createdAt), asc(storyForms.id));
    },
    async newspaper(id: string | null, tx: Db = db): Promise<NewspaperRow | undefined> {
      const [row] = id
        ? await tx.select().from(newspapers).where(eq(newspapers.id, id))
        : await tx.select().from(newspapers).orderBy(asc(newspapers.createdAt), asc(newspapers.name)).limit(1);
      return row;
    },
  };
}
export type EpaperRepository = ReturnType<typeof createEpaperRepository>;
