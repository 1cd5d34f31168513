import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { grandPrizeConfirmBody, grandPrizeConfirmReply, grandPrizeListReply, grandPrizeParams, grandPrizeQuery } from '../../../contracts/charts.js';
import { errorBodySchema } from '../../../contracts/common.js';
import { requireUser } from '../../http/auth.plugin.js';
import type { Services } from '../../services.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };

export function grandPrizeRoutes(services: Services): FastifyPluginAsyncZod {
  const grandPrize = () => services.grandPrize;
  return async (app) => {
    app.get(
      '/api/desk/grand-prize',
      {
        schema: {
          tags: ['desk'],
          summary: "A campaign's grand-prize (终极大奖) nominations with the amount confirmed and left (desk)",
          description:
            "Nominated at the campaign's end (reach at or past the threshold), checked again after the hold-back: `confirmable` or `below_threshold`; `confirmed` once an editor has posted the prize.",
          querystring: grandPrizeQuery,
          response: { 200: grandPrizeListReply, ...errors },
        },
      },
      async (req) => grandPrize().list(requireUser(req), req.query.campaignId),
    );

    app.post(
      '/api/desk/grand-prize/:campaignId/:submissionId/confirm',
      {
        schema: {
          tags: ['desk'],
          summary: 'Confirm a grand prize and post it to the ledger (editors, finance, admins)',
          description:
            'Only a `confirmable` nomination. All confirmations of a campaign together stay within its grand-prize amount (409 `grand_prize.over_cap` says what is left). The transfer is keyed `grand:<campaign>:<submission>`: a repeat with the same amount (a double click) answers 200 with the same confirmation and pays nothing more; another amount is 409 `grand_prize.already_confirmed`. 409 `grand_prize.not_confirmable` before the recheck or below the threshold. Audit-logged; the contributor gets a notice.',
          params: grandPrizeParams,
          body: grandPrizeConfirmBody,
          response: { 200: grandPrizeConfirmReply, 201: grandPrizeConfirmReply, ...errors },
        },
      },
      async (req, reply) => {
        const { created, ...out } = await grandPrize().confirm(requireUser(req), req.params, req.body);
        return reply.status(created ? 201 : 200).send(out);
      },
    );
  };
}
