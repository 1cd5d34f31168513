import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema, idParamSchema } from '../../../contracts/common.js';
import {
  authorizeReply,
  channelAccountBody,
  channelAccountSchema,
  channelAccountsReply,
  externalChannelSchema,
  kioskPlaylistReply,
  kioskScreenBody,
  kioskScreenCreatedReply,
  kioskScreenSchema,
  publicationsReply,
  scheduleBody,
} from '../../../contracts/distribution.js';
import { channelSchema } from '../../../contracts/packaging.js';
import { AppError } from '../../lib/errors.js';
import { requireUser } from '../../http/auth.plugin.js';
import type { Services } from '../../services.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };

/** The desk's per-channel publishing, the admin's platform accounts and kiosk screens, and the kiosks' playlist feed. */
export function distributionRoutes(services: Services): FastifyPluginAsyncZod {
  const pub = () => services.publishing;
  return async (app) => {
    app.get(
      '/api/desk/submissions/:id/publications',
      {
        schema: {
          tags: ['distribution'],
          summary: 'Each channel’s state for an adopted video: queued, publishing, pending, live (with link), failed (with reason), unpublished',
          params: idParamSchema,
          response: { 200: publicationsReply, ...errors },
        },
      },
      async (req) => ({ channels: await pub().forSubmission(requireUser(req), req.params.id) }),
    );

    app.post(
      '/api/desk/submissions/:id/publications/:channel',
      {
        schema: {
          tags: ['distribution'],
          summary: 'Queue an adopted video on one more channel (one connected after adoption)',
          params: z.strictObject({ id: z.uuid(), channel: channelSchema }),
          response: { 200: publicationsReply, ...errors },
        },
      },
      async (req) => ({ channels: await pub().addChannel(requireUser(req), req.params.id, req.params.channel) }),
    );

    app.post(
      '/api/desk/publications/:id/retry',
      {
        schema: {
          tags: ['distribution'],
          summary: 'Retry a failed publication from where it stopped (never posts twice)',
          params: idParamSchema,
          response: { 200: publicationsReply, ...errors },
        },
      },
      async (req) => ({ channels: await pub().retry(requireUser(req), req.params.id) }),
    );

    app.post(
      '/api/desk/publications/:id/schedule',
      {
        schema: {
          tags: ['distribution'],
          summary: 'Schedule a publication that has not gone out (at: null publishes now)',
          params: idParamSchema,
          body: scheduleBody,
          response: { 200: publicationsReply, ...errors },
        },
      },
      async (req) => ({ channels: await pub().schedule(requireUser(req), req.params.id, req.body.at ? new Date(req.body.at) : null) }),
    );

    app.post(
      '/api/desk/publications/:id/unpublish',
      {
        schema: {
          tags: ['distribution'],
          summary: 'Take a video down from a channel, or cancel it before it goes out',
          params: idParamSchema,
          response: { 200: publicationsReply, ...errors },
        },
      },
      async (req) => ({ channels: await pub().unpublish(requireUser(req), req.params.id) }),
    );

    // ---- platform accounts (admin) ----
    const channelParam = z.strictObject({ channel: externalChannelSchema });
    app.get(
      '/api/admin/channels',
      {
        schema: {
          tags: ['admin'],
          summary: 'Platform accounts: status, token expiry, last error (never secrets)',
          response: { 200: channelAccountsReply, ...errors },
        },
      },
      async (req) => ({ accounts: await services.channelAccounts.list(requireUser(req)) }),
    );
    app.put(
      '/api/admin/channels/:channel',
      {
        schema: {
          tags: ['admin'],
          summary: 'Set a platform’s app id and secret (sealed at rest); WeChat is checked at once by fetching a token',
          params: channelParam,
          body: channelAccountBody,
          response: { 200: z.object({ account: channelAccountSchema }), ...errors },
        },
      },
      async (req) => ({ account: await services.channelAccounts.save(requireUser(req), req.params.channel, req.body) }),
    );
    app.delete(
      '/api/admin/channels/:channel',
      {
        schema: {
          tags: ['admin'],
          summary: 'Disconnect a platform: its credentials are erased',
          params: channelParam,
          response: { 200: channelAccountsReply, ...errors },
        },
      },
      async (req) => ({ accounts: await services.channelAccounts.disconnect(requireUser(req), req.params.channel) }),
    );
    app.post(
      '/api/admin/channels/:channel/authorize',
      {
        schema: {
          tags: ['admin'],
          summary: 'Start connecting an OAuth platform: where to send the admin to grant access',
          params: channelParam,
          response: { 200: authorizeReply, ...errors },
        },
      },
      async (req) => ({ url: await services.channelAccounts.authorizeUrl(requireUser(req), req.params.channel) }),
    );
    app.get(
      '/api/admin/channels/:channel/callback',
      {
        schema: {
          tags: ['admin'],
          summary:
            'The platform sends the admin back here (in the session that started the connect); the code is exchanged for tokens and the admin returns to the channels page',
          params: channelParam,
          // OAuth 2 (RFC 6749 §4.1.2): `code` on success, `error` (e.g. access_denied) when the admin declined.
          querystring: z.object({
            code: z.string().min(1).max(2000).optional(),
            error: z.string().max(200).optional(),
            state: z.string().min(1).max(500),
          }),
          response: { 302: z.null(), ...errors, 502: errorBodySchema },
        },
      },
      async (req, reply) => {
        const admin = requireUser(req);
        if (!req.query.code) return reply.redirect(`/admin/channels?failed=${req.params.channel}`, 302);
        try {
          await services.channelAccounts.callback(admin, req.params.channel, req.query.code, req.query.state);
        } catch (err) {
          // The admin arrives here from the platform in a browser: back to the page, with the reason.
          if (!(err instanceof AppError) || err.code !== 'channel.connect_failed') throw err;
          return reply.redirect(`/admin/channels?failed=${req.params.channel}&code=${encodeURIComponent(err.code)}`, 302);
        }
        return reply.redirect(`/admin/channels?connected=${req.params.channel}`, 302);
      },
    );

    // ---- kiosk screens ----
    app.get(
      '/api/admin/kiosk-screens',
      { schema: { tags: ['admin'], summary: 'Kiosk screens', response: { 200: z.object({ screens: z.array(kioskScreenSchema) }), ...errors } } },
      async (req) => ({ screens: await services.kiosk.list(requireUser(req)) }),
    );
    app.post(
      '/api/admin/kiosk-screens',
      {
        schema: {
          tags: ['admin'],
          summary: 'Add a kiosk screen; its key is shown once, in this reply',
          body: kioskScreenBody,
          response: { 201: kioskScreenCreatedReply, ...errors },
        },
      },
      async (req, reply) => reply.status(201).send(await services.kiosk.create(requireUser(req), req.body)),
    );
    app.delete(
      '/api/admin/kiosk-screens/:id',
      { schema: { tags: ['admin'], summary: 'Remove a kiosk screen (its key stops working)', params: idParamSchema, response: { 204: z.null(), ...errors } } },
      async (req, reply) => {
        await services.kiosk.remove(requireUser(req), req.params.id);
        return reply.status(204).send(null);
      },
    );
    app.get(
      '/api/kiosk/playlist',
      {
        schema: {
          tags: ['kiosk'],
          // A screen's `x-kiosk-key`, not a session.
          security: [],
          summary: 'A kiosk screen’s playlist (header x-kiosk-key): the kiosk channel’s live videos, newest first',
          response: { 200: kioskPlaylistReply, ...errors },
        },
      },
      async (req, reply) => {
        const key = req.headers['x-kiosk-key'];
        const screen = await services.kiosk.screenFor(typeof key === 'string' ? key : undefined);
        reply.header('cache-control', 'no-store');
        return services.kiosk.playlist(screen);
      },
    );
  };
}
