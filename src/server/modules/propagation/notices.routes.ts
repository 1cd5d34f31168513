import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorBodySchema, idParamSchema } from '../../../contracts/common.js';
import { z } from 'zod';
import { noticeReply, noticesQuery, noticesReply, pushPublicKeyReply, pushSubscriptionBody, pushUnsubscribeBody } from '../../../contracts/propagation.js';
import { requirePermission } from '../../http/auth.plugin.js';
import { requestLocale } from '../../http/locale.js';
import type { Services } from '../../services.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema };

export function noticesRoutes(services: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/me/notices',
      {
        schema: {
          tags: ['me'],
          summary: 'My notices (“你火了”: reach milestones, the weekly chart, the grand prize, publications), newest first, with the unread count',
          querystring: noticesQuery,
          response: { 200: noticesReply, ...errors },
        },
      },
      async (req, reply) =>
        reply.header('cache-control', 'no-store').send(await services.notices.list(requirePermission(req, 'account.self'), req.query, requestLocale(req))),
    );

    app.post(
      '/api/me/notices/:id/read',
      {
        schema: {
          tags: ['me'],
          summary: 'Mark one of my notices read (another user’s notice: 404)',
          params: idParamSchema,
          response: { 200: noticeReply, ...errors },
        },
      },
      async (req) => services.notices.markRead(requirePermission(req, 'account.self'), req.params.id, requestLocale(req)),
    );

    app.get(
      '/api/push/public-key',
      {
        schema: {
          tags: ['me'],
          summary: 'The VAPID public key for pushManager.subscribe (null: push is not configured, do not offer it)',
          security: [],
          response: { 200: pushPublicKeyReply },
        },
      },
      async () => ({ publicKey: services.notices.pushPublicKey() }),
    );

    app.post(
      '/api/me/push-subscriptions',
      {
        schema: {
          tags: ['me'],
          summary: 'Save this browser’s push subscription (PushSubscription.toJSON()) for my notices',
          description:
            'Idempotent per endpoint; a browser’s endpoint moves to whoever subscribes it last. 404 `push.not_configured` when push is off; 400 `push.bad_endpoint` for an endpoint that is not https on a known push service.',
          body: pushSubscriptionBody,
          response: { 201: z.object({ id: z.uuid() }), ...errors },
        },
      },
      async (req, reply) => reply.status(201).send(await services.notices.subscribe(requirePermission(req, 'account.self'), req.body)),
    );

    app.delete(
      '/api/me/push-subscriptions',
      {
        schema: {
          tags: ['me'],
          summary: 'Stop pushing my notices to this browser (its endpoint); 404 when it is not mine',
          body: pushUnsubscribeBody,
          response: { 204: z.null(), ...errors },
        },
      },
      async (req, reply) => {
        await services.notices.unsubscribe(requirePermission(req, 'account.self'), req.body.endpoint);
        return reply.status(204).send(null);
      },
    );
  };
}
