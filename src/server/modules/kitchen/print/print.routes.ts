import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema, idParamSchema } from '../../../../contracts/common.js';
import { newspaperSchema, newspaperUpdateSchema, printRenderStateSchema } from '../../../../contracts/kitchen.js';
import { requireUser } from '../../../http/auth.plugin.js';
import { requestLocale } from '../../../http/locale.js';
import type { Services } from '../../../services.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema };

/**
 * The preview's policy: the page is inline CSS, data: images and inline SVG, nothing else. No
 * script may run, nothing may load from anywhere, and only Paike's own pages may frame it (the
 * print page shows it in a sandboxed iframe).
 */
export const PRINT_PREVIEW_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox";

const ACCESS =
  'Needs `kitchen.write`; an editor only for stories of a studio they belong to or lead (403 `kitchen.out_of_scope`), chief editors and admins for all. ';

export function kitchenPrintRoutes(services: Services): FastifyPluginAsyncZod {
  return async (app) => {
    const print = services.kitchenPrint;
    app.addHook('onClose', async () => print.close());

    app.get(
      '/api/kitchen/newspapers',
      {
        schema: {
          tags: ['kitchen'],
          summary: 'The newspapers whose page grid print blocks are laid out on (columns, gutter, margins, bleed, type sizes, page size)',
          description: 'Needs `kitchen.write`. The first one is the default for print forms that name none.',
          response: { 200: z.object({ newspapers: z.array(newspaperSchema) }), ...errors },
        },
      },
      async (req) => ({ newspapers: await print.listNewspapers(requireUser(req)) }),
    );

    app.put(
      '/api/kitchen/newspapers/:id',
      {
        schema: {
          tags: ['kitchen'],
          summary: 'Change a newspaper’s page grid and type sizes',
          description:
            'Needs `kitchen.configure` (chief editors, admins). Every field is required (the editor page sends the whole setting). Page size `A3` (297 × 420 mm) or ' +
            '`broadsheet` (375 × 597 mm); columns 1–12; gutter 0–20 mm; margins 0–50 mm; bleed 0–10 mm; headline 8–144 pt, standfirst 6–48 pt, body 6–24 pt, captions 5–18 pt. ' +
            'Renders made before keep their PDF; the next render uses the new grid. 404 `kitchen.newspaper_not_found`, 409 `kitchen.newspaper_name_taken`. Audited as `newspaper.update`.',
          params: idParamSchema,
          body: newspaperUpdateSchema,
          response: { 200: z.object({ newspaper: newspaperSchema }), 409: errorBodySchema, ...errors },
        },
      },
      async (req) => ({ newspaper: await print.updateNewspaper(requireUser(req), req.params.id, req.body) }),
    );

    app.get(
      '/api/kitchen/stories/:id/print/preview',
      {
        schema: {
          tags: ['kitchen'],
          summary: 'The story’s print page as HTML: exactly what Chromium prints',
          description:
            ACCESS +
            'From the story’s print form (`story_forms`, form `print`) when it has one, else derived from the story (headline, standfirst, body, its first four images). ' +
            'Images are embedded as data: URLs, each embedded video gets a QR code of its public page with “扫码看视频”. Served with a strict CSP (no script, nothing loaded, ' +
            'framable by Paike’s own pages only). 409 `kitchen.print_image_missing` when an image file is gone.',
          params: idParamSchema,
          produces: ['text/html'],
          response: { 200: z.string().describe('text/html'), 409: errorBodySchema, ...errors },
        },
      },
      async (req, reply) => {
        const html = await print.previewHtml(requireUser(req), req.params.id);
        return reply
          .header('content-type', 'text/html; charset=utf-8')
          .header('content-security-policy', PRINT_PREVIEW_CSP)
          .header('x-frame-options', 'SAMEORIGIN')
          .header('cache-control', 'private, no-store')
          .send(html);
      },
    );

    app.post(
      '/api/kitchen/stories/:id/print/render',
      {
        schema: {
          tags: ['kitchen'],
          summary: 'Render the story’s print PDF (a job); answers 202 with the render state',
          description:
            ACCESS +
            'Queues `kitchen.print-render`; poll `GET /api/kitchen/stories/:id/print` until `done` or `failed`. A render already queued or running is not asked twice. ' +
            'A failed render (Chromium missing or crashing, an image file gone) leaves the story and its last good PDF as they were and says why in `error`. ' +
            'Audited as `print.render`.',
          params: idParamSchema,
          response: { 202: printRenderStateSchema, ...errors },
        },
      },
      async (req, reply) => reply.status(202).send(await print.requestRender(requireUser(req), req.params.id, requestLocale(req))),
    );

    app.get(
      '/api/kitchen/stories/:id/print',
      {
        schema: {
          tags: ['kitchen'],
          summary: 'The story’s print render: status, PDF link, whether the story changed since, why it failed',
          description:
            ACCESS +
            '`status` is `none` before the first render. `stale` is true when the story or its print form has a newer version than the PDF. `error.message` is in the request’s language.',
          params: idParamSchema,
          response: { 200: printRenderStateSchema, ...errors },
        },
      },
      async (req) => print.state(requireUser(req), req.params.id, requestLocale(req)),
    );

    app.get(
      '/api/kitchen/stories/:id/print.pdf',
      {
        schema: {
          tags: ['kitchen'],
          summary: 'The story’s print PDF (the last good render)',
          description: ACCESS + '`application/pdf` as an attachment named after the story. 404 `kitchen.print_not_rendered` before a render has succeeded.',
          params: idParamSchema,
          produces: ['application/pdf'],
          response: { 200: z.any().describe('application/pdf'), ...errors },
        },
      },
      async (req, reply) => {
        const file = await print.pdf(requireUser(req), req.params.id);
        reply.header('content-type', 'application/pdf').header('content-disposition', file.disposition).header('cache-control', 'private, no-store');
        if (file.size) reply.header('content-length', file.size);
        return reply.send(file.stream);
      },
    );

    app.get(
      '/api/kitchen/stories/:id/export/newsml',
      {
        schema: {
          tags: ['kitchen'],
          summary: 'The story as a NewsML-G2 newsItem (XML) for layout systems and partner media',
          description:
            ACCESS +
            'itemMeta (guid `urn:paike:story:<id>`, version, times), contentMeta (headline, slugline and keywords from the tags, creator from the byline, language zh-CN, ' +
            'the standfirst as summary), contentSet with the body as inline XHTML and remoteContent for each image (print and web renditions) and video (its public page).',
          params: idParamSchema,
          produces: ['application/vnd.iptc.g2.newsitem+xml'],
          response: { 200: z.string().describe('NewsML-G2 XML'), ...errors },
        },
      },
      async (req, reply) => {
        const xml = await print.newsml(requireUser(req), req.params.id);
        return reply
          .header('content-type', 'application/vnd.iptc.g2.newsitem+xml; charset=utf-8')
          .header('content-disposition', `attachment; filename="paike-story-${req.params.id.slice(0, 8)}.xml"`)
          .send(xml);
      },
    );

    app.get(
      '/api/kitchen/stories/:id/export/ninjs',
      {
        schema: {
          tags: ['kitchen'],
          summary: 'The story as ninjs 2.0 (IPTC News in JSON)',
          description:
            ACCESS +
            'uri, type `text`, headlines, descriptions (standfirst), bodies (HTML and plain text), by, keywords and subjects, and associations for each image ' +
            '(renditions print, web, thumbnail) and video (its public page, poster).',
          params: idParamSchema,
          response: { 200: z.record(z.string(), z.unknown()).describe('ninjs 2.0'), ...errors },
        },
      },
      async (req) => print.ninjs(requireUser(req), req.params.id),
    );
  };
}
