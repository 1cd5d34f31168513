import { text } from 'node:stream/consumers';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { errorBodySchema, idParamSchema } from '../../../contracts/common.js';
import { createEditBody, createEditReply, submissionListReply, submissionSchema } from '../../../contracts/submissions.js';
import { requireUser } from '../../http/auth.plugin.js';
import { requestLocale } from '../../http/locale.js';
import { AppError } from '../../lib/errors.js';
import { lowestBandwidthFirst } from '../media/master-playlist.js';
import type { Services } from '../../services.js';
import type { UploadsServer } from './uploads.server.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };

const CONTENT_TYPES: Record<string, string> = {
  m3u8: 'application/vnd.apple.mpegurl',
  m4s: 'video/iso.segment',
  mp4: 'video/mp4',
  ts: 'video/mp2t',
  jpg: 'image/jpeg',
  vtt: 'text/vtt',
};

export function submissionsRoutes(services: Services, uploads: UploadsServer): FastifyPluginAsyncZod {
  return async (app) => {
    // tus reads the request body itself: leave the stream untouched.
    app.addContentTypeParser('application/offset+octet-stream', (_req, _payload, done) => done(null));

    const tusHandler = async (req: FastifyRequest, reply: FastifyReply) => {
      let actor = null;
      let state;
      if (req.method !== 'OPTIONS') {
        actor = requireUser(req);
        const id = (req.params as { id?: string }).id;
        if (id) state = await services.submissions.assertUploadOwner(actor, id);
      }
      reply.hijack();
      await uploads.handle(req.raw, reply.raw, actor, state);
    };
    const tusDoc = {
      tags: ['uploads'],
      description:
        'Resumable upload, tus 1.0.0 (core, creation, creation-with-upload, termination, expiration). ' +
        'Upload-Metadata: campaignId, theme, title, filename, consent ("true"), optional description and location (JSON {lat,lng,name}); ' +
        'optional assignmentId (footage for an assignment whose offer the uploader accepted), and callId with assignmentId for a phone’s own ' +
        'recording of a Paike call it was on (theme then optional: the assignment’s, else the campaign’s first; see docs/api.md). ' +
        'Signed-in contributors only; limits per campaign (size) and per contributor (concurrent uploads, bytes declared per day, ' +
        'bytes held by unfinished uploads). A finished upload becomes a submission (header Paike-Submission-Id). ' +
        'HEAD of a finished upload answers 200 with Upload-Offset = Upload-Length and Paike-Submission-Id; a PATCH at its final ' +
        'offset answers 204 and creates nothing. Errors, tus protocol errors included, are {error:{code,message}} in the ' +
        'Accept-Language of the request.',
    };
    app.route({ method: ['POST', 'OPTIONS'], url: '/api/uploads', schema: { ...tusDoc, summary: 'Create an upload (tus)' }, handler: tusHandler });
    app.route({
      method: ['HEAD', 'PATCH', 'DELETE', 'OPTIONS'],
      url: '/api/uploads/:id',
      schema: { ...tusDoc, summary: 'Resume, continue or cancel an upload (tus)', params: z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/) }) },
      handler: tusHandler,
    });

    app.post(
      '/api/me/edits',
      {
        schema: {
          tags: ['me'],
          summary:
            'Secondary production: declare up to five clips with their cuts and a caption, then upload each clip through /api/uploads with the metadata returned',
          body: createEditBody,
          response: { 201: createEditReply, ...errors, 413: errorBodySchema, 429: errorBodySchema },
        },
      },
      async (req, reply) => reply.status(201).send(await services.submissions.createEdit(requireUser(req), req.body, requestLocale(req))),
    );

    app.get(
      '/api/me/submissions',
      {
        schema: { tags: ['me'], summary: 'My submissions with live status', response: { 200: submissionListReply, ...errors } },
      },
      async (req) => ({ submissions: await services.submissions.listMine(requireUser(req), requestLocale(req)) }),
    );

    app.get(
      '/api/me/submissions/events',
      {
        schema: {
          tags: ['me'],
          summary: 'Server-sent events: "changed" whenever one of my submissions changes (status, progress)',
          response: { 200: z.any().describe('text/event-stream') },
        },
      },
      async (req, reply) => {
        const user = requireUser(req);
        reply.hijack();
        const res = reply.raw;
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
        let last = (await services.submissions.lastChange(user))?.getTime() ?? 0;
        res.write(`event: ready\ndata: {}\n\n`);
        // Polling the database keeps this right across processes (the worker writes progress).
        const timer = setInterval(async () => {
          try {
            const at = (await services.submissions.lastChange(user))?.getTime() ?? 0;
            if (at !== last) {
              last = at;
              res.write(`event: changed\ndata: ${JSON.stringify({ at: new Date(at).toISOString() })}\n\n`);
            } else res.write(': keep-alive\n\n');
          } catch {
            /* the next tick tries again */
          }
        }, 1000);
        req.raw.on('close', () => clearInterval(timer));
      },
    );

    app.get(
      '/api/submissions/:id',
      {
        schema: {
          tags: ['submissions'],
          summary: 'One submission (its contributor, or the desk)',
          params: idParamSchema,
          response: { 200: z.object({ submission: submissionSchema }), ...errors },
        },
      },
      async (req) => ({ submission: await services.submissions.get(requireUser(req), req.params.id, requestLocale(req)) }),
    );

    app.post(
      '/api/me/submissions/:id/withdraw',
      {
        schema: {
          tags: ['me'],
          summary: 'Withdraw my submission before adoption; its files are removed',
          params: idParamSchema,
          response: { 200: z.object({ submission: submissionSchema }), ...errors },
        },
      },
      async (req) => ({ submission: await services.submissions.withdraw(requireUser(req), req.params.id, requestLocale(req)) }),
    );

    app.get(
      '/api/media/*',
      {
        schema: {
          tags: ['submissions'],
          // Public for a daily pick (from its day on) and for videos live on Paike's own site; otherwise the session.
          security: [{}, { session: [] }],
          summary: 'A processed media file (HLS playlist or segment, poster, sprite): its contributor or the desk',
          response: { 200: z.any(), ...errors },
        },
      },
      async (req, reply) => {
        const key = (req.params as { '*': string })['*'];
        const m =
          /^submissions\/([0-9a-f-]{36})\/((edits\/[0-9a-f-]{36}\/)?hls\/([A-Za-z0-9_-]+\/)?[A-Za-z0-9_.-]+|poster\.jpg|sprite\.jpg|sprite\.vtt|covers\/\d+\.jpg|edits\/[0-9a-f-]{36}\/(edited\.mp4|subtitles\.vtt))$/.exec(
            key,
          );
        if (!m) throw new AppError('request.not_found');
        // Media of a daily pick (from its day on) and of a video live on Paike's own site or kiosks
        // are public; everything else is its contributor's and the desk's.
        const isPublic = (await services.site.isPublicMedia(m[1]!)) || (await services.packaging.isPublic(m[1]!));
        if (!isPublic) await services.submissions.assertMediaAccess(req.user, key);
        reply.header('cache-control', isPublic ? 'public, max-age=300' : 'private, max-age=60');
        const info = await services.storage.stat(key);
        if (!info) throw new AppError('request.not_found');
        const type = CONTENT_TYPES[key.split('.').pop() ?? ''] ?? 'application/octet-stream';
        if (key.endsWith('/hls/master.m3u8')) {
          // Videos processed before the ladder was written lowest-first list the top rung first,
          // where Safari's native HLS starts; a few hundred bytes, reordered on the way out.
          const stream = await services.storage.get(key);
          if (!stream) throw new AppError('request.not_found');
          return reply.header('content-type', type).send(lowestBandwidthFirst(await text(stream)));
        }
        const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
        reply.header('content-type', type).header('accept-ranges', 'bytes');
        if (range) {
          const start = Number(range[1]);
          const end = range[2] ? Math.min(Number(range[2]), info.size - 1) : info.size - 1;
          if (start > end) {
            reply.header('content-range', `bytes */${info.size}`);
            throw new AppError('request.range_not_satisfiable');
          }
          reply
            .status(206)
            .header('content-range', `bytes ${start}-${end}/${info.size}`)
            .header('content-length', end - start + 1);
          return reply.send(await services.storage.get(key, { start, end }));
        }
        reply.header('content-length', info.size);
        return reply.send(await services.storage.get(key));
      },
    );
  };
}
