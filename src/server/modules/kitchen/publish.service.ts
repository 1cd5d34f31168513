import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import QRCode from 'qrcode';
import sharp from 'sharp';
import {
  SOCIAL_FORMS,
  VIDEO_LED_FORMS,
  type Form,
  type PrintContent,
  type ScreenContent,
  type VideoPlatformContent,
  type WebContent,
  type WechatContent,
  type WeiboContent,
} from '../../../contracts/kitchen.js';
import type { Db } from '../../db/client.js';
import type { ExternalChannel, StoryFormPublicationRow, StoryFormRow, StoryRow, SubmissionRow } from '../../db/schema.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import type { Storage } from '../../lib/storage.js';
import { assertCan, type Actor } from '../accounts/permissions.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import type { ChannelAccounts } from '../distribution/channel-accounts.service.js';
import { ChannelError, type ChannelAdapter, type Checkpoint, type LocalMedia, type PublishResult } from '../distribution/channels/channel.js';
import type { Renditions } from '../distribution/rendition.js';
import type { KitchenScopeService } from './kitchen.scope.js';
import { sanitizeStoryHtml } from './sanitize.js';
import type { KitchenPublishRepository, StoryVideoRef } from './publish.repository.js';

export interface KitchenPublishDeps {
  db: Db;
  repo: KitchenPublishRepository;
  scope: KitchenScopeService;
  accounts: ChannelAccounts;
  adapters: Record<ExternalChannel, ChannelAdapter>;
  renditions: Renditions;
  storage: Storage;
  jobs: JobQueue;
  audit: AuditRepository;
  clock: Clock;
  logger: FastifyBaseLogger;
  publicUrl: () => string;
  workDir: string;
  /** Attempts before a transient platform failure stays failed (the editor can press publish again). */
  maxAttempts: number;
}

type SocialForm = (typeof SOCIAL_FORMS)[number];
const isSocial = (f: Form): f is SocialForm => (SOCIAL_FORMS as readonly Form[]).includes(f);
const isVideoLed = (f: Form) => (VIDEO_LED_FORMS as readonly Form[]).includes(f);

const LEASE_MS = 30 * 60_000;
const mediaPath = (key: string) => `/api/media/${key}`;
const imagePath = (imageId: string, size: 'web' | 'thumb' | 'print' = 'web') => `/api/kitchen/images/${imageId}/${size}`;

/** Exponential backoff from 30 s, capped at an hour (as the video publications do). */
const backoffSeconds = (attempt: number) => Math.min(3600, 30 * 2 ** Math.max(0, attempt - 1));

/** The key a platform post is made under: the same for every retry of one (story, form), new after an unpublish. */
export const formIdempotencyKey = (storyId: string, form: Form, generation: number) => `kitchen:${storyId}:${form}:${generation}`;

export interface PublishedFormView {
  form: Form;
  status: StoryFormRow['status'];
  url: string | null;
  externalId: string | null;
  lastError: string | null;
  publishedAt: string | null;
  publication: { status: StoryFormPublicationRow['status']; attempts: number; error: string | null } | null;
}

function present(f: StoryFormRow, pub: StoryFormPublicationRow | null): PublishedFormView {
  return {
    form: f.form,
    status: f.status,
    url: f.url,
    externalId: f.externalId,
    lastError: f.lastError,
    publishedAt: f.publishedAt?.toISOString() ?? null,
    publication: pub ? { status: pub.status, attempts: pub.attempts, error: pub.error } : null,
  };
}

/**
 * Publishing a story's forms everywhere (docs/kitchen-publishing.md). Only a `ready` form (its
 * review chain complete) goes out. Print, web, app and screen are Paike's own: publishing marks
 * them published at once. Social forms go through the distribution channel adapters in the
 * `kitchen.publish-form` job, enqueued in the same transaction, with one idempotency key and a
 * persisted checkpoint per (story, form), so a retry resumes and never posts twice. A failure
 * is written on that form only (`last_error`, still `ready`); the other forms are not touched.
 */
export function createKitchenPublishService(deps: KitchenPublishDeps) {
  const { repo, clock } = deps;
  const storyUrl = (id: string) => `${deps.publicUrl()}/stories/${id}`;

  async function load(actor: Actor, storyId: string, form: Form, tx?: Db) {
    assertCan(actor, 'kitchen.publish');
    const story = await repo.story(storyId, tx);
    if (!story) throw new AppError('kitchen.story_not_found');
    await deps.scope.assertCovers(actor, story.studioId, tx);
    const row = await repo.form(storyId, form, tx);
    if (!row) throw new AppError('kitchen.form_not_found');
    return { story, row };
  }

  async function view(storyId: string, form: Form): Promise<PublishedFormView> {
    const row = await repo.form(storyId, form);
    if (!row) throw new AppError('kitchen.form_not_found');
    return present(row, await repo.publication(row.id));
  }

  async function withScratch<T>(key: string, fn: (dir: string) => Promise<T>): Promise<T> {
    const dir = path.join(deps.workDir, `kitchen-${key.replace(/[^a-z0-9-]/gi, '_')}-${Date.now()}`);
    await mkdir(dir, { recursive: true });
    try {
      return await fn(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** A storage image as a JPEG of at most 900 px wide (WeChat shows images inside content up to 1 MB). */
  async function jpegOf(key: string, dir: string, name: string): Promise<LocalMedia | null> {
    if (!(await deps.storage.stat(key))) return null;
    const src = await deps.storage.localCopy(key, path.join(dir, `${name}-src`));
    const out = path.join(dir, `${name}.jpg`);
    const info = await sharp(src)
      .rotate()
      .resize({ width: 900, withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 82 })
      .toFile(out);
    return { path: out, bytes: info.size, mime: 'image/jpeg' };
  }

  function checkpointOf(pub: StoryFormPublicationRow): Checkpoint {
    const state: Record<string, string | number> = { ...pub.checkpoint };
    return {
      state,
      async save(patch) {
        Object.assign(state, await repo.saveCheckpoint(pub.storyFormId, patch));
      },
    };
  }

  async function leadVideo(storyId: string): Promise<StoryVideoRef | null> {
    return (await repo.videos(storyId))[0] ?? null;
  }

  /** One attempt at the platform for a social form; returns what the adapter answered. */
  async function sendToPlatform(pub: StoryFormPublicationRow, story: StoryRow, f: StoryFormRow, dir: string): Promise<PublishResult> {
    const form = f.form as SocialForm;
    const adapter = deps.adapters[form];
    const creds = await deps.accounts.usable(form);
    const key = formIdempotencyKey(story.id, form, pub.generation);
    const checkpoint = checkpointOf(pub);
    const link = storyUrl(story.id);
    if (form === 'weibo') {
      if (!adapter.announce) throw new ChannelError('content_rejected', 'this Weibo adapter cannot make a text post');
      const c = f.content as WeiboContent;
      const r = await adapter.announce({ title: '', text: c.text, link }, creds, checkpoint);
      return { kind: 'live', externalId: r.externalId, url: r.url };
    }
    const videos = await repo.videos(story.id);
    if (form === 'wechat') {
      if (!adapter.publishArticle) throw new ChannelError('content_rejected', 'this WeChat adapter cannot publish an article');
      const c = f.content as WechatContent;
      const images = await repo.images(story.id);
      return adapter.publishArticle(
        {
          idempotencyKey: key,
          title: c.title,
          author: c.author,
          digest: c.digest,
          bodyHtml: sanitizeStoryHtml(c.bodyHtml),
          sourceUrl: link,
          videos: videos.map((v) => ({ url: `${deps.publicUrl()}/v/${v.submission.id}`, title: v.submission.title, credit: v.contributorName })),
          async cover() {
            const image = images[0];
            if (image) return jpegOf(image.webKey, dir, 'cover');
            const poster = videos[0]?.submission.outputs?.poster;
            return poster ? jpegOf(poster, dir, 'cover') : null;
          },
        },
        creds,
        checkpoint,
      );
    }
    // Toutiao/Douyin and Penguin: the lead video, as the desk's publications send it.
    const lead = videos[0];
    if (!lead) throw new ChannelError('content_rejected', `${form}: the story has no embedded video to lead it`);
    const c = f.content as VideoPlatformContent;
    const sub: SubmissionRow = lead.submission;
    return adapter.publish(
      {
        idempotencyKey: key,
        publicationId: pub.storyFormId,
        submissionId: sub.id,
        headline: c.title,
        summary: c.summary,
        tags: story.tags.slice(0, 5),
        credit: lead.contributorName,
        pageUrl: link,
        video: (opts) => deps.renditions.mp4(sub, opts ?? {}, path.join(dir, 'video')),
        async cover() {
          return sub.outputs?.poster ? jpegOf(sub.outputs.poster, dir, 'poster') : null;
        },
      },
      creds,
      checkpoint,
    );
  }

  async function goneLive(pub: StoryFormPublicationRow, f: StoryFormRow, r: Extract<PublishResult, { kind: 'live' }>) {
    await deps.db.transaction(async (tx) => {
      await repo.updateForm(f.id, { status: 'published', url: r.url, externalId: r.externalId, lastError: null, publishedAt: clock.now() }, tx);
      await repo.updatePublication(pub.storyFormId, { status: 'live', leaseUntil: null, error: null }, tx);
    });
  }

  /** Answers a failure by its class; only this form's row and publication change. */
  async function failed(pub: StoryFormPublicationRow, f: StoryFormRow, err: unknown, verb: 'publish' | 'unpublish') {
    const ce =
      err instanceof ChannelError
        ? err
        : new ChannelError('transient', err instanceof AppError ? err.code : 'an unexpected error inside Paike (see the server log)');
    if (!(err instanceof ChannelError)) deps.logger.error({ err, storyFormId: f.id }, 'kitchen form publication failed unexpectedly');
    if (ce.errorClass === 'auth_expired' && isSocial(f.form)) await deps.accounts.markReconnect(f.form, ce.message);
    const again = (ce.errorClass === 'transient' || ce.errorClass === 'rate_limited') && pub.attempts < deps.maxAttempts;
    const retryIn = Math.max(ce.details.retryAfterSeconds ?? 0, backoffSeconds(pub.attempts));
    await deps.db.transaction(async (tx) => {
      await repo.updateForm(f.id, { lastError: ce.message }, tx);
      if (again) {
        // Back to where it was asked from: the next attempt resumes from the checkpoint.
        const status = verb === 'unpublish' ? 'unpublishing' : pub.status === 'pending' ? 'pending' : 'queued';
        await repo.updatePublication(pub.storyFormId, { status, leaseUntil: null, error: ce.message }, tx);
        await deps.jobs.send('kitchen.publish-form', { storyFormId: f.id }, { tx, startAfter: new Date(clock.now().getTime() + retryIn * 1000) });
      } else {
        await repo.updatePublication(pub.storyFormId, { status: verb === 'unpublish' ? 'live' : 'failed', leaseUntil: null, error: ce.message }, tx);
      }
    });
  }

  return {
    view,

    /** The publish button. 409 `kitchen.review_incomplete` unless the form is `ready` (or already published). */
    async publish(actor: Actor, storyId: string, form: Form): Promise<{ queued: boolean; form: PublishedFormView }> {
      const { row } = await load(actor, storyId, form);
      if (row.status === 'published') return { queued: false, form: await view(storyId, form) };
      if (row.status !== 'ready') throw new AppError('kitchen.review_incomplete', { form, status: row.status });
      if (isSocial(form)) {
        if (!(await deps.accounts.usableChannels()).has(form)) throw new AppError('channel.not_connected', { channel: form });
        if (isVideoLed(form) && !(await leadVideo(storyId))) throw new AppError('kitchen.video_required', { form });
        const queued = await deps.db.transaction(async (tx) => {
          const locked = await repo.lockForm(row.id, tx);
          if (!locked || locked.status !== 'ready') throw new AppError('kitchen.review_incomplete', { form, status: locked?.status ?? 'missing' });
          const existing = await repo.publication(row.id, tx);
          // Asked twice, or while an attempt is under way: the one job already queued does it.
          if (existing && ['queued', 'publishing', 'pending'].includes(existing.status)) return false;
          await repo.queuePublication(row.id, existing, tx);
          await repo.updateForm(row.id, { lastError: null, updatedBy: actor.id }, tx);
          await deps.jobs.send('kitchen.publish-form', { storyFormId: row.id }, { tx });
          await deps.audit.create({ actorId: actor.id, action: 'kitchen.publish', objectType: 'story', objectId: storyId, data: { form, queued: true } }, tx);
          return true;
        });
        return { queued, form: await view(storyId, form) };
      }
      const now = clock.now();
      let url: string | null = storyUrl(storyId);
      let externalId: string | null = null;
      if (form === 'print') {
        // The page goes to press: the form records its edition and page; print has no address.
        const c = row.content as PrintContent;
        if (!c.edition || !c.page) throw new AppError('kitchen.print_slot_missing');
        url = null;
        externalId = `${c.edition} ${c.page}`;
      }
      await deps.db.transaction(async (tx) => {
        const locked = await repo.lockForm(row.id, tx);
        if (!locked || locked.status !== 'ready') throw new AppError('kitchen.review_incomplete', { form, status: locked?.status ?? 'missing' });
        await repo.updateForm(row.id, { status: 'published', url, externalId, publishedAt: now, lastError: null, updatedBy: actor.id }, tx);
        await deps.audit.create({ actorId: actor.id, action: 'kitchen.publish', objectType: 'story', objectId: storyId, data: { form } }, tx);
      });
      return { queued: false, form: await view(storyId, form) };
    },

    /** Takes a published form down: own forms at once (the public page is gone), social forms through their adapter in the job. */
    async unpublish(actor: Actor, storyId: string, form: Form): Promise<{ queued: boolean; form: PublishedFormView }> {
      const { row } = await load(actor, storyId, form);
      // A social post stays up while its form is edited and reviewed again: it can still be taken down.
      const live = isSocial(form) && (await repo.publication(row.id))?.status === 'live';
      if (row.status !== 'published' && !live) throw new AppError('kitchen.not_published', { form });
      if (isSocial(form)) {
        const queued = await deps.db.transaction(async (tx) => {
          const pub = await repo.publication(row.id, tx);
          if (pub?.status === 'unpublishing') return false;
          await repo.updatePublication(row.id, { status: 'unpublishing', error: null, leaseUntil: null }, tx);
          await deps.jobs.send('kitchen.publish-form', { storyFormId: row.id }, { tx });
          await deps.audit.create({ actorId: actor.id, action: 'kitchen.unpublish', objectType: 'story', objectId: storyId, data: { form, queued: true } }, tx);
          return true;
        });
        return { queued, form: await view(storyId, form) };
      }
      await deps.db.transaction(async (tx) => {
        await repo.updateForm(row.id, { status: 'ready', url: null, externalId: null, publishedAt: null, lastError: null, updatedBy: actor.id }, tx);
        await deps.audit.create({ actorId: actor.id, action: 'kitchen.unpublish', objectType: 'story', objectId: storyId, data: { form } }, tx);
      });
      return { queued: false, form: await view(storyId, form) };
    },

    /** One attempt (the `kitchen.publish-form` job): publish, poll a pending post, or take it down. */
    async run(storyFormId: string): Promise<void> {
      const now = clock.now();
      const pub = await repo.claim(storyFormId, now, new Date(now.getTime() + LEASE_MS));
      if (!pub) return; // done, failed for good, or another worker holds it
      const f = await repo.formById(storyFormId);
      const story = f ? await repo.story(f.storyId) : null;
      if (!f || !story || !isSocial(f.form))
        return void (await repo.updatePublication(storyFormId, { status: 'failed', leaseUntil: null, error: 'the form is gone' }));
      const adapter = deps.adapters[f.form];
      try {
        if (pub.status === 'unpublishing') {
          const ref = { externalId: f.externalId ?? '', url: f.url, publishedAt: f.publishedAt ?? now, checkpoint: checkpointOf(pub) };
          await adapter.unpublish(ref, await deps.accounts.usable(f.form));
          await deps.db.transaction(async (tx) => {
            // Only a published form becomes ready again; one back in edit or review stays where it is.
            await repo.updateForm(
              f.id,
              { status: f.status === 'published' ? 'ready' : f.status, url: null, externalId: null, publishedAt: null, lastError: null },
              tx,
            );
            // A later publish is a new post: new key, fresh checkpoint.
            await repo.updatePublication(
              storyFormId,
              { status: 'unpublished', leaseUntil: null, error: null, checkpoint: {}, generation: pub.generation + 1 },
              tx,
            );
          });
          return;
        }
        if (pub.status !== 'pending' && f.status !== 'ready') {
          // Edited (and so back in review) between the button and the attempt: nothing goes out.
          throw new ChannelError('content_rejected', 'the form changed after publishing was asked and is no longer ready; publish it again once approved');
        }
        const result =
          pub.status === 'pending'
            ? adapter.checkStatus
              ? await adapter.checkStatus(await deps.accounts.usable(f.form), checkpointOf(pub))
              : (() => {
                  throw new ChannelError('transient', 'this channel cannot be asked about a pending post');
                })()
            : await withScratch(storyFormId, (dir) => sendToPlatform(pub, story, f, dir));
        if (result.kind === 'live') return await goneLive(pub, f, result);
        await deps.db.transaction(async (tx) => {
          await repo.updatePublication(storyFormId, { status: 'pending', leaseUntil: null, error: null }, tx);
          await deps.jobs.send('kitchen.publish-form', { storyFormId }, { tx, startAfter: new Date(clock.now().getTime() + result.pollAfterSeconds * 1000) });
        });
      } catch (err) {
        await failed(pub, f, err, pub.status === 'unpublishing' ? 'unpublish' : 'publish');
      }
    },

    /** The public article (网/端): the published web form only; 404 for anything else. */
    async publicStory(id: string) {
      const story = await repo.story(id);
      const web = story ? await repo.form(id, 'web') : null;
      if (!story || !web || web.status !== 'published') throw new AppError('request.not_found');
      const c = web.content as WebContent;
      const [images, videos] = await Promise.all([repo.images(id), repo.videos(id)]);
      return {
        id,
        url: storyUrl(id),
        headline: c.headline,
        standfirst: c.standfirst,
        // Stored sanitised; sanitised again on the way out (idempotent, ~0.2 ms for 4 KB) so a row
        // written by anything but the form routes cannot reach a reader's page or a feed as it is.
        bodyHtml: sanitizeStoryHtml(c.bodyHtml),
        byline: story.byline,
        tags: story.tags,
        publishedAt: (web.publishedAt ?? web.updatedAt).toISOString(),
        images: images.map((i) => ({ id: i.id, url: imagePath(i.id), width: i.width, height: i.height, caption: i.caption, credit: i.credit })),
        videos: videos.map((v) => ({
          submissionId: v.submission.id,
          title: v.submission.title,
          credit: v.contributorName,
          contributorId: v.submission.userId,
          pageUrl: `/v/${v.submission.id}`,
          posterUrl: v.submission.outputs?.poster ? mediaPath(v.submission.outputs.poster) : null,
          durationSeconds: v.submission.durationSeconds,
        })),
      };
    },

    /** Published web stories for /feed.json and /rss.xml, newest first. */
    async syndication(limit: number) {
      const rows = await repo.publishedWeb(limit);
      return rows.map((r) => {
        const c = r.form.content as WebContent;
        return {
          id: `story:${r.story.id}`,
          url: storyUrl(r.story.id),
          title: c.headline,
          summary: c.standfirst,
          html: sanitizeStoryHtml(c.bodyHtml),
          image: r.imageId ? imagePath(r.imageId) : null,
          tags: r.story.tags,
          author: r.story.byline,
          at: (r.form.publishedAt ?? r.form.updatedAt).toISOString(),
        };
      });
    },

    /** Screen cards (屏) for the kiosk playlists: every published screen form, newest first. */
    async screenCards(limit: number) {
      const rows = await repo.publishedScreens(limit);
      return Promise.all(
        rows.map(async (r) => {
          const c = r.form.content as ScreenContent;
          const video = c.videoSubmissionId ? await repo.submission(c.videoSubmissionId) : null;
          const url = storyUrl(r.story.id);
          return {
            storyId: r.story.id,
            headline: c.headline,
            subline: c.subline,
            // The studio (工作室) the story belongs to is its section on a kiosk's news pages.
            section: r.studio ?? null,
            standfirst: r.story.standfirst,
            imageUrl: c.imageId ? imagePath(c.imageId) : null,
            posterUrl: video?.outputs?.poster ? mediaPath(video.outputs.poster) : null,
            hlsUrl: video?.outputs?.master ? mediaPath(video.outputs.master) : null,
            url,
            qrSvg: await QRCode.toString(url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }),
            publishedAt: (r.form.publishedAt ?? r.form.updatedAt).toISOString(),
          };
        }),
      );
    },
  };
}
export type KitchenPublishService = ReturnType<typeof createKitchenPublishService>;
