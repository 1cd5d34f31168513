import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema } from '../../../contracts/common.js';
import {
  explorerAccountsQuery,
  explorerAccountsReply,
  explorerExportBody,
  explorerTransfersQuery,
  explorerTransfersReply,
} from '../../../contracts/ledgerExplorer.js';
import { requireUser } from '../../http/auth.plugin.js';
import { requestLocale } from '../../http/locale.js';
import type { Services } from '../../services.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema };

/** The finance ledger explorer (finance, admin); docs/ledger.md, "Ledger explorer". */
export function ledgerExplorerRoutes(services: Services): FastifyPluginAsyncZod {
  const explorer = () => services.ledgerExplorer;
  return async (app) => {
    app.get(
      '/api/finance/ledger/accounts',
      {
        schema: {
          tags: ['finance'],
          summary: 'Ledger accounts with their balances, searchable and paged (finance, admin)',
          description:
            '`q` matches a contributor’s name, email or phone, a campaign’s title or slug (as typed: `%` and `_` are literal), or is an account, user or campaign id. System accounts come first, then contributors by balance, highest first; page with `offset` and `limit` (`total` counts the matches). `totals` is the whole ledger per account kind and sums to zero.',
          querystring: explorerAccountsQuery,
          response: { 200: explorerAccountsReply, ...errors },
        },
      },
      async (req) => explorer().accounts(requireUser(req), req.query),
    );

    app.get(
      '/api/finance/ledger/transfers',
      {
        schema: {
          tags: ['finance'],
          summary: 'Ledger transfers, newest first, with their double-entry legs and cause (finance, admin)',
          description:
            'Filters: `accountId` (transfers with a leg on it; the reply’s `summary` then gives its opening and closing balance over the period), `kind`, and the period [`from`, `to`) as ISO 8601 times with an offset (400 `ledger.invalid_period` unless from < to). Page with `before` = the previous page’s `nextBefore` (404 `ledger.transfer_not_found` for an unknown one). 404 `ledger.account_not_found` for an unknown account.',
          querystring: explorerTransfersQuery,
          response: { 200: explorerTransfersReply, ...errors },
        },
      },
      async (req) => explorer().transfers(requireUser(req), req.query),
    );

    app.post(
      '/api/finance/ledger/export.csv',
      {
        schema: {
          tags: ['finance'],
          summary: 'A period of the ledger as CSV (UTF-8 with BOM) with reconciled totals at the foot (finance, admin)',
          description:
            'A POST, like the payout batch file: the browser’s cross-site checks apply (403 `request.cross_site`) and nothing caches it. Every leg of every transfer in [`from`, `to`) (with `accountId`: of the transfers touching that account), debit and credit totals, then each account’s opening balance, debits, credits and closing balance. Amounts are yuan with two decimals; text a spreadsheet would run as a formula is prefixed with an apostrophe. Headers follow Accept-Language. At most 400 days (400 `ledger.export_too_long`) and 200,000 entries (400 `ledger.export_too_large`). Audit-logged as `ledger.export`.',
          body: explorerExportBody,
          produces: ['text/csv'],
          response: { 200: z.string().describe('CSV text'), ...errors },
        },
      },
      async (req, reply) => {
        const { filename, csv } = await explorer().exportCsv(requireUser(req), req.body, requestLocale(req));
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${filename}"`)
          .header('cache-control', 'no-store')
          .send(csv);
      },
    );
  };
}
