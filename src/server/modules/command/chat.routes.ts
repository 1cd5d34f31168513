import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema, idParamSchema } from '../../../contracts/common.js';
import { chatMessageSchema } from '../../../contracts/command.js';
import type { Services } from '../../services.js';
import { CHAT_PAGE } from './chat.service.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema };

/** The chat thread over HTTP: what a page reads before its socket is up, and a fallback without one. */
export function chatRoutes(services: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/command/assignments/:id/messages',
      {
        schema: {
          tags: ['command'],
          summary: 'An assignment’s chat thread after a message id, oldest first',
          description:
            `Messages with id greater than \`after\` (default 0: from the start), oldest first, at most ${CHAT_PAGE}; ask again with the last id to page. ` +
            'Sending is over the WebSocket (`chat.send`). Desk staff covering the assignment (403 `command.out_of_scope` for another studio’s) and people ' +
            'who accepted it (404 `command.assignment_not_found` for anyone else in the field).',
          params: idParamSchema,
          querystring: z.strictObject({ after: z.coerce.number().int().min(0).default(0) }),
          response: { 200: z.object({ messages: z.array(chatMessageSchema) }), ...errors },
        },
      },
      async (req) => ({ messages: await services.commandChat.list(req.user, req.params.id, req.query.after) }),
    );
  };
}
