import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema, idParamSchema } from '../../../contracts/common.js';
import { ledgerStatementQuery, ledgerStatementReply, reconciliationReply } from '../../../contracts/ledger.js';
import { requireUser } from '../../http/auth.plugin.js';
import type { Services } from '../../services.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema };

export function ledgerRoutes(services: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/me/ledger',
      {
        schema: {
          tags: ['me'],
          summary: 'My balance and ledger entries (integer fen, newest first)',
          description:
            'The balance is the sum of all my entries; `limit` and `before` (an entry id) page through the entries. After a claw-back (a lower grade once the money was withdrawn) the balance is negative and `owedFen` says how much is owed back; later earnings settle it first.',
          querystring: ledgerStatementQuery,
          response: { 200: ledgerStatementReply, ...errors },
        },
      },
      async (req) => {
        const user = requireUser(req);
        return services.ledger.statementFor(user, user.id, req.query);
      },
    );

    app.get(
      '/api/finance/reconciliation',
      {
        schema: {
          tags: ['finance'],
          summary: 'Ledger reconciliation: all entries sum to zero, no negative contributor, every transfer balanced, budget against spent per campaign',
          description:
            'A contributor below zero by no more than their grade corrections have debited is owed money back after a claw-back: listed in `owedByContributors` (total `owedTotalFen`), not a mismatch; below that, in `negativeContributorAccounts` and a mismatch.',
          response: { 200: reconciliationReply, ...errors },
        },
      },
      async (req) => services.ledger.reconcileFor(requireUser(req)),
    );

    app.post(
      '/api/finance/campaigns/:id/budget',
      {
        schema: {
          tags: ['finance'],
          summary: 'Fund a campaign’s budget from the treasury (finance, admin); a retry with the same requestId funds once',
          params: idParamSchema,
          body: z.strictObject({
            requestId: z.uuid(),
            amountFen: z.number().int().positive().max(10_000_000_000),
            memo: z.string().trim().max(200).optional(),
          }),
          response: { 200: z.object({ transferId: z.uuid(), created: z.boolean() }), ...errors, 404: errorBodySchema, 409: errorBodySchema },
        },
      },
      async (req) => {
        const t = await services.budgets.fund(requireUser(req), req.params.id, req.body);
        return { transferId: t.id, created: t.created };
      },
    );
  };
}
