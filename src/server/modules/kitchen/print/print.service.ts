import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { and, asc, eq, inArray } from 'drizzle-orm';
import { printContentSchema, type Newspaper, type NewspaperUpdate, type PrintContent, type PrintRenderState } from '../../../../contracts/kitchen.js';
import type { Locale } from '../../../../contracts/common.js';
import type { Db } from '../../../db/client.js';
import {
  newspapers,
  stories,
  storyForms,
  storyImages,
  storyPrintRenders,
  storyVideos,
  studios,
  submissions,
  users,
  type NewspaperRow,
  type StoryPrintRenderRow,
  type StoryRow,
} from '../../../db/schema.js';
import type { JobQueue } from '../../../jobs/queue.js';
import type { Clock } from '../../../lib/clock.js';
import { AppError, isUniqueViolation } from '../../../lib/errors.js';
import { translateAny } from '../../../lib/messages.js';
import type { Storage } from '../../../lib/storage.js';
import { assertCan, type Actor } from '../../accounts/permissions.js';
import type { AuditRepository } from '../../audit/audit.repository.js';
import type { KitchenScopeService } from '../kitchen.scope.js';
import { ChromiumError, type ChromiumRenderer } from './chromium.js';
import { toNewsMl, toNinjs, type ExportStory } from './exports.js';
import { buildPrintHtml, type PrintBlock, type PrintNewspaper } from './print.layout.js';
import { qrSvg } from './qr.js';

export interface KitchenPrintDeps {
  db: Db;
  storage: Storage;
  jobs: JobQueue;
  clock: Clock;
  audit: AuditRepository;
  scope: KitchenScopeService;
  chromium: ChromiumRenderer;
  publicUrl: () => string;
  logger: FastifyBaseLogger;
  workDir: string;
}

/** How many of the story's images a block derived from the story (no print form yet) carries. */
export const DERIVED_IMAGES = 4;
/** A queued or running render older than this is taken as lost (worker died) and may be asked again. */
const STUCK_MS = 10 * 60_000;

function toNewspaper(r: NewspaperRow): Newspaper {
  return {
    id: r.id,
    name: r.name,
    pageSize: r.pageSize,
    columns: r.columns,
    gutterMm: r.gutterMm,
    marginMm: r.marginMm,
    bleedMm: r.bleedMm,
    headlinePt: r.headlinePt,
    standfirstPt: r.standfirstPt,
    bodyPt: r.bodyPt,
    captionPt: r.captionPt,
    updatedAt: r.updatedAt.toISOString(),
  };
}

function mimeOf(buf: Buffer): string {
  if (buf[0] === 0xff && buf[1] === 0xd8) return 'image/jpeg';
  if (buf[0] === 0x89 && buf[1] === 0x50) return 'image/png';
  if (buf.subarray(0, 4).toString() === 'RIFF' && buf.subarray(8, 12).toString() === 'WEBP') return 'image/webp';
  return 'application/octet-stream';
}

async function readAll(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks);
}

// eslint-disable-next-line no-control-regex -- control characters are among what it removes
const UNSAFE_IN_FILENAME = /[\\/:*?"<>|\u0000-\u001f\u007f]/g;

/** An ASCII file name for a PDF, and the headline for `filename*` (RFC 6266). */
export function pdfDisposition(story: Pick<StoryRow, 'id' | 'headline'>, version: number | null): string {
  const ascii = `paike-print-${story.id.slice(0, 8)}${version ? `-v${version}` : ''}.pdf`;
  const name = story.headline.replace(UNSAFE_IN_FILENAME, '').slice(0, 60).trim() || 'print';
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(`${name}.pdf`)}`;
}

export function createKitchenPrintService(deps: KitchenPrintDeps) {
  const { db, storage } = deps;

  async function storyFor(actor: Actor | null | undefined, id: string): Promise<StoryRow> {
    assertCan(actor, 'kitchen.write');
    const [story] = await db.select().from(stories).where(eq(stories.id, id));
    if (!story) throw new AppError('kitchen.story_not_found');
    await deps.scope.assertCovers(actor, story.studioId);
    return story;
  }

  async function defaultNewspaper(): Promise<NewspaperRow> {
    const [row] = await db.select().from(newspapers).orderBy(asc(newspapers.createdAt), asc(newspapers.name)).limit(1);
    if (!row) throw new AppError('kitchen.newspaper_not_found');
    return row;
  }

  async function printForm(storyId: string) {
    const [form] = await db
      .select()
      .from(storyForms)
      .where(and(eq(storyForms.storyId, storyId), eq(storyForms.form, 'print')));
    if (!form) return null;
    // A form whose content no longer fits the contract is laid out from the story instead.
    const content = printContentSchema.safeParse(form.content);
    return { row: form, content: content.success ? content.data : null };
  }

  async function imagesOf(storyId: string, ids: string[] | null) {
    const rows = await db
      .select()
      .from(storyImages)
      .where(ids ? and(eq(storyImages.storyId, storyId), inArray(storyImages.id, ids.length ? ids : [randomUUID()])) : eq(storyImages.storyId, storyId))
      .orderBy(asc(storyImages.position), asc(storyImages.createdAt));
    if (ids) return ids.map((id) => rows.find((r) => r.id === id)).filter((r) => r !== undefined);
    return rows.slice(0, DERIVED_IMAGES);
  }

  async function videosOf(storyId: string) {
    return db
      .select({
        submissionId: submissions.id,
        title: submissions.title,
        contributor: users.name,
        outputs: submissions.outputs,
        durationSeconds: submissions.durationSeconds,
        width: submissions.width,
        height: submissions.height,
      })
      .from(storyVideos)
      .innerJoin(submissions, eq(submissions.id, storyVideos.submissionId))
      .innerJoin(users, eq(users.id, submissions.userId))
      .where(eq(storyVideos.storyId, storyId))
      .orderBy(asc(storyVideos.position), asc(submissions.id));
  }

  async function dataUrl(key: string): Promise<string> {
    const stream = await storage.get(key).catch(() => null);
    if (!stream) throw new AppError('kitchen.print_image_missing', { key });
    const buf = await readAll(stream);
    return `data:${mimeOf(buf)};base64,${buf.toString('base64')}`;
  }

  /** Everything the print page shows, from the print form when there is one, else from the story. */
  async function layout(story: StoryRow) {
    const form = await printForm(story.id);
    const content: PrintContent | null = form?.content ?? null;
    const paperRow = form?.row.newspaperId
      ? ((await db.select().from(newspapers).where(eq(newspapers.id, form.row.newspaperId)))[0] ?? (await defaultNewspaper()))
      : await defaultNewspaper();
    const paper: PrintNewspaper = { ...paperRow };
    const images = await imagesOf(story.id, content ? content.imageIds : null);
    const videos = await videosOf(story.id);
    const base = deps.publicUrl();
    const block: PrintBlock = {
      headline: content?.headline ?? story.headline,
      standfirst: content?.standfirst ?? story.standfirst,
      byline: story.byline,
      bodyHtml: content?.bodyHtml ?? story.bodyHtml,
      columns: Math.min(content?.columns ?? paper.columns, paper.columns),
      edition: content?.edition ?? null,
      page: content?.page ?? '',
      images: await Promise.all(
        images.map(async (img) => ({ src: await dataUrl(img.printKey), width: img.width, height: img.height, caption: img.caption, credit: img.credit })),
      ),
      videos: await Promise.all(
        videos.map(async (v) => {
          const url = `${base}/v/${v.submissionId}`;
          const poster = v.outputs?.poster ? await dataUrl(v.outputs.poster).catch(() => null) : null;
          return { title: v.title, contributor: v.contributor, url, qrSvg: await qrSvg(url), posterSrc: poster };
        }),
      ),
    };
    return {
      html: buildPrintHtml(paper, block),
      source: content ? ('form' as const) : ('story' as const),
      formVersion: form?.row.version ?? null,
      paperId: paperRow.id,
    };
  }

  function stateOf(
    story: StoryRow,
    row: StoryPrintRenderRow | undefined,
    source: 'form' | 'story',
    formVersion: number | null,
    locale: Locale,
  ): PrintRenderState {
    return {
      storyId: story.id,
      status: row?.status ?? 'none',
      storyVersion: row?.storyVersion ?? null,
      stale: !!row?.pdfKey && (row.storyVersion !== story.version || (row.formVersion ?? null) !== formVersion),
      pdfUrl: row?.pdfKey ? `/api/kitchen/stories/${story.id}/print.pdf` : null,
      pdfBytes: row?.pdfKey ? row.pdfBytes : null,
      error:
        row?.status === 'failed' && row.errorCode
          ? { code: row.errorCode, message: translateAny(row.errorCode, locale, { detail: row.error ?? '', path: deps.chromium.executablePath }) }
          : null,
      requestedAt: row?.requestedAt.toISOString() ?? null,
      finishedAt: row?.finishedAt?.toISOString() ?? null,
      renderMs: row?.renderMs ?? null,
      source,
    };
  }

  async function renderRow(storyId: string) {
    const [row] = await db.select().from(storyPrintRenders).where(eq(storyPrintRenders.storyId, storyId));
    return row;
  }

  async function formFacts(storyId: string) {
    const form = await printForm(storyId);
    return { source: form?.content ? ('form' as const) : ('story' as const), formVersion: form?.row.version ?? null };
  }

  async function exportStory(story: StoryRow): Promise<ExportStory> {
    const [studio] = story.studioId ? await db.select({ name: studios.name }).from(studios).where(eq(studios.id, story.studioId)) : [];
    const images = await db.select().from(storyImages).where(eq(storyImages.storyId, story.id)).orderBy(asc(storyImages.position), asc(storyImages.createdAt));
    const videos = await videosOf(story.id);
    return {
      id: story.id,
      version: story.version,
      headline: story.headline,
      standfirst: story.standfirst,
      bodyHtml: story.bodyHtml,
      tags: story.tags,
      byline: story.byline,
      studio: studio?.name ?? null,
      createdAt: story.createdAt,
      updatedAt: story.updatedAt,
      images: images.map((i) => ({ id: i.id, caption: i.caption, credit: i.credit, width: i.width, height: i.height, bytes: i.bytes })),
      videos: videos.map((v) => ({
        submissionId: v.submissionId,
        title: v.title,
        contributor: v.contributor,
        durationSeconds: v.durationSeconds,
        width: v.width,
        height: v.height,
        posterKey: v.outputs?.poster ?? null,
      })),
    };
  }

  return {
    async listNewspapers(actor: Actor | null | undefined): Promise<Newspaper[]> {
      assertCan(actor, 'kitchen.write');
      const rows = await db.select().from(newspapers).orderBy(asc(newspapers.createdAt), asc(newspapers.name));
      return rows.map(toNewspaper);
    },

    async updateNewspaper(actor: Actor | null | undefined, id: string, body: NewspaperUpdate): Promise<Newspaper> {
      assertCan(actor, 'kitchen.configure');
      return db.transaction(async (tx) => {
        const [before] = await tx.select().from(newspapers).where(eq(newspapers.id, id));
        if (!before) throw new AppError('kitchen.newspaper_not_found');
        const [row] = await tx
          .update(newspapers)
          .set({ ...body, updatedAt: deps.clock.now() })
          .where(eq(newspapers.id, id))
          .returning()
          .catch((err: unknown) => {
            if (isUniqueViolation(err)) throw new AppError('kitchen.newspaper_name_taken');
            throw err;
          });
        const changed = Object.fromEntries(Object.entries(body).filter(([k, v]) => before[k as keyof NewspaperRow] !== v));
        await deps.audit.create(
          { actorId: actor.id, action: 'newspaper.update', objectType: 'newspaper', objectId: id, data: { name: row!.name, changed } },
          tx,
        );
        return toNewspaper(row!);
      });
    },

    /** The print page as HTML (what Chromium prints), for the preview. */
    async previewHtml(actor: Actor | null | undefined, id: string): Promise<string> {
      const story = await storyFor(actor, id);
      return (await layout(story)).html;
    },

    async state(actor: Actor | null | undefined, id: string, locale: Locale): Promise<PrintRenderState> {
      const story = await storyFor(actor, id);
      const facts = await formFacts(id);
      return stateOf(story, await renderRow(id), facts.source, facts.formVersion, locale);
    },

    /** Queues a render (once: a render already queued or running is not asked twice). */
    async requestRender(actor: Actor | null | undefined, id: string, locale: Locale): Promise<PrintRenderState> {
      const story = await storyFor(actor, id);
      const now = deps.clock.now();
      const current = await renderRow(id);
      const busy = current && (current.status === 'queued' || current.status === 'rendering') && now.getTime() - current.requestedAt.getTime() < STUCK_MS;
      if (!busy) {
        await db.transaction(async (tx) => {
          await tx
            .insert(storyPrintRenders)
            .values({ storyId: id, status: 'queued', requestedBy: actor!.id, requestedAt: now })
            .onConflictDoUpdate({
              target: storyPrintRenders.storyId,
              set: { status: 'queued', requestedBy: actor!.id, requestedAt: now, startedAt: null, finishedAt: null, errorCode: null, error: null },
            });
          await deps.audit.create(
            { actorId: actor!.id, action: 'print.render', objectType: 'story', objectId: id, data: { headline: story.headline, version: story.version } },
            tx,
          );
          await deps.jobs.send('kitchen.print-render', { storyId: id }, { tx });
        });
      }
      const facts = await formFacts(id);
      return stateOf(story, await renderRow(id), facts.source, facts.formVersion, locale);
    },

    /** The job: lays the block out, prints it, keeps the PDF. A failure is recorded, never thrown (a retry would fail the same way). */
    async render(storyId: string): Promise<void> {
      const started = deps.clock.now();
      const [story] = await db.select().from(stories).where(eq(stories.id, storyId));
      if (!story) return;
      await db.update(storyPrintRenders).set({ status: 'rendering', startedAt: started }).where(eq(storyPrintRenders.storyId, storyId));
      const t0 = performance.now();
      const scratch = path.join(deps.workDir, `print-${randomUUID()}`);
      try {
        const out = await layout(story);
        const pdf = await deps.chromium.pdf(out.html);
        await mkdir(scratch, { recursive: true });
        const file = path.join(scratch, 'block.pdf');
        await writeFile(file, pdf);
        const prefix = `kitchen/print/${storyId}/${randomUUID()}`;
        const key = `${prefix}/block.pdf`;
        await storage.moveFile(key, file);
        const before = await renderRow(storyId);
        await db
          .update(storyPrintRenders)
          .set({
            status: 'done',
            pdfKey: key,
            pdfBytes: pdf.length,
            storyVersion: story.version,
            formVersion: out.formVersion,
            newspaperId: out.paperId,
            errorCode: null,
            error: null,
            finishedAt: deps.clock.now(),
            renderMs: Math.round(performance.now() - t0),
          })
          .where(eq(storyPrintRenders.storyId, storyId));
        if (before?.pdfKey && before.pdfKey !== key) await storage.deletePrefix(path.posix.dirname(before.pdfKey)).catch(() => {});
      } catch (err) {
        const code =
          err instanceof ChromiumError
            ? err.kind === 'missing'
              ? 'kitchen.print_chromium_missing'
              : 'kitchen.print_chromium_failed'
            : err instanceof AppError
              ? err.code
              : 'kitchen.print_render_failed';
        const detail = (err instanceof Error ? err.message : String(err)).slice(0, 2000);
        deps.logger.warn({ storyId, code, detail }, 'print render failed');
        await db
          .update(storyPrintRenders)
          .set({ status: 'failed', errorCode: code, error: detail, finishedAt: deps.clock.now(), renderMs: Math.round(performance.now() - t0) })
          .where(eq(storyPrintRenders.storyId, storyId));
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    },

    async pdf(actor: Actor | null | undefined, id: string): Promise<{ stream: Readable; size: number; disposition: string }> {
      const story = await storyFor(actor, id);
      const row = await renderRow(id);
      const stream = row?.pdfKey ? await storage.get(row.pdfKey) : null;
      if (!row?.pdfKey || !stream) throw new AppError('kitchen.print_not_rendered');
      return { stream, size: row.pdfBytes ?? 0, disposition: pdfDisposition(story, row.storyVersion) };
    },

    async newsml(actor: Actor | null | undefined, id: string): Promise<string> {
      const story = await storyFor(actor, id);
      return toNewsMl(await exportStory(story), { publicUrl: deps.publicUrl(), provider: 'Paike' });
    },

    async ninjs(actor: Actor | null | undefined, id: string): Promise<Record<string, unknown>> {
      const story = await storyFor(actor, id);
      return toNinjs(await exportStory(story), { publicUrl: deps.publicUrl(), provider: 'Paike' });
    },

    close: () => deps.chromium.close(),
  };
}
export type KitchenPrintService = ReturnType<typeof createKitchenPrintService>;
