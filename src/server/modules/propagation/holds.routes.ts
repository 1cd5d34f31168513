import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorBodySchema, idParamSchema } from '../../../contracts/common.js';
import { propagationHoldRejectBody, propagationHoldReply, propagationHoldsQuery, propagationHoldsReply } from '../../../contracts/propagation.js';
import { requireUser } from '../../http/auth.plugin.js';
import type { Services } from '../../services.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };
const WHO = 'Editors, chief editors, finance and admins (`grand_prize.confirm`).';

export function holdsRoutes(services: Services): FastifyPluginAsyncZod {
  const holds = () => services.propagationHolds;
  return async (app) => {
    app.get(
      '/api/desk/propagation-holds',
      {
        schema: {
          tags: ['desk'],
          summary: 'Prizes and reach multipliers held because the views behind them looked forged',
          description: `${WHO} Held ones first, newest first (at most 500). Filter by \`status\` (held | released | rejected) and \`campaignId\`. Each hold names the video (\`title\`) and contributor (\`contributorName\`), says what it would pay (\`amountFen\`, \`ledgerKey\`), who decided it (\`decidedByName\`) and why it was held (\`reason\`: the figure, the views from the top networks and their share).`,
          querystring: propagationHoldsQuery,
          response: { 200: propagationHoldsReply, ...errors },
        },
      },
      async (req) => ({ holds: await holds().list(requireUser(req), req.query) }),
    );

    app.post(
      '/api/desk/propagation-holds/:id/release',
      {
        schema: {
          tags: ['desk'],
          summary: 'Release a held prize or multiplier: pay it (a grand-prize nomination becomes confirmable)',
          description: `${WHO} Posts the held transfer under its \`ledgerKey\`, so it is paid at most once; a repeat answers the same hold. A grand-prize hold pays nothing itself: the nomination can then be confirmed. 409 \`propagation_hold.already_decided\` when it was rejected. Audit-logged.`,
          params: idParamSchema,
          response: { 200: propagationHoldReply, ...errors },
        },
      },
      async (req) => ({ hold: await holds().release(requireUser(req), req.params.id) }),
    );

    app.post(
      '/api/desk/propagation-holds/:id/reject',
      {
        schema: {
          tags: ['desk'],
          summary: 'Reject a held prize or multiplier: it is never paid',
          description: `${WHO} Optional \`note\`. Nothing is posted; a repeat answers the same hold. 409 \`propagation_hold.already_decided\` when it was released. Audit-logged.`,
          params: idParamSchema,
          body: propagationHoldRejectBody,
          response: { 200: propagationHoldReply, ...errors },
        },
      },
      async (req) => ({ hold: await holds().reject(requireUser(req), req.params.id, req.body.note) }),
    );
  };
}
