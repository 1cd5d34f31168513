import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorBodySchema, idParamSchema } from '../../../contracts/common.js';
import { formPublishParams, publishFormReply, siteStoryReply } from '../../../contracts/kitchen.js';
import { requireUser } from '../../http/auth.plugin.js';
import type { Services } from '../../services.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };

/** Publishing a story's forms (报、网、端、微、屏) and the public article: docs/kitchen-publishing.md. */
export function kitchenPublishRoutes(services: Services): FastifyPluginAsyncZod {
  const svc = () => services.kitchenPublish;
  return async (app) => {
    app.post(
      '/api/kitchen/stories/:id/forms/:form/publish',
      {
        schema: {
          tags: ['kitchen'],
          summary: 'Publish one form of a story (only when its review chain is complete)',
          description:
            'Refused 409 kitchen.review_incomplete unless the form is `ready`; a form already published is answered as it is. ' +
            'print: marked published for its edition and page (409 kitchen.print_slot_missing without them). ' +
            'web, app: published at once at PUBLIC_URL/stories/:id. screen: published at once; its card joins the kiosk playlists. ' +
            'weibo, wechat, toutiao, penguin: queued (202) for the kitchen.publish-form job, which posts through the channel adapter ' +
            'with one idempotency key per (story, form); the outcome lands on the form (published + url, or last_error with the form still ready). ' +
            '409 channel.not_connected when the platform account is not connected; 409 kitchen.video_required for toutiao/penguin without an embedded video.',
          params: formPublishParams,
          response: { 200: publishFormReply, 202: publishFormReply, ...errors },
        },
      },
      async (req, reply) => {
        const r = await svc().publish(requireUser(req), req.params.id, req.params.form);
        return reply.status(r.queued ? 202 : 200).send(r);
      },
    );
    app.post(
      '/api/kitchen/stories/:id/forms/:form/unpublish',
      {
        schema: {
          tags: ['kitchen'],
          summary: 'Take a published form down',
          description:
            'print, web, app, screen: back to `ready` at once (the public page and feed entry, or the kiosk card, are gone). ' +
            'Social forms: queued (202); the job deletes the post through the adapter and the form returns to `ready` (a platform ' +
            'without a take-down API leaves it published with last_error). 409 kitchen.not_published when it is not published.',
          params: formPublishParams,
          response: { 200: publishFormReply, 202: publishFormReply, ...errors },
        },
      },
      async (req, reply) => {
        const r = await svc().unpublish(requireUser(req), req.params.id, req.params.form);
        return reply.status(r.queued ? 202 : 200).send(r);
      },
    );
    app.get(
      '/api/site/stories/:id',
      {
        schema: {
          tags: ['site'],
          security: [],
          summary: 'A published story’s public article (网/端)',
          description:
            'The story’s web form when it is published, else 404: headline, standfirst, sanitised body HTML, byline, images ' +
            '(served by /api/kitchen/images/:imageId/web) and embedded videos with their contributor credit and their /v/:id page.',
          params: idParamSchema,
          response: { 200: siteStoryReply, 400: errorBodySchema, 404: errorBodySchema },
        },
      },
      async (req, reply) => {
        reply.header('cache-control', 'public, max-age=30');
        return { story: await svc().publicStory(req.params.id) };
      },
    );
  };
}
