import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema } from '../../../contracts/common.js';
import { SESSION_COOKIE } from '../../http/auth.plugin.js';
import { requestLocale } from '../../http/locale.js';
import { AppError } from '../../lib/errors.js';
import type { Services } from '../../services.js';

const DESCRIPTION =
  'The command platform’s WebSocket (docs/api.md, "Live contact: the WebSocket protocol", has every message and rule). ' +
  'Open it with the session cookie; from a browser the Origin must be this site’s own (403 `request.cross_site` otherwise, before the upgrade). ' +
  'Anyone signed in may connect (401 `auth.required` otherwise); what a socket may see is checked per message: a thread is open to desk staff ' +
  'covering the assignment and to people working it (`subscribe`/`resume`), signalling only between the people of an active call. ' +
  'A plain GET without the upgrade is 426 `command.hub.websocket_required`.';

/** GET /api/command/ws: the hub's socket (hub.service.ts). */
export function hubRoutes(services: Services): FastifyPluginAsyncZod {
  const hub = services.commandHub;
  return async (app) => {
    app.addHook('onReady', async () => hub.start());
    app.addHook('preClose', async () => hub.close());
    app.route({
      method: 'GET',
      url: '/api/command/ws',
      schema: {
        tags: ['command'],
        summary: 'The live-contact WebSocket: chat, call notices, peer-to-peer signalling, director requests',
        description: DESCRIPTION,
        response: { 426: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 101: z.null().describe('Switching Protocols') },
      },
      // Browsers always send Origin on a WebSocket handshake and never preflight it, so the
      // same-site rule the auth plugin applies to unsafe methods is applied here by hand.
      preValidation: async (req) => {
        const origin = req.headers.origin;
        if (origin === undefined) return;
        const own = `${req.protocol}://${req.host}`;
        if (origin !== own && origin !== new URL(services.publicUrl()).origin) throw new AppError('request.cross_site', {}, { status: 403 });
      },
      handler: async () => {
        throw new AppError('command.hub.websocket_required');
      },
      wsHandler: (socket, req) => {
        // The session was checked before the upgrade (the route needs one); hold its token for the heartbeat's re-check.
        hub.accept(socket, { user: req.user!, token: req.cookies[SESSION_COOKIE] ?? '', locale: requestLocale(req) });
      },
    });
  };
}
