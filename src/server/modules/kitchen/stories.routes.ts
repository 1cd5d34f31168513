import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema, idParamSchema } from '../../../contracts/common.js';
import {
  createStoryBody,
  putStoryVideosBody,
  STORY_LIMITS,
  storyDiffParams,
  storyDiffQuery,
  storyDiffReply,
  storyImageQuery,
  storyImageSchema,
  storyImageSizeSchema,
  storyListQuery,
  storyListReply,
  storyReply,
  storyRevisionsReply,
  storyVideoSchema,
  updateStoryBody,
  updateStoryImageBody,
} from '../../../contracts/kitchen.js';
import { requireUser } from '../../http/auth.plugin.js';
import { AppError } from '../../lib/errors.js';
import { assertCan } from '../accounts/permissions.js';
import type { Services } from '../../services.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };
const tags = ['kitchen'];
const imageParams = z.strictObject({ id: z.uuid(), imageId: z.uuid() });
const MB = STORY_LIMITS.imageBytes / 1024 / 1024;

/** Staff stories of the central kitchen (docs/kitchen.md, "Stories"; docs/api.md, "Kitchen: stories"). */
export function storiesRoutes(services: Services): FastifyPluginAsyncZod {
  const stories = () => services.stories;
  return async (app) => {
    // An image upload is its raw bytes (this plugin only); the limit is checked before reading
    // when the client says how large it is, and on what arrives otherwise.
    app.addContentTypeParser(/^image\//, { parseAs: 'buffer', bodyLimit: STORY_LIMITS.imageBytes }, (_req, body, done) => done(null, body));

    app.get(
      '/api/kitchen/stories',
      {
        schema: {
          tags,
          summary: 'Stories, newest change first, filtered by studio, text, tag and form status',
          description:
            'Only stories of studios the editor belongs to or leads, and those of no studio (chief editors and admins: all). ' +
            '`form` is repeatable and AND-ed: `form=web:published&form=print:!published` is "online published, print pending" ' +
            '(`!status`: no form of that kind in that status, including no such form at all). `q` matches headline, standfirst and byline. ' +
            'Cursor paging: pass `nextCursor` back as `cursor`.',
          querystring: storyListQuery,
          response: { 200: storyListReply, ...errors },
        },
      },
      async (req) => stories().list(requireUser(req), req.query),
    );

    app.post(
      '/api/kitchen/stories',
      {
        schema: {
          tags,
          summary: 'Write a new story (version 1)',
          description:
            'The body HTML is sanitised to the allowed set (docs/kitchen.md, "The sanitiser"); the reply holds what was kept. Audited as `story.create`.',
          body: createStoryBody,
          response: { 201: storyReply, ...errors },
        },
      },
      async (req, reply) => reply.status(201).send({ story: await stories().create(requireUser(req), req.body) }),
    );

    app.get(
      '/api/kitchen/stories/:id',
      {
        schema: {
          tags,
          summary: 'A story with its images, embedded videos (credited to their contributors) and the status of each form',
          params: idParamSchema,
          response: { 200: storyReply, ...errors },
        },
      },
      async (req) => ({ story: await stories().get(requireUser(req), req.params.id) }),
    );

    app.patch(
      '/api/kitchen/stories/:id',
      {
        schema: {
          tags,
          summary: 'Save a story: name the version you edited; only the fields sent change',
          description:
            'Optimistic locking: when someone saved since `version`, nothing is written and the answer is 409 `kitchen.stale_version`, ' +
            'whose message says who saved the newer version and when, with `details: {currentVersion, updatedBy, updatedAt}`. ' +
            'Every save that changes something is a new version and a revision (same transaction), audited as `story.update`.',
          params: idParamSchema,
          body: updateStoryBody,
          response: { 200: storyReply, ...errors },
        },
      },
      async (req) => ({ story: await stories().update(requireUser(req), req.params.id, req.body) }),
    );

    app.get(
      '/api/kitchen/stories/:id/revisions',
      {
        schema: {
          tags,
          summary: 'Every saved version of a story, newest first, with its editor',
          params: idParamSchema,
          response: { 200: storyRevisionsReply, ...errors },
        },
      },
      async (req) => ({ revisions: await stories().revisions(requireUser(req), req.params.id) }),
    );

    app.get(
      '/api/kitchen/stories/:id/revisions/:version/diff',
      {
        schema: {
          tags,
          summary: 'What changed between two versions of a story',
          description:
            'Headline, standfirst, byline and tags as text diffs (by character for Chinese, by word otherwise); the body block by block ' +
            '(`same`, `changed` with its text diff, `added`, `removed`). `against` is the older version, the one before `version` by default.',
          params: storyDiffParams,
          querystring: storyDiffQuery,
          response: { 200: storyDiffReply, ...errors },
        },
      },
      async (req) => stories().diff(requireUser(req), req.params.id, req.params.version, req.query.against),
    );

    app.post(
      '/api/kitchen/stories/:id/images',
      {
        schema: {
          tags,
          summary: 'Upload an image: the raw bytes as the body, content-type image/jpeg, png, webp, gif or avif',
          description:
            `At most ${MB} MB (413 \`kitchen.image_too_large\`); another type is 415 \`kitchen.image_type\`; bytes that do not decode are ` +
            '400 `kitchen.image_unreadable` (`details.reason`). Resized by sharp to print (long side ≤ 3000 px, JPEG q90), web (≤ 1600, q82) and ' +
            'thumb (≤ 400), sRGB, EXIF orientation applied and all metadata removed. Caption and credit may come in the query. ' +
            'The row is written only after the three files are stored. Audited as `story.image_add`.',
          params: idParamSchema,
          querystring: storyImageQuery,
          response: { 201: z.object({ image: storyImageSchema }), 413: errorBodySchema, 415: errorBodySchema, ...errors },
        },
        onRequest: async (req) => {
          // Who first: a refusal of the bytes is for those who may upload at all.
          assertCan(req.user, 'kitchen.write');
          const length = Number(req.headers['content-length']);
          if (Number.isFinite(length) && length > STORY_LIMITS.imageBytes) throw new AppError('kitchen.image_too_large', { mb: MB });
        },
      },
      async (req, reply) => {
        // Another content type (JSON, text) was parsed as such: the service refuses it, after the object check.
        const image = await stories().addImage(requireUser(req), req.params.id, {
          bytes: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
          contentType: String(req.headers['content-type'] ?? ''),
          caption: req.query.caption,
          credit: req.query.credit,
        });
        return reply.status(201).send({ image });
      },
    );

    app.patch(
      '/api/kitchen/stories/:id/images/:imageId',
      {
        schema: {
          tags,
          summary: 'Change an image’s caption or credit, or move it (position 0 is first); answers the story’s images in order',
          description: 'Audited as `story.image_update`.',
          params: imageParams,
          body: updateStoryImageBody,
          response: { 200: z.object({ images: z.array(storyImageSchema) }), ...errors },
        },
      },
      async (req) => ({ images: await stories().updateImage(requireUser(req), req.params.id, req.params.imageId, req.body) }),
    );

    app.delete(
      '/api/kitchen/stories/:id/images/:imageId',
      {
        schema: {
          tags,
          summary: 'Remove an image and its stored files',
          description: 'Audited as `story.image_delete`. A body that still shows it shows nothing there (its address answers 404).',
          params: imageParams,
          response: { 204: z.null(), ...errors },
        },
      },
      async (req, reply) => {
        await stories().deleteImage(requireUser(req), req.params.id, req.params.imageId);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/api/kitchen/images/:imageId/:size',
      {
        schema: {
          tags,
          summary: 'One size of a story image (JPEG)',
          description:
            'Public (cache-control: public) once any form of its story is published; before that only staff who may work on the story ' +
            '(cache-control: private). Sizes: print (≤ 3000 px), web (≤ 1600 px), thumb (≤ 400 px).',
          security: [{}, { session: [] }],
          params: z.strictObject({ imageId: z.uuid(), size: storyImageSizeSchema }),
          response: { 200: z.any().describe('image/jpeg'), ...errors },
        },
      },
      async (req, reply) => {
        const img = await stories().image(req.user ?? null, req.params.imageId, req.params.size);
        reply.header('content-type', 'image/jpeg').header('cache-control', img.cacheControl).header('x-content-type-options', 'nosniff');
        if (img.bytes !== null) reply.header('content-length', img.bytes);
        return reply.send(img.body);
      },
    );

    app.put(
      '/api/kitchen/stories/:id/videos',
      {
        schema: {
          tags,
          summary: 'Set the story’s embedded videos, in order: adopted contributor submissions only',
          description:
            'Replaces the whole list. A submission that is not adopted is 409 `kitchen.video_not_adopted` (`details.submissionId`), an unknown one 404 ' +
            '`kitchen.video_not_found`; nothing changes then. In the body a video sits as `<figure data-paike-video="<submissionId>">`. Audited as `story.videos_set`.',
          params: idParamSchema,
          body: putStoryVideosBody,
          response: { 200: z.object({ videos: z.array(storyVideoSchema) }), ...errors },
        },
      },
      async (req) => ({ videos: await stories().setVideos(requireUser(req), req.params.id, req.body.submissionIds) }),
    );
  };
}
