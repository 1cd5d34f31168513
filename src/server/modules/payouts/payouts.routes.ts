import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema, idParamSchema } from '../../../contracts/common.js';
import { createBatchBody, markPayoutBody, payoutListReply, requestPayoutBody } from '../../../contracts/payouts.js';
import { requireUser } from '../../http/auth.plugin.js';
import type { Services } from '../../services.js';
import { batchListQuery, batchListReply, batchReply, financePayoutsQuery, myPayoutsQuery, payoutReply } from './payouts.schemas.js';
import { presentPayout } from './payouts.service.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };

export function payoutsRoutes(services: Services): FastifyPluginAsyncZod {
  const payouts = () => services.payouts;
  return async (app) => {
    app.post(
      '/api/me/payouts',
      {
        schema: {
          tags: ['me'],
          summary: 'Request a withdrawal of my balance',
          description:
            'Posts the debit in the same transaction as the payout. `requestId` makes it safe to retry: the first request answers 201; a retry with the same body answers 200 with the same payout; a different body under the same id is 409 `payout.request_conflict`. Refused: below the minimum (`payout.below_minimum`), above the balance (409 `payout.insufficient_balance`), while the balance is negative after a claw-back (409 `payout.balance_owed`, `details.owedFen`), bank without `bankName`, a name, account or bank name with control characters, direction marks or lone surrogates (400 `payout.unprintable_name` / `payout.unprintable_account` / `payout.unprintable_bank_name`, `details.field`). The account is answered masked.',
          body: requestPayoutBody,
          response: { 200: payoutReply, 201: payoutReply, ...errors },
        },
      },
      async (req, reply) => {
        const { payout, created } = await payouts().request(requireUser(req), req.body);
        return reply.status(created ? 201 : 200).send({ payout: presentPayout(payout) });
      },
    );

    app.get(
      '/api/me/payouts',
      {
        schema: {
          tags: ['me'],
          summary: 'My withdrawals, newest first, and the minimum amount',
          querystring: myPayoutsQuery,
          response: { 200: payoutListReply, ...errors },
        },
      },
      async (req) => payouts().listMine(requireUser(req), req.query),
    );

    app.get(
      '/api/finance/payouts',
      {
        schema: {
          tags: ['finance'],
          summary: 'Withdrawals, newest first, optionally by status (finance, admin)',
          querystring: financePayoutsQuery,
          response: { 200: payoutListReply, ...errors },
        },
      },
      async (req) => payouts().listAll(requireUser(req), req.query),
    );

    app.post(
      '/api/finance/payout-batches',
      {
        schema: {
          tags: ['finance'],
          summary: 'Approve requested withdrawals of one method as a batch (all or nothing)',
          description:
            'Every payout must be `requested`, of the batch’s channel and in no other batch; otherwise nothing is created and the answer is 409 `payout.not_batchable` listing the refused ids in `details.payoutIds`.',
          body: createBatchBody,
          response: { 201: batchReply, ...errors },
        },
      },
      async (req, reply) => reply.status(201).send({ batch: await payouts().createBatch(requireUser(req), req.body) }),
    );

    app.get(
      '/api/finance/payout-batches',
      {
        schema: { tags: ['finance'], summary: 'Payout batches, newest first', querystring: batchListQuery, response: { 200: batchListReply, ...errors } },
      },
      async (req) => payouts().listBatches(requireUser(req), req.query),
    );

    app.post(
      '/api/finance/payout-batches/:id/export.csv',
      {
        schema: {
          tags: ['finance'],
          summary: 'The batch file for the bank, WeChat Pay or Alipay (text/csv, UTF-8 with BOM); moves the batch to exported',
          description:
            'A POST with no body (before issue 11 it was a GET, which a same-site page could trigger; a GET now answers 404): like every unsafe method it is refused with 403 `request.cross_site` when the browser marks it cross-site or same-site or its Origin is not this site’s. Columns per channel are documented in docs/ledger.md. Amounts are yuan with two decimals; text cells that a spreadsheet would read as a formula are prefixed with an apostrophe. Later downloads list only payouts not yet paid or failed. Every download is audit-logged.',
          params: idParamSchema,
          produces: ['text/csv'],
          response: { 200: z.string().describe('CSV text'), ...errors },
        },
      },
      async (req, reply) => {
        const { filename, csv } = await payouts().exportBatch(requireUser(req), req.params.id);
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${filename}"`)
          .header('cache-control', 'no-store')
          .send(csv);
      },
    );

    app.post(
      '/api/finance/payouts/:id/mark',
      {
        schema: {
          tags: ['finance'],
          summary: 'Mark a batched or exported withdrawal paid (settles it) or failed (returns the funds)',
          description: 'Each happens once: the same mark again answers the payout unchanged; marking a payout in any other state is 409 `payout.not_markable`.',
          params: idParamSchema,
          body: markPayoutBody,
          response: { 200: payoutReply, ...errors },
        },
      },
      async (req) => ({ payout: await payouts().mark(requireUser(req), req.params.id, req.body) }),
    );
  };
}
