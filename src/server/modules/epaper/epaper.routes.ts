import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema, idParamSchema } from '../../../contracts/common.js';
import {
  adminEditionSchema,
  adminEditionsQuery,
  dayParam,
  EPAPER_LIMITS,
  editionSchema,
  editionSummarySchema,
  editionsQuery,
  importZonesBody,
  importZonesReply,
  latestReply,
  pageSchema,
  titleQuery,
  uploadEditionQuery,
  zonesBody,
} from '../../../contracts/epaper.js';
import { requireUser } from '../../http/auth.plugin.js';
import { requestLocale } from '../../http/locale.js';
import { AppError } from '../../lib/errors.js';
import type { Services } from '../../services.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };
const STAFF = 'Staff only (`epaper.manage`: chief editors, admins): 401 `auth.required`, 403 `auth.forbidden`.';
const PUBLIC: { [label: string]: string[] }[] = [{}, { session: [] }];
const staffTags = ['epaper admin'];
const tags = ['epaper'];
// Published page images never change (a new upload is a new edition with new ids).
const FOREVER = 'public, max-age=31536000, immutable';

/** The e-paper (docs/epaper.md): staff upload, zone and publish editions; kiosks and the public read published ones. */
export function epaperRoutes(services: Services): FastifyPluginAsyncZod {
  const epaper = services.epaper;
  return async (app) => {
    // The upload is the PDF's raw bytes (this plugin only).
    app.addContentTypeParser('application/pdf', { parseAs: 'buffer', bodyLimit: EPAPER_LIMITS.maxBytes }, (_req, body, done) => done(null, body));

    // ---- staff ----
    app.post(
      '/api/admin/epaper/editions',
      {
        // A declared size over the limit is refused before a byte is read, with the checker's code.
        onRequest: async (req) => {
          if (Number(req.headers['content-length'] ?? 0) > EPAPER_LIMITS.maxBytes) throw new AppError('pdf.too_large');
        },
        schema: {
          tags: staffTags,
          summary: 'Upload a day’s newspaper as a PDF: 202, its pages are rendered by a job',
          description:
            'Body: the PDF itself, `content-type: application/pdf`, ≤ 200 MB and ≤ 64 pages. Query: `date` (the edition’s date, YYYY-MM-DD), ' +
            '`title` (the newspaper: 人民日报), `labels` (page names in order, `|`-separated: `第01版 要闻|第02版 要闻`; missing ones are “第NN版”). ' +
            'Checked before it answers: 422 `pdf.too_large` (also for a declared `content-length` over 200 MB), `pdf.not_pdf`, ' +
            '`pdf.active_content` (/JavaScript, /JS, /Launch, /EmbeddedFile, /RichMedia, /SubmitForm, /ImportData; `details.found`), ' +
            '`epaper.too_many_pages`, `epaper.page_shape` (a page beyond 1:4), `epaper.pdf_unreadable`; 415 `epaper.file_type`; 409 ' +
            '`epaper.edition_exists` (same title and date: delete it first); 503 `epaper.poppler_missing`. Answers 202 with the edition ' +
            '`processing`; the `epaper.render` job makes each page a WebP 1600 px wide and a 320 px thumbnail, then the edition is `ready` ' +
            '(or `failed` with `error`). Poll `GET /api/admin/epaper/editions/:id`. Audit `epaper.upload`. ' +
            STAFF,
          querystring: uploadEditionQuery,
          response: { 202: adminEditionSchema, ...errors, 413: errorBodySchema, 415: errorBodySchema, 422: errorBodySchema, 503: errorBodySchema },
        },
      },
      async (req, reply) =>
        reply
          .status(202)
          .send(await epaper.upload(requireUser(req), { contentType: req.headers['content-type'], body: req.body, meta: req.query }, requestLocale(req))),
    );

    app.get(
      '/api/admin/epaper/editions',
      {
        schema: {
          tags: staffTags,
          summary: 'Every edition in any status, with its pages and zones',
          description: 'Newest date first. `status` filters; `limit` (≤ 200, 50) and `offset` page. A `failed` edition has `error: {code, message}`. ' + STAFF,
          querystring: adminEditionsQuery,
          response: { 200: z.object({ editions: z.array(adminEditionSchema) }), ...errors },
        },
      },
      async (req) => ({ editions: await epaper.adminList(requireUser(req), req.query, requestLocale(req)) }),
    );

    app.get(
      '/api/admin/epaper/editions/:id',
      {
        schema: {
          tags: staffTags,
          summary: 'One edition in any status, with its pages and zones (poll this while it is processing)',
          description: '404 `epaper.edition_not_found`. ' + STAFF,
          params: idParamSchema,
          response: { 200: adminEditionSchema, ...errors },
        },
      },
      async (req) => epaper.adminGet(requireUser(req), req.params.id, requestLocale(req)),
    );

    app.post(
      '/api/admin/epaper/editions/:id/publish',
      {
        schema: {
          tags: staffTags,
          summary: 'Publish a ready edition: kiosks and the public see it from now on',
          description:
            'Only a `ready` edition: 409 `epaper.not_ready` while `processing` or once `failed`. Publishing again changes nothing. Audit ' +
            '`epaper.publish`. 404 `epaper.edition_not_found`. ' +
            STAFF,
          params: idParamSchema,
          response: { 200: adminEditionSchema, ...errors },
        },
      },
      async (req) => epaper.publish(requireUser(req), req.params.id, requestLocale(req)),
    );

    app.delete(
      '/api/admin/epaper/editions/:id',
      {
        schema: {
          tags: staffTags,
          summary: 'Delete an edition with its pages, zones and files (any status, published too)',
          description: '204. Audit `epaper.delete`. 404 `epaper.edition_not_found`. ' + STAFF,
          params: idParamSchema,
          response: { 204: z.null(), ...errors },
        },
      },
      async (req, reply) => {
        await epaper.remove(requireUser(req), req.params.id);
        return reply.status(204).send(null);
      },
    );

    app.put(
      '/api/admin/epaper/pages/:id/zones',
      {
        schema: {
          tags: staffTags,
          summary: 'Replace a page’s zones with this list (drawn by staff)',
          description:
            '`{zones: [{id?, x, y, w, h, headline, storyId?, text?}]}`, at most 200, in reading order. Rectangles are page-relative: `x`, `y` ' +
            'in 0..1, `w`, `h` above 0, and `x + w`, `y + h` at most 1; a breach is 400 `request.invalid` naming the field ' +
            '(`details[].path`, e.g. `/zones/3/w`). `headline` 1–200 characters; `text` ≤ 20 000; `storyId` a kitchen story: 400 ' +
            '`epaper.story_unknown` (`details.field`) if there is none. A zone sent with the `id` of one of the page’s zones keeps its ' +
            '`source` (a moved print-form zone stays `print_form`); the others are `drawn`. Zones not sent are removed. Allowed while the ' +
            'edition is ready or published (a correction shows at once). Audit `epaper.zones_set`. 404 `epaper.page_not_found`. ' +
            STAFF,
          params: idParamSchema,
          body: zonesBody,
          response: { 200: pageSchema, ...errors },
        },
      },
      async (req) => epaper.setZones(requireUser(req), req.params.id, req.body),
    );

    app.post(
      '/api/admin/epaper/pages/:id/zones/import',
      {
        schema: {
          tags: staffTags,
          summary: 'Make the page’s zones from the central kitchen’s print forms planned for it',
          description:
            'Takes the print forms whose `edition` is this edition’s date and whose `page` names this page (the same text as its label or ' +
            'its first word, or the same number: “A1”, “第1版”, “1” all name page 1), or exactly `page` when sent. Each block is found by ' +
            'its headline in the PDF’s text; its left edge is snapped to the newspaper’s column grid, its width is its `columns`, its ' +
            'height runs to the next block below or the foot of the type area; it links its story. Replaces the page’s `print_form` ' +
            'zones; drawn zones stay. `placed` lists the zones made, `unplaced` the forms whose headline is not in the page’s text ' +
            '(`not_found`) or when the page has no text layer (`no_text`, a scan): draw those. 409 `epaper.print_forms_none` when no ' +
            'print form is planned for the page (nothing changes), `epaper.too_many_zones` past 200. Audit `epaper.zones_set`. ' +
            STAFF,
          params: idParamSchema,
          body: importZonesBody,
          response: { 200: importZonesReply, ...errors, 422: errorBodySchema, 503: errorBodySchema },
        },
      },
      async (req) => epaper.importZones(requireUser(req), req.params.id, req.body),
    );

    // ---- kiosks and the public ----
    app.get(
      '/api/epaper/editions',
      {
        schema: {
          tags,
          security: PUBLIC,
          summary: 'Published editions, newest date first (public)',
          description:
            '`title` filters to one newspaper, `before` to editions dated on or before a day; `limit` (≤ 100, 30), `offset`. No pages: open one by id.',
          querystring: editionsQuery,
          response: { 200: z.object({ editions: z.array(editionSummarySchema) }), ...errors },
        },
      },
      async (req, reply) => {
        reply.header('cache-control', 'public, max-age=60');
        return { editions: await epaper.list(req.query) };
      },
    );

    app.get(
      '/api/epaper/latest',
      {
        schema: {
          tags,
          security: PUBLIC,
          summary: 'Today’s edition, or the latest before it, with pages and zones (public)',
          description:
            'The newest published edition dated today or earlier (today in Asia/Shanghai), of `title` or of any newspaper (then the first ' +
            'title in alphabetical order on the newest date). `isToday` says whether it is today’s. 404 `epaper.edition_not_found` when none.',
          querystring: titleQuery,
          response: { 200: latestReply, ...errors },
        },
      },
      async (req, reply) => {
        reply.header('cache-control', 'public, max-age=60');
        return epaper.latest(req.query);
      },
    );

    app.get(
      '/api/epaper/days/:day',
      {
        schema: {
          tags,
          security: PUBLIC,
          summary: 'The published editions of a date (one per newspaper), with pages and zones (public)',
          description: '`day` YYYY-MM-DD; `title` narrows to one newspaper. An empty list when none is published for that date.',
          params: dayParam,
          querystring: titleQuery,
          response: { 200: z.object({ editions: z.array(editionSchema) }), ...errors },
        },
      },
      async (req, reply) => {
        reply.header('cache-control', 'public, max-age=60');
        return { editions: await epaper.day({ day: req.params.day, title: req.query.title }) };
      },
    );

    app.get(
      '/api/epaper/editions/:id',
      {
        schema: {
          tags,
          security: PUBLIC,
          summary: 'One published edition with its pages and zones (public; staff see any status)',
          description:
            'Pages in order: `{id, number, label, imageUrl, thumbUrl, contentType, width, height, zones}`; a zone is `{id, x, y, w, h (0..1 ' +
            'of the page), headline, storyId, text, url, source}`, `url` the story’s public page (for a QR code) when its web form is ' +
            'published, else null. 404 `epaper.edition_not_found` (also unpublished, for anyone but staff).',
          params: idParamSchema,
          response: { 200: editionSchema, ...errors },
        },
      },
      async (req) => epaper.edition(req.user, req.params.id),
    );

    for (const which of ['image', 'thumb'] as const) {
      app.get(
        `/api/epaper/pages/:id/${which}`,
        {
          schema: {
            tags,
            security: PUBLIC,
            summary: which === 'image' ? 'A page’s image (image/webp, 1600 px wide)' : 'A page’s thumbnail (image/webp, 320 px wide)',
            description:
              'Public once the edition is published, answered with `cache-control: ' +
              FOREVER +
              '`; before that staff only (`private, no-store`) and 404 `epaper.page_not_found` for anyone else.',
            params: idParamSchema,
            response: { 200: z.any().describe('image/webp'), ...errors },
          },
        },
        async (req, reply) => {
          const img = await epaper.image(req.user, req.params.id, which);
          return reply
            .header('content-type', img.contentType)
            .header('content-length', img.size)
            .header('x-content-type-options', 'nosniff')
            .header('cache-control', img.published ? FOREVER : 'private, no-store')
            .send(img.stream);
        },
      );
    }
  };
}
