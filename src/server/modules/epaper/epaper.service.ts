import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import sharp from 'sharp';
import { printContentSchema, PAGE_SIZE_MM } from '../../../contracts/kitchen.js';
import {
  EPAPER_LIMITS,
  type AdminEdition,
  type Edition,
  type EditionStatus,
  type EditionSummary,
  type EpaperPage,
  type ImportZonesReply,
  type UploadEditionQuery,
  type ZonesBody,
} from '../../../contracts/epaper.js';
import type { Locale } from '../../../contracts/common.js';
import type { Db } from '../../db/client.js';
import type { EpaperEditionRow, EpaperZoneRow } from '../../db/schema.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { Clock } from '../../lib/clock.js';
import { AppError, isUniqueViolation } from '../../lib/errors.js';
import { translateAny } from '../../lib/messages.js';
import type { Storage } from '../../lib/storage.js';
import { startOfDayShanghai } from '../../lib/time.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import { assertCan, can, type Actor } from '../accounts/permissions.js';
import { checkPdf } from '../lending/pdf-check.js';
import { formPageMatches, locateBlocks, type FormBlock, type GridPaper } from './epaper.import.js';
import type { EpaperRepository, NewPage, NewZone, PageWithZones } from './epaper.repository.js';
import { PopplerError, type PdfInfo, type Poppler } from './poppler.js';

export interface EpaperDeps {
  db: Db;
  repo: EpaperRepository;
  audit: AuditRepository;
  storage: Storage;
  clock: Clock;
  jobs: JobQueue;
  poppler: Poppler;
  publicUrl: () => string;
  /** Scratch directories for PDFs and page images are made (and removed) under this. */
  workDir: string;
}

const IMAGE_TYPE = 'image/webp';
// pdftoppm draws at 1600 px wide and the shape check caps the height at 4 widths.
const MAX_PIXELS = EPAPER_LIMITS.imageWidth * EPAPER_LIMITS.imageWidth * EPAPER_LIMITS.maxAspect + 1;

const pad2 = (n: number) => String(n).padStart(2, '0');
export const defaultLabel = (n: number) => `第${pad2(n)}版`;
const editionPrefix = (id: string) => `epaper/${id}`;
const imageUrl = (pageId: string) => `/api/epaper/pages/${pageId}/image`;
const thumbUrl = (pageId: string) => `/api/epaper/pages/${pageId}/thumb`;

/** Today where Paike runs (its newsroom day, Asia/Shanghai), YYYY-MM-DD. */
export function shanghaiDay(at: Date): string {
  return new Date(startOfDayShanghai(at).getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** The upload's page labels (`|`-separated), trimmed and bounded; an empty slot gets "第NN版". */
export function pageLabels(raw: string | undefined, pages: number): string[] {
  const given = (raw ?? '').split('|').map((l) => l.trim().slice(0, EPAPER_LIMITS.label));
  return Array.from({ length: pages }, (_, i) => given[i] || defaultLabel(i + 1));
}

/** A page no newspaper has: taller than 4 widths or wider than 4 heights (and the render would be huge). */
function badShape(info: PdfInfo): number | null {
  for (let i = 0; i < Math.min(info.pages, EPAPER_LIMITS.maxPages); i++) {
    const s = info.sizes[i];
    if (!s || s.width <= 0 || s.height <= 0) return i + 1;
    const r = s.height / s.width;
    if (r > EPAPER_LIMITS.maxAspect || r < 1 / EPAPER_LIMITS.maxAspect) return i + 1;
  }
  return null;
}

function popplerAppError(err: PopplerError): AppError {
  return new AppError(err.code, { detail: err.detail });
}

/**
 * The e-paper (docs/epaper.md). An upload is checked (size, active content, page count and shape)
 * before it answers, then stored and rendered by the `epaper.render` job; the edition is
 * `processing` until then and `ready` or `failed` after. Only `published` editions, their pages,
 * zones and images are visible to anyone but staff.
 */
export function createEpaperService(deps: EpaperDeps) {
  const { repo, clock } = deps;
  const storyUrl = (id: string) => `${deps.publicUrl()}/stories/${id}`;

  async function scratch(): Promise<string> {
    await mkdir(deps.workDir, { recursive: true });
    return mkdtemp(path.join(deps.workDir, 'epaper-'));
  }

  async function presentPages(pages: PageWithZones[]): Promise<EpaperPage[]> {
    const storyIds = [...new Set(pages.flatMap((p) => p.zones.map((z) => z.storyId)).filter((id): id is string => !!id))];
    const linked = await repo.storiesWithPublicPage(storyIds);
    return pages.map((p) => ({
      id: p.id,
      number: p.number,
      label: p.label,
      imageUrl: imageUrl(p.id),
      thumbUrl: thumbUrl(p.id),
      contentType: p.contentType,
      width: p.width,
      height: p.height,
      zones: p.zones.map((z) => presentZone(z, linked)),
    }));
  }
  const presentZone = (z: EpaperZoneRow, linked: Set<string>) => ({
    id: z.id,
    x: z.x,
    y: z.y,
    w: z.w,
    h: z.h,
    headline: z.headline,
    storyId: z.storyId,
    text: z.text,
    // A QR code to a page that is not up would be a dead end: the link waits for the web form.
    url: z.storyId && linked.has(z.storyId) ? storyUrl(z.storyId) : null,
    source: z.source,
  });

  const base = (e: EpaperEditionRow, cover: string | null): EditionSummary => ({
    id: e.id,
    date: e.date,
    title: e.title,
    pageCount: e.pageCount,
    publishedAt: e.publishedAt?.toISOString() ?? null,
    coverUrl: cover ? thumbUrl(cover) : null,
  });

  async function full(e: EpaperEditionRow): Promise<Edition> {
    const pages = (await repo.pagesOf([e.id])).get(e.id) ?? [];
    return { ...base(e, pages[0]?.id ?? null), pages: await presentPages(pages) };
  }

  async function adminView(e: EpaperEditionRow, locale: Locale): Promise<AdminEdition> {
    const ed = await full(e);
    return {
      ...ed,
      status: e.status,
      error: e.status === 'failed' && e.errorCode ? { code: e.errorCode, message: translateAny(e.errorCode, locale, { detail: e.error ?? '' }) } : null,
      sourceBytes: e.sourceBytes,
      createdBy: e.createdBy,
      createdAt: e.createdAt.toISOString(),
      renderedAt: e.renderedAt?.toISOString() ?? null,
    };
  }

  async function summaries(rows: EpaperEditionRow[]): Promise<EditionSummary[]> {
    const covers = await repo.firstPages(rows.map((r) => r.id));
    return rows.map((r) => base(r, covers.get(r.id)?.id ?? null));
  }

  async function editionOr404(id: string): Promise<EpaperEditionRow> {
    const e = await repo.getEdition(id);
    if (!e) throw new AppError('epaper.edition_not_found');
    return e;
  }
  async function pageOr404(id: string) {
    const p = await repo.getPage(id);
    if (!p) throw new AppError('epaper.page_not_found');
    return p;
  }

  /** Marks a processing edition failed with a code and detail (no-op if it moved on or is gone). */
  async function fail(id: string, code: string, detail: string) {
    await repo.setStatus({ id, from: 'processing', patch: { status: 'failed', errorCode: code, error: detail.slice(0, 2000) } });
  }

  return {
    // ---- staff ----
    async upload(actor: Actor, input: { contentType: string | undefined; body: unknown; meta: UploadEditionQuery }, locale: Locale): Promise<AdminEdition> {
      assertCan(actor, 'epaper.manage');
      const type = (input.contentType ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/pdf' || !Buffer.isBuffer(input.body) || input.body.length === 0) throw new AppError('epaper.file_type');
      const bytes = input.body;
      const checked = checkPdf(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      if (!checked.ok)
        throw new AppError(checked.reason!, { found: (checked.found ?? []).join(' ') }, { details: checked.found ? { found: checked.found } : undefined });
      const { date, title } = input.meta;
      if (await repo.getByTitleDate({ title, date })) throw new AppError('epaper.edition_exists', { title, date });

      const id = randomUUID();
      const sourceKey = `${editionPrefix(id)}/source.pdf`;
      const dir = await scratch();
      let info: PdfInfo;
      try {
        const file = path.join(dir, 'source.pdf');
        await writeFile(file, bytes);
        try {
          info = await deps.poppler.info(file, { maxPages: EPAPER_LIMITS.maxPages });
        } catch (err) {
          if (err instanceof PopplerError) throw popplerAppError(err);
          throw err;
        }
        if (info.pages > EPAPER_LIMITS.maxPages) throw new AppError('epaper.too_many_pages', { pages: info.pages, max: EPAPER_LIMITS.maxPages });
        const bad = badShape(info);
        if (bad) throw new AppError('epaper.page_shape', { page: bad, max: EPAPER_LIMITS.maxAspect });
        await deps.storage.putFile(sourceKey, file);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      try {
        await deps.db.transaction(async (tx) => {
          await repo.createEdition(
            {
              id,
              date,
              title,
              sourceKey,
              sourceBytes: bytes.length,
              pageCount: info.pages,
              pageLabels: pageLabels(input.meta.labels, info.pages),
              createdBy: actor.id,
            },
            tx,
          );
          // In the transaction: the job exists exactly when the edition does.
          await deps.jobs.send('epaper.render', { editionId: id }, { tx });
          await deps.audit.create(
            {
              actorId: actor.id,
              action: 'epaper.upload',
              objectType: 'epaper_edition',
              objectId: id,
              data: { title, date, pages: info.pages, bytes: bytes.length },
            },
            tx,
          );
        });
      } catch (err) {
        await deps.storage.deletePrefix(editionPrefix(id)).catch(() => {});
        if (isUniqueViolation(err)) throw new AppError('epaper.edition_exists', { title, date });
        throw err;
      }
      return adminView(await editionOr404(id), locale);
    },

    async adminList(actor: Actor, q: { status?: EditionStatus; limit: number; offset: number }, locale: Locale): Promise<AdminEdition[]> {
      assertCan(actor, 'epaper.manage');
      const rows = await repo.listEditions(q);
      const out: AdminEdition[] = [];
      for (const r of rows) out.push(await adminView(r, locale));
      return out;
    },

    async adminGet(actor: Actor, id: string, locale: Locale): Promise<AdminEdition> {
      assertCan(actor, 'epaper.manage');
      return adminView(await editionOr404(id), locale);
    },

    /** Replaces a page's zones. A zone sent with the id of one of the page's zones keeps its source and author. */
    async setZones(actor: Actor, pageId: string, body: ZonesBody): Promise<EpaperPage> {
      assertCan(actor, 'epaper.manage');
      const page = await pageOr404(pageId);
      const ids = [...new Set(body.zones.map((z) => z.storyId).filter((s): s is string => !!s))];
      const known = await repo.existingStories(ids);
      body.zones.forEach((z, i) => {
        if (z.storyId && !known.has(z.storyId)) {
          const field = `zones/${i}/storyId`;
          throw new AppError('epaper.story_unknown', { field }, { details: { field } });
        }
      });
      await deps.db.transaction(async (tx) => {
        const before = new Map((await repo.zonesOf(pageId, tx)).map((z) => [z.id, z]));
        const zones: NewZone[] = body.zones.map((z) => {
          const kept = z.id ? before.get(z.id) : undefined;
          return {
            ...(kept ? { id: kept.id } : {}),
            pageId,
            x: z.x,
            y: z.y,
            w: Math.min(z.w, 1 - z.x),
            h: Math.min(z.h, 1 - z.y),
            headline: z.headline,
            storyId: z.storyId ?? null,
            text: z.text ?? null,
            source: kept?.source ?? 'drawn',
            position: 0,
            createdBy: kept ? kept.createdBy : actor.id,
          };
        });
        await repo.replaceZones(pageId, zones, tx);
        await deps.audit.create(
          {
            actorId: actor.id,
            action: 'epaper.zones_set',
            objectType: 'epaper_page',
            objectId: pageId,
            data: { editionId: page.editionId, page: page.number, zones: zones.length, before: before.size, source: 'drawn' },
          },
          tx,
        );
      });
      const pages = (await repo.pagesOf([page.editionId])).get(page.editionId) ?? [];
      return (await presentPages(pages.filter((p) => p.id === pageId)))[0]!;
    },

    /**
     * Zones from the central kitchen's print forms planned for this edition's date and this page:
     * each block found by its headline in the page's text (epaper.import.ts). Replaces the page's
     * print-form zones; drawn zones stay.
     */
    async importZones(actor: Actor, pageId: string, body: { page?: string }): Promise<ImportZonesReply> {
      assertCan(actor, 'epaper.manage');
      const page = await pageOr404(pageId);
      const forms = (await repo.printFormsOn(page.edition.date)).flatMap((f) => {
        const c = printContentSchema.safeParse(f.content);
        if (!c.success || !c.data.page) return [];
        const matches = body.page ? c.data.page.trim() === body.page : formPageMatches(c.data.page, page);
        return matches ? [{ ...f, content: c.data }] : [];
      });
      if (!forms.length) throw new AppError('epaper.print_forms_none', { date: page.edition.date, page: body.page ?? page.label });

      const newspaper = await repo.newspaper(forms.find((f) => f.newspaperId)?.newspaperId ?? null).then((n) => n ?? repo.newspaper(null));
      const paper: GridPaper | null = newspaper
        ? {
            widthMm: PAGE_SIZE_MM[newspaper.pageSize].width,
            heightMm: PAGE_SIZE_MM[newspaper.pageSize].height,
            bleedMm: newspaper.bleedMm,
            marginMm: newspaper.marginMm,
            gutterMm: newspaper.gutterMm,
            columns: newspaper.columns,
          }
        : null;
      const blocks: FormBlock[] = forms.map((f) => ({ storyId: f.storyId, headline: f.content.headline, columns: f.content.columns }));

      const dir = await scratch();
      let located;
      try {
        const file = await deps.storage.localCopy(page.edition.sourceKey, dir);
        const text = await deps.poppler.pageText(file, page.number).catch((err: unknown) => {
          if (err instanceof PopplerError) throw popplerAppError(err);
          throw err;
        });
        located = locateBlocks({ text, blocks, paper });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }

      const placed: ImportZonesReply['placed'] = [];
      await deps.db.transaction(async (tx) => {
        const before = await repo.zonesOf(pageId, tx);
        const drawn = before.filter((z) => z.source === 'drawn');
        if (drawn.length + located.placed.length > EPAPER_LIMITS.maxZonesPerPage)
          throw new AppError('epaper.too_many_zones', { max: EPAPER_LIMITS.maxZonesPerPage });
        const imported: NewZone[] = located.placed.map((b) => {
          const id = randomUUID();
          placed.push({ storyId: b.storyId, headline: b.headline, zoneId: id });
          return {
            id,
            pageId,
            ...b.rect,
            headline: b.headline.slice(0, EPAPER_LIMITS.headline),
            storyId: b.storyId,
            text: null,
            source: 'print_form',
            position: 0,
            createdBy: actor.id,
          };
        });
        const keep: NewZone[] = drawn.map(({ createdAt: _c, ...z }) => z);
        // Reading order: imported blocks top to bottom, then what staff drew.
        imported.sort((a, b) => a.y - b.y || a.x - b.x);
        await repo.replaceZones(pageId, [...imported, ...keep], tx);
        await deps.audit.create(
          {
            actorId: actor.id,
            action: 'epaper.zones_set',
            objectType: 'epaper_page',
            objectId: pageId,
            data: { editionId: page.editionId, page: page.number, source: 'print_form', placed: located.placed.length, unplaced: located.unplaced.length },
          },
          tx,
        );
      });
      const pages = (await repo.pagesOf([page.editionId])).get(page.editionId) ?? [];
      return {
        page: (await presentPages(pages.filter((p) => p.id === pageId)))[0]!,
        placed,
        unplaced: located.unplaced.map((u) => ({ storyId: u.storyId, headline: u.headline, columns: u.columns, reason: u.reason })),
      };
    },

    /** `ready` → `published`; publishing a published edition changes nothing. */
    async publish(actor: Actor, id: string, locale: Locale): Promise<AdminEdition> {
      assertCan(actor, 'epaper.manage');
      const row = await deps.db.transaction(async (tx) => {
        const e = await repo.lockEdition(id, tx);
        if (!e) throw new AppError('epaper.edition_not_found');
        if (e.status === 'published') return e;
        if (e.status !== 'ready') throw new AppError('epaper.not_ready', { status: e.status });
        const done = await repo.updateEdition(id, { status: 'published', publishedAt: clock.now() }, tx);
        await deps.audit.create(
          {
            actorId: actor.id,
            action: 'epaper.publish',
            objectType: 'epaper_edition',
            objectId: id,
            data: { title: e.title, date: e.date, pages: e.pageCount },
          },
          tx,
        );
        return done!;
      });
      return adminView(row, locale);
    },

    /** Removes an edition, its pages, zones and files, whatever its status. */
    async remove(actor: Actor, id: string): Promise<void> {
      assertCan(actor, 'epaper.manage');
      await deps.db.transaction(async (tx) => {
        const e = await repo.lockEdition(id, tx);
        if (!e) throw new AppError('epaper.edition_not_found');
        await repo.deleteEdition(id, tx);
        await deps.audit.create(
          { actorId: actor.id, action: 'epaper.delete', objectType: 'epaper_edition', objectId: id, data: { title: e.title, date: e.date, status: e.status } },
          tx,
        );
      });
      await deps.storage.deletePrefix(editionPrefix(id));
    },

    // ---- the job ----
    /** The `epaper.render` job: every page to a WebP 1600 px wide and a 320 px thumbnail, then `ready`; a fault is `failed` with its reason. */
    async render(editionId: string, run: { isLastAttempt: boolean }): Promise<void> {
      const e = await repo.getEdition(editionId);
      if (!e || e.status !== 'processing') return;
      const dir = await scratch();
      try {
        const file = await deps.storage.localCopy(e.sourceKey, dir);
        const info = await deps.poppler.info(file, { maxPages: EPAPER_LIMITS.maxPages });
        if (info.pages > EPAPER_LIMITS.maxPages) return await fail(editionId, 'epaper.too_many_pages', String(info.pages));
        const bad = badShape(info);
        if (bad) return await fail(editionId, 'epaper.page_shape', String(bad));
        const labels = pageLabels(e.pageLabels.join('|'), info.pages);
        const pages: NewPage[] = [];
        for (let n = 1; n <= info.pages; n++) {
          const png = await deps.poppler.renderPage(file, { page: n, width: EPAPER_LIMITS.imageWidth, outPrefix: path.join(dir, `p${n}`) });
          const full = path.join(dir, `p${n}.webp`);
          const thumb = path.join(dir, `p${n}-thumb.webp`);
          const input = () => sharp(png, { failOn: 'error', limitInputPixels: MAX_PIXELS });
          const meta = await input().webp({ quality: 82 }).toFile(full);
          await input().resize({ width: EPAPER_LIMITS.thumbWidth }).webp({ quality: 75 }).toFile(thumb);
          const imageKey = `${editionPrefix(editionId)}/p${pad2(n)}.webp`;
          const thumbKey = `${editionPrefix(editionId)}/p${pad2(n)}-thumb.webp`;
          await deps.storage.moveFile(imageKey, full);
          await deps.storage.moveFile(thumbKey, thumb);
          await rm(png, { force: true });
          pages.push({ editionId, number: n, label: labels[n - 1]!, imageKey, thumbKey, contentType: IMAGE_TYPE, width: meta.width, height: meta.height });
        }
        const finished = await deps.db.transaction(async (tx) => {
          const locked = await repo.lockEdition(editionId, tx);
          if (!locked || locked.status !== 'processing') return false;
          await repo.createPages(pages, tx);
          await repo.updateEdition(editionId, { status: 'ready', pageCount: info.pages, renderedAt: clock.now(), errorCode: null, error: null }, tx);
          return true;
        });
        // Deleted while it rendered: what was written is nobody's.
        if (!finished && !(await repo.getEdition(editionId))) await deps.storage.deletePrefix(editionPrefix(editionId));
      } catch (err) {
        if (err instanceof PopplerError) return await fail(editionId, err.code, err.detail);
        // A storage or database hiccup may pass: let the queue retry, and say why on the last try.
        if (!run.isLastAttempt) throw err;
        await fail(editionId, 'epaper.render_failed', err instanceof Error ? err.message.split('\n')[0]!.slice(0, 300) : String(err));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },

    // ---- kiosks and the public ----
    async list(q: { title?: string; before?: string; limit: number; offset: number }): Promise<EditionSummary[]> {
      return summaries(await repo.listPublished(q));
    },

    /** The newest published edition dated today or before (Asia/Shanghai), of one title or any. */
    async latest(q: { title?: string }): Promise<{ edition: Edition; today: string; isToday: boolean }> {
      const today = shanghaiDay(clock.now());
      const [row] = await repo.listPublished({ title: q.title, before: today, limit: 1, offset: 0 });
      if (!row) throw new AppError('epaper.edition_not_found');
      return { edition: await full(row), today, isToday: row.date === today };
    },

    /** Every published edition of a date (one per title), with pages and zones. */
    async day(q: { day: string; title?: string }): Promise<Edition[]> {
      const rows = await repo.listPublished({ date: q.day, title: q.title, limit: 100, offset: 0 });
      const out: Edition[] = [];
      for (const r of rows) out.push(await full(r));
      return out;
    },

    async edition(actor: Actor | null | undefined, id: string): Promise<Edition> {
      const e = await repo.getEdition(id);
      if (!e || (e.status !== 'published' && !can(actor, 'epaper.manage'))) throw new AppError('epaper.edition_not_found');
      return full(e);
    },

    /** A page's image: anyone's once published (cacheable for good), staff's only before. */
    async image(
      actor: Actor | null | undefined,
      pageId: string,
      which: 'image' | 'thumb',
    ): Promise<{ stream: Readable; size: number; contentType: string; published: boolean }> {
      const p = await repo.getPage(pageId);
      const published = p?.edition.status === 'published';
      if (!p || (!published && !can(actor, 'epaper.manage'))) throw new AppError('epaper.page_not_found');
      const key = which === 'thumb' ? p.thumbKey : p.imageKey;
      const info = await deps.storage.stat(key);
      const stream = info ? await deps.storage.get(key) : null;
      if (!info || !stream) throw new AppError('epaper.page_not_found');
      return { stream, size: info.size, contentType: p.contentType, published };
    },
  };
}
export type EpaperService = ReturnType<typeof createEpaperService>;
