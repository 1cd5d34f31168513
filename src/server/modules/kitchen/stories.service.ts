import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import {
  FORM_FILTER,
  STORY_IMAGE_TYPES,
  STORY_LIMITS,
  type CreateStoryBody,
  type Form,
  type FormStatus,
  type Story,
  type StoryDiff,
  type StoryImage,
  type StoryImageSize,
  type StoryListItem,
  type StoryVideo,
  type UpdateStoryBody,
} from '../../../contracts/kitchen.js';
import type { Db } from '../../db/client.js';
import type { StoryImageRow, StoryRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import type { Storage } from '../../lib/storage.js';
import type { Actor } from '../accounts/permissions.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import type { KitchenScope, KitchenScopeService } from './kitchen.scope.js';
import { sanitizeStoryHtml } from './sanitize.js';
import { diffBody, diffText } from './stories.diff.js';
import type { StoriesRepository } from './stories.repository.js';
import { resizeStoryImage, UnreadableImageError } from './stories.sharp.js';

export interface StoriesServiceDeps {
  db: Db;
  repo: StoriesRepository;
  scope: KitchenScopeService;
  audit: AuditRepository;
  storage: Storage;
  clock: Clock;
  /** Scratch space for the resized copies before they are stored. */
  workDir: string;
}

const imageUrl = (id: string, size: StoryImageSize) => `/api/kitchen/images/${id}/${size}`;
const mediaUrl = (key: string | undefined | null) => (key ? `/api/media/${key}` : null);
const imagePrefix = (storyId: string, imageId: string) => `kitchen/stories/${storyId}/images/${imageId}`;

/** "2026-12-03 21:34", Beijing time: how the conflict message says when the newer version was saved. */
export function beijingTime(at: Date): string {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Asia/Shanghai',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    })
      .formatToParts(at)
      .map((x) => [x.type, x.value]),
  );
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

const encodeCursor = (row: StoryRow) => Buffer.from(JSON.stringify([row.updatedAt.toISOString(), row.id])).toString('base64url');
function decodeCursor(cursor: string): { at: string; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    if (Number.isNaN(Date.parse(at)) || !/^[0-9a-f-]{36}$/.test(id)) throw new Error('bad');
    return { at, id };
  } catch {
    throw new AppError('request.invalid', { detail: 'cursor' });
  }
}

/** The same rule as kitchen.scope.ts's assertCovers, on a scope already read (one read per request). */
function assertCovers(s: KitchenScope, studioId: string | null): void {
  if (studioId !== null && !s.all && !s.studioIds.includes(studioId)) throw new AppError('kitchen.out_of_scope');
}

function normaliseTags(tags: string[]): string[] {
  return [...new Set(tags.map((t) => t.trim()).filter(Boolean))];
}

/**
 * Staff stories (docs/kitchen.md, "Stories"): written once, saved with optimistic locking, every
 * save a whole revision in the same transaction, images resized by sharp and served by Paike,
 * adopted contributor videos embedded with their credit. Every route names its permission
 * (kitchen.write) and then the story's studio (kitchen.scope.ts) before anything is revealed.
 */
export function createStoriesService(deps: StoriesServiceDeps) {
  const { db, repo, scope, audit, storage, clock } = deps;

  /** The story, once the actor may write stories and covers its studio. */
  async function storyInScope(actor: Actor, id: string, tx: Db = db): Promise<StoryRow> {
    const s = await scope.forActor(actor, 'kitchen.write', tx);
    const row = await repo.find(id, tx);
    if (!row) throw new AppError('kitchen.story_not_found');
    assertCovers(s, row.studioId);
    return row;
  }

  function imageDto(r: StoryImageRow): StoryImage {
    return {
      id: r.id,
      width: r.width,
      height: r.height,
      bytes: r.bytes,
      caption: r.caption,
      credit: r.credit,
      position: r.position,
      urls: { print: imageUrl(r.id, 'print'), web: imageUrl(r.id, 'web'), thumb: imageUrl(r.id, 'thumb') },
      createdAt: r.createdAt.toISOString(),
    };
  }

  async function videosOf(storyId: string, tx: Db = db): Promise<StoryVideo[]> {
    return (await repo.videos(storyId, tx)).map((v) => ({
      submissionId: v.submissionId,
      title: v.title,
      contributor: { id: v.contributorId, name: v.contributorName },
      posterUrl: mediaUrl(v.outputs?.poster),
      hlsUrl: mediaUrl(v.outputs?.master),
      position: v.position,
    }));
  }

  async function full(row: StoryRow, tx: Db = db): Promise<Story> {
    const [names, studios, images, videos, forms] = await Promise.all([
      repo.names([row.authorId, row.updatedBy], tx),
      repo.studioNames(row.studioId ? [row.studioId] : [], tx),
      repo.images(row.id, tx),
      videosOf(row.id, tx),
      repo.formsOf([row.id], tx),
    ]);
    return {
      id: row.id,
      studio: row.studioId ? { id: row.studioId, name: studios.get(row.studioId) ?? '' } : null,
      headline: row.headline,
      standfirst: row.standfirst,
      bodyHtml: row.bodyHtml,
      tags: row.tags,
      byline: row.byline,
      author: { id: row.authorId, name: names.get(row.authorId) ?? '' },
      version: row.version,
      updatedBy: { id: row.updatedBy, name: names.get(row.updatedBy) ?? '' },
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
      images: images.map(imageDto),
      videos,
      forms: forms.map((f) => ({ form: f.form, status: f.status, url: f.url })),
    };
  }

  async function assertStudio(actor: Actor, studioId: string | null | undefined, tx: Db) {
    if (!studioId) return;
    if (!(await repo.studioExists(studioId, tx))) throw new AppError('kitchen.studio_not_found');
    await scope.assertCovers(actor, studioId, tx);
  }

  return {
    async create(actor: Actor, body: CreateStoryBody): Promise<Story> {
      await scope.forActor(actor, 'kitchen.write');
      return db.transaction(async (tx) => {
        await assertStudio(actor, body.studioId, tx);
        const now = clock.now();
        const row = await repo.insert(
          {
            studioId: body.studioId ?? null,
            headline: body.headline,
            standfirst: body.standfirst ?? '',
            bodyHtml: sanitizeStoryHtml(body.bodyHtml ?? ''),
            tags: normaliseTags(body.tags ?? []),
            byline: body.byline ?? '',
            authorId: actor.id,
            updatedBy: actor.id,
            createdAt: now,
            updatedAt: now,
          },
          tx,
        );
        await repo.insertRevision(row, tx);
        await audit.create(
          { actorId: actor.id, action: 'story.create', objectType: 'story', objectId: row.id, data: { headline: row.headline, studioId: row.studioId } },
          tx,
        );
        return full(row, tx);
      });
    },

    async get(actor: Actor, id: string): Promise<Story> {
      return full(await storyInScope(actor, id));
    },

    async list(actor: Actor, q: { studioId?: string; q?: string; tag?: string; form?: string[]; cursor?: string; limit: number }) {
      const s = await scope.forActor(actor, 'kitchen.write');
      const forms = (q.form ?? []).map((f) => {
        const m = FORM_FILTER.exec(f)!;
        return { form: m[1] as Form, not: m[2] === '!', status: m[3] as FormStatus };
      });
      const rows = await repo.list({
        scope: s,
        studioId: q.studioId,
        q: q.q || undefined,
        tag: q.tag || undefined,
        forms,
        after: q.cursor ? decodeCursor(q.cursor) : undefined,
        limit: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      const ids = page.map((r) => r.id);
      const [names, studios, formRows] = await Promise.all([
        repo.names(page.flatMap((r) => [r.authorId, r.updatedBy])),
        repo.studioNames(page.flatMap((r) => (r.studioId ? [r.studioId] : []))),
        repo.formsOf(ids),
      ]);
      const items: StoryListItem[] = page.map((r) => ({
        id: r.id,
        studio: r.studioId ? { id: r.studioId, name: studios.get(r.studioId) ?? '' } : null,
        headline: r.headline,
        standfirst: r.standfirst,
        tags: r.tags,
        byline: r.byline,
        version: r.version,
        author: { id: r.authorId, name: names.get(r.authorId) ?? '' },
        updatedBy: { id: r.updatedBy, name: names.get(r.updatedBy) ?? '' },
        updatedAt: r.updatedAt.toISOString(),
        forms: formRows.filter((f) => f.storyId === r.id).map((f) => ({ form: f.form, status: f.status, url: f.url })),
      }));
      return { items, nextCursor: rows.length > q.limit ? encodeCursor(page[page.length - 1]!) : null };
    },

    /**
     * A save. The row is locked, its version compared with the one the editor started from: a
     * mismatch is 409 kitchen.stale_version saying who saved the newer version and when, and
     * nothing is written. A save that changes nothing writes nothing either.
     */
    async update(actor: Actor, id: string, body: UpdateStoryBody): Promise<Story> {
      const s = await scope.forActor(actor, 'kitchen.write');
      // The story is read back after the commit: the row lock is held for the writes only.
      const saved = await db.transaction(async (tx) => {
        const current = await repo.lock(id, tx);
        if (!current) throw new AppError('kitchen.story_not_found');
        assertCovers(s, current.studioId);
        if (current.version !== body.version) {
          const names = await repo.names([current.updatedBy], tx);
          const name = names.get(current.updatedBy) ?? '';
          throw new AppError(
            'kitchen.stale_version',
            { name, at: beijingTime(current.updatedAt), version: current.version },
            { details: { currentVersion: current.version, updatedBy: { id: current.updatedBy, name }, updatedAt: current.updatedAt.toISOString() } },
          );
        }
        if (body.studioId !== undefined && body.studioId !== current.studioId && body.studioId !== null) {
          if (!(await repo.studioExists(body.studioId, tx))) throw new AppError('kitchen.studio_not_found');
          assertCovers(s, body.studioId);
        }
        const next = {
          headline: body.headline ?? current.headline,
          standfirst: body.standfirst ?? current.standfirst,
          bodyHtml: body.bodyHtml === undefined ? current.bodyHtml : sanitizeStoryHtml(body.bodyHtml),
          tags: body.tags === undefined ? current.tags : normaliseTags(body.tags),
          byline: body.byline ?? current.byline,
          studioId: body.studioId === undefined ? current.studioId : body.studioId,
        };
        const changed = (Object.keys(next) as (keyof typeof next)[]).filter((k) => JSON.stringify(next[k]) !== JSON.stringify(current[k]));
        if (!changed.length) return current;
        const row = await repo.update(id, current.version, { ...next, updatedBy: actor.id, updatedAt: clock.now() }, tx);
        if (!row) throw new AppError('kitchen.story_not_found');
        await repo.insertRevision(row, tx);
        await audit.create(
          { actorId: actor.id, action: 'story.update', objectType: 'story', objectId: id, data: { version: row.version, fields: changed } },
          tx,
        );
        return row;
      });
      return full(saved);
    },

    async revisions(actor: Actor, id: string) {
      await storyInScope(actor, id);
      const rows = await repo.revisions(id);
      const names = await repo.names(rows.map((r) => r.editorId));
      return rows.map((r) => ({
        version: r.version,
        headline: r.headline,
        editor: { id: r.editorId, name: names.get(r.editorId) ?? '' },
        createdAt: r.createdAt.toISOString(),
      }));
    },

    /** What changed from version `against` (the one before by default) to `version`. */
    async diff(actor: Actor, id: string, version: number, against?: number): Promise<StoryDiff> {
      await storyInScope(actor, id);
      const fromVersion = against ?? Math.max(1, version - 1);
      const [to, from] = await Promise.all([repo.revision(id, version), repo.revision(id, fromVersion)]);
      if (!to) throw new AppError('kitchen.revision_not_found', { version });
      if (!from) throw new AppError('kitchen.revision_not_found', { version: fromVersion });
      const names = await repo.names([to.editorId, from.editorId]);
      const meta = (r: typeof to) => ({
        version: r.version,
        headline: r.headline,
        editor: { id: r.editorId, name: names.get(r.editorId) ?? '' },
        createdAt: r.createdAt.toISOString(),
      });
      return {
        from: meta(from),
        to: meta(to),
        fields: {
          headline: diffText(from.headline, to.headline),
          standfirst: diffText(from.standfirst, to.standfirst),
          byline: diffText(from.byline, to.byline),
          tags: diffText(from.tags.join('、'), to.tags.join('、')),
        },
        body: diffBody(from.bodyHtml, to.bodyHtml),
      };
    },

    /**
     * An uploaded image: checked (type, size, decodable), resized to print/web/thumb, stored, and
     * only then its row inserted; any failure removes what was stored.
     */
    async addImage(actor: Actor, id: string, input: { bytes: Buffer; contentType: string; caption?: string; credit?: string }): Promise<StoryImage> {
      const story = await storyInScope(actor, id);
      const type = input.contentType.split(';')[0]!.trim().toLowerCase();
      if (!(STORY_IMAGE_TYPES as readonly string[]).includes(type)) throw new AppError('kitchen.image_type', { type: type || '—' });
      if (!input.bytes.length) throw new AppError('kitchen.image_unreadable', {}, { details: { reason: 'empty body' } });
      if (input.bytes.length > STORY_LIMITS.imageBytes) throw new AppError('kitchen.image_too_large', { mb: STORY_LIMITS.imageBytes / 1024 / 1024 });
      const existing = await repo.images(story.id);
      if (existing.length >= STORY_LIMITS.images) throw new AppError('kitchen.too_many_images', { max: STORY_LIMITS.images });
      let copies;
      try {
        copies = await resizeStoryImage(input.bytes);
      } catch (err) {
        if (err instanceof UnreadableImageError) throw new AppError('kitchen.image_unreadable', {}, { details: { reason: err.message.slice(0, 200) } });
        throw err;
      }
      const imageId = randomUUID();
      const prefix = imagePrefix(story.id, imageId);
      const scratch = path.join(deps.workDir, `kitchen-image-${imageId}`);
      try {
        await mkdir(scratch, { recursive: true });
        for (const c of copies) {
          const file = path.join(scratch, `${c.size}.jpg`);
          await writeFile(file, c.buffer);
          await storage.moveFile(`${prefix}/${c.size}.jpg`, file);
        }
        const print = copies.find((c) => c.size === 'print')!;
        const row = await db.transaction(async (tx) => {
          const inserted = await repo.insertImage(
            {
              id: imageId,
              storyId: story.id,
              printKey: `${prefix}/print.jpg`,
              webKey: `${prefix}/web.jpg`,
              thumbKey: `${prefix}/thumb.jpg`,
              width: print.width,
              height: print.height,
              bytes: input.bytes.length,
              caption: input.caption ?? '',
              credit: input.credit ?? '',
              position: existing.length ? Math.max(...existing.map((e) => e.position)) + 1 : 0,
              uploadedBy: actor.id,
              createdAt: clock.now(),
            },
            tx,
          );
          await audit.create(
            {
              actorId: actor.id,
              action: 'story.image_add',
              objectType: 'story',
              objectId: story.id,
              data: { imageId, bytes: input.bytes.length, width: print.width, height: print.height },
            },
            tx,
          );
          return inserted;
        });
        return imageDto(row);
      } catch (err) {
        await storage.deletePrefix(prefix).catch(() => {});
        throw err;
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    },

    async updateImage(actor: Actor, id: string, imageId: string, body: { caption?: string; credit?: string; position?: number }): Promise<StoryImage[]> {
      const story = await storyInScope(actor, id);
      return db.transaction(async (tx) => {
        await repo.lock(story.id, tx);
        const images = await repo.images(story.id, tx);
        const image = images.find((i) => i.id === imageId);
        if (!image) throw new AppError('kitchen.image_not_found');
        if (body.caption === undefined && body.credit === undefined && body.position === undefined) return images.map(imageDto);
        if (body.caption !== undefined || body.credit !== undefined) {
          await repo.updateImage(
            imageId,
            { ...(body.caption !== undefined ? { caption: body.caption } : {}), ...(body.credit !== undefined ? { credit: body.credit } : {}) },
            tx,
          );
        }
        if (body.position !== undefined) {
          const order = images.filter((i) => i.id !== imageId);
          order.splice(Math.min(body.position, order.length), 0, image);
          for (const [position, i] of order.entries()) if (i.position !== position) await repo.updateImage(i.id, { position }, tx);
        }
        await audit.create({ actorId: actor.id, action: 'story.image_update', objectType: 'story', objectId: story.id, data: { imageId, ...body } }, tx);
        return (await repo.images(story.id, tx)).map(imageDto);
      });
    },

    async deleteImage(actor: Actor, id: string, imageId: string): Promise<void> {
      const story = await storyInScope(actor, id);
      await db.transaction(async (tx) => {
        const image = await repo.image(imageId, tx);
        if (!image || image.storyId !== story.id) throw new AppError('kitchen.image_not_found');
        await repo.deleteImage(imageId, tx);
        await audit.create({ actorId: actor.id, action: 'story.image_delete', objectType: 'story', objectId: story.id, data: { imageId } }, tx);
      });
      await storage.deletePrefix(imagePrefix(story.id, imageId));
    },

    /**
     * One size of an image: public (cacheable) once any form of its story is published; before
     * that, only staff who may write the story.
     */
    async image(actor: Actor | null, imageId: string, size: StoryImageSize): Promise<{ body: Readable; bytes: number | null; cacheControl: string }> {
      const image = await repo.image(imageId);
      if (!image) throw new AppError('kitchen.image_not_found');
      const published = await repo.isPublished(image.storyId);
      if (!published) {
        if (!actor) throw new AppError('auth.required');
        await storyInScope(actor, image.storyId);
      }
      const key = size === 'print' ? image.printKey : size === 'web' ? image.webKey : image.thumbKey;
      const [body, st] = await Promise.all([storage.get(key), storage.stat(key)]);
      if (!body) throw new AppError('kitchen.image_not_found');
      // The bytes behind an image id never change (a new upload is a new id).
      return { body, bytes: st?.size ?? null, cacheControl: published ? 'public, max-age=86400' : 'private, max-age=3600' };
    },

    /** The story's embedded videos, replaced as a whole: adopted submissions only, in this order. */
    async setVideos(actor: Actor, id: string, submissionIds: string[]): Promise<StoryVideo[]> {
      const story = await storyInScope(actor, id);
      const ids = [...new Set(submissionIds)];
      return db.transaction(async (tx) => {
        await repo.lock(story.id, tx);
        const found = new Map((await repo.submissionsByIds(ids, tx)).map((s) => [s.id, s]));
        for (const sid of ids) {
          const s = found.get(sid);
          if (!s) throw new AppError('kitchen.video_not_found', {}, { details: { submissionId: sid } });
          if (s.status !== 'adopted') throw new AppError('kitchen.video_not_adopted', { title: s.title }, { details: { submissionId: sid, status: s.status } });
        }
        await repo.replaceVideos(story.id, ids, tx);
        await audit.create({ actorId: actor.id, action: 'story.videos_set', objectType: 'story', objectId: story.id, data: { submissionIds: ids } }, tx);
        return videosOf(story.id, tx);
      });
    },
  };
}
export type StoriesService = ReturnType<typeof createStoriesService>;
