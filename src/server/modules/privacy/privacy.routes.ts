import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema } from '../../../contracts/common.js';
import { eraseAccountBody, eraseAccountReply, erasureStatusReply, myDataExport } from '../../../contracts/privacy.js';
import { clearSessionCookie, requirePermission } from '../../http/auth.plugin.js';
import { requestLocale } from '../../http/locale.js';
import type { Services } from '../../services.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 409: errorBodySchema, 429: errorBodySchema };

/** "My data" on the account page: export it, or delete the account (docs/privacy.md). */
export function privacyRoutes(services: Services, authRateLimit: number): FastifyPluginAsyncZod {
  // Re-authentication guesses a password or a code: limited like sign-in.
  const limited = { rateLimit: { max: authRateLimit, timeWindow: '1 minute' } };
  return async (app) => {
    app.get(
      '/api/me/data-export',
      {
        schema: {
          tags: ['me'],
          summary: 'Download everything Paike holds about my account (JSON)',
          description:
            'Profile, campaign memberships, submissions (metadata and states, links to my own media), ledger lines and balance, payouts (payee masked), reward holds, notices, red-packet wins and sessions. Only my own data. Answered as a file (`Content-Disposition: attachment`) with `Cache-Control: no-store`.',
          response: { 200: myDataExport, ...errors },
        },
      },
      async (req, reply) => {
        const user = requirePermission(req, 'account.self');
        const data = await services.privacy.exporter.export(user);
        reply.header('cache-control', 'no-store').header('content-disposition', `attachment; filename="paike-my-data-${data.exportedAt.slice(0, 10)}.json"`);
        return data;
      },
    );

    app.get(
      '/api/me/erasure',
      {
        schema: {
          tags: ['me'],
          summary: 'Whether my account can be deleted now, and how to confirm it',
          description:
            '`blockers` lists the money still open (balance, money owed back, withdrawals in progress, unpaid or held red-packet wins, rewards under review), each with a message in the request’s language; `reauth` says whether deletion asks for the current password, an SMS code, or (an account with neither: WeChat only) a sign-in made in the last 10 minutes, with `recentUntil` saying until when this session counts.',
          response: { 200: erasureStatusReply, ...errors },
        },
      },
      async (req) => {
        const user = requirePermission(req, 'account.self');
        return services.privacy.erasure.status(user, requestLocale(req), req.session);
      },
    );

    app.post(
      '/api/me/erasure/code',
      {
        config: limited,
        schema: {
          tags: ['me'],
          summary: 'Text a confirmation code to my own phone (phone accounts without a password)',
          response: { 202: z.object({ expiresInSeconds: z.number() }), ...errors, 502: errorBodySchema, 503: errorBodySchema },
        },
      },
      async (req, reply) => {
        const user = requirePermission(req, 'account.self');
        return reply.status(202).send(await services.privacy.erasure.sendCode(user, requestLocale(req)));
      },
    );

    app.post(
      '/api/me/erasure',
      {
        config: limited,
        schema: {
          tags: ['me'],
          summary: 'Delete my account',
          description:
            'Needs `confirm: true` and the current `password` (or, for a phone account without one, the SMS `code` from `POST /api/me/erasure/code`; for an account with neither, a session signed in within the last 10 minutes, else 403 `erasure.sign_in_again`). Refused with 409 `erasure.open_money` while money is open (`details.blockers`), 403 for staff accounts. On success personal data is erased in one transaction, the ledger keeps its entries under the anonymous account 拍客, every session ends and the cookie is cleared.',
          body: eraseAccountBody,
          response: { 200: eraseAccountReply, ...errors },
        },
      },
      async (req, reply) => {
        const user = requirePermission(req, 'account.self');
        await services.privacy.erasure.erase(user, req.body, requestLocale(req), req.session);
        clearSessionCookie(req, reply);
        return { erased: true as const };
      },
    );
  };
}
