import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema, idParamSchema } from '../../../contracts/common.js';
import { feedReply, profileReply, videoReply } from '../../../contracts/distribution.js';
import type { Services } from '../../services.js';

const errors = { 400: errorBodySchema, 404: errorBodySchema };

/** Paike's own channel, public: the feed, a video, a contributor's page, and JSON Feed / RSS for the app and readers. */
export function siteRoutes(services: Services): FastifyPluginAsyncZod {
  const site = () => services.site;
  return async (app) => {
    app.get(
      '/api/feed',
      {
        schema: {
          tags: ['site'],
          security: [],
          summary: 'Published videos, newest first (cursor paging)',
          querystring: z.strictObject({
            cursor: z.string().max(200).optional(),
            limit: z.coerce.number().int().min(1).max(50).optional(),
            campaignId: z.uuid().optional(),
          }),
          response: { 200: feedReply, ...errors },
        },
      },
      async (req, reply) => {
        reply.header('cache-control', 'public, max-age=30');
        return site().feed(req.query);
      },
    );
    app.get(
      '/api/videos/:id',
      { schema: { tags: ['site'], security: [], summary: 'One published video', params: idParamSchema, response: { 200: videoReply, ...errors } } },
      async (req, reply) => {
        reply.header('cache-control', 'public, max-age=30');
        return { video: await site().video(req.params.id) };
      },
    );
    app.get(
      '/api/contributors/:id',
      {
        schema: {
          tags: ['site'],
          security: [],
          summary: 'A contributor’s public page (拍客故事): name, published videos, reach',
          params: idParamSchema,
          response: { 200: profileReply, ...errors },
        },
      },
      async (req) => site().profile(req.params.id),
    );
    app.get('/feed.json', { schema: { hide: true } }, async (_req, reply) => {
      reply.header('content-type', 'application/feed+json; charset=utf-8').header('cache-control', 'public, max-age=60');
      return site().jsonFeed();
    });
    app.get('/rss.xml', { schema: { hide: true } }, async (_req, reply) => {
      reply.header('content-type', 'application/rss+xml; charset=utf-8').header('cache-control', 'public, max-age=60');
      return site().rss();
    });
  };
}
