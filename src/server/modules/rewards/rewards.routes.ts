import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema, idParamSchema } from '../../../contracts/common.js';
import { rewardProgressReply } from '../../../contracts/payouts.js';
import { requireUser } from '../../http/auth.plugin.js';
import type { Services } from '../../services.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema };

export function rewardsRoutes(services: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/me/rewards/progress',
      {
        schema: {
          tags: ['me'],
          summary: 'My cumulative rewards per joined campaign: adopted count, bonuses earned, the next tier and reach multiplier',
          response: { 200: rewardProgressReply, ...errors },
        },
      },
      async (req) => services.rewards.progress(requireUser(req)),
    );

    app.post(
      '/api/admin/campaigns/:id/bonuses/apply',
      {
        schema: {
          tags: ['admin'],
          summary: 'Pay every bonus tier already reached in a campaign and not yet paid (after tiers change); safe to repeat',
          params: idParamSchema,
          response: { 200: z.object({ contributorsChecked: z.number().int(), bonusesPosted: z.number().int(), totalFen: z.number().int() }), ...errors },
        },
      },
      async (req) => services.rewards.catchUp(requireUser(req), { campaignId: req.params.id }),
    );
  };
}
