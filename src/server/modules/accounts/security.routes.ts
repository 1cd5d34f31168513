import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { userReply } from '../../../contracts/accounts.js';
import { errorBodySchema } from '../../../contracts/common.js';
import {
  changePasswordBody,
  passwordResetEmailBody,
  passwordResetRequestBody,
  passwordResetRequestReply,
  passwordResetSmsBody,
  revokedSessionsReply,
  securityStatusReply,
  signInPhonePasswordBody,
} from '../../../contracts/security.js';
import { requestMeta, requirePermission, setSessionCookie } from '../../http/auth.plugin.js';
import { requestLocale } from '../../http/locale.js';
import type { Services } from '../../services.js';
import { toMe } from './accounts.service.js';

const errors = {
  400: errorBodySchema,
  401: errorBodySchema,
  403: errorBodySchema,
  404: errorBodySchema,
  410: errorBodySchema,
  429: errorBodySchema,
  503: errorBodySchema,
};

/** Password reset, password change, phone + password sign-in, "sign out everywhere else" (docs/accounts.md). */
export function securityRoutes(services: Services, authRateLimit: number): FastifyPluginAsyncZod {
  // Per client address per minute, like sign-in; the service adds hourly limits per address and per email/phone.
  const limited = { rateLimit: { max: authRateLimit, timeWindow: '1 minute' } };
  return async (app) => {
    app.post(
      '/api/auth/password-reset/request',
      {
        config: limited,
        schema: {
          tags: ['auth'],
          security: [],
          summary: 'Email a reset link or text a reset code; the same answer whether or not the account exists',
          body: passwordResetRequestBody,
          response: { 202: passwordResetRequestReply, ...errors },
        },
      },
      async (req, reply) => {
        const out = await services.security.requestReset(req.body, { locale: requestLocale(req), ip: req.ip ?? null });
        return reply.status(202).send(out);
      },
    );

    app.post(
      '/api/auth/password-reset/email',
      {
        config: limited,
        schema: {
          tags: ['auth'],
          security: [],
          summary: 'Set a new password with the emailed link’s token (signs out every session)',
          body: passwordResetEmailBody,
          response: { 204: z.null(), ...errors },
        },
      },
      async (req, reply) => {
        await services.security.resetWithToken(req.body);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/api/auth/password-reset/sms',
      {
        config: limited,
        schema: {
          tags: ['auth'],
          security: [],
          summary: 'Set a new password with the texted code (signs out every session)',
          body: passwordResetSmsBody,
          response: { 204: z.null(), ...errors },
        },
      },
      async (req, reply) => {
        await services.security.resetWithCode(req.body);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/api/auth/sign-in/phone-password',
      {
        config: limited,
        schema: {
          tags: ['auth'],
          security: [],
          summary: 'Sign in with a phone number and the password the account set',
          body: signInPhonePasswordBody,
          response: { 200: userReply, ...errors },
        },
      },
      async (req, reply) => {
        const out = await services.accounts.signInPhonePassword(req.body, requestMeta(req));
        setSessionCookie(req, reply, out.token, out.session.expiresAt);
        return { user: toMe(out.user) };
      },
    );

    app.get(
      '/api/me/security',
      { schema: { tags: ['me'], summary: 'Whether my account has a password', response: { 200: securityStatusReply, ...errors } } },
      async (req) => {
        const user = requirePermission(req, 'account.self');
        return { hasPassword: !!user.passwordHash };
      },
    );

    app.post(
      '/api/me/password',
      {
        config: limited,
        schema: {
          tags: ['me'],
          summary: 'Change my password (or set a first one); signs out every other session',
          body: changePasswordBody,
          response: { 200: revokedSessionsReply, ...errors },
        },
      },
      async (req) => {
        const user = requirePermission(req, 'account.self');
        return services.security.changePassword(user, req.session!.id, req.body);
      },
    );

    app.post(
      '/api/me/sessions/sign-out-others',
      {
        schema: {
          tags: ['me'],
          summary: 'Sign out every session but this one',
          body: z.strictObject({}).optional(),
          response: { 200: revokedSessionsReply, ...errors },
        },
      },
      async (req) => {
        const user = requirePermission(req, 'account.self');
        return services.security.signOutOthers(user, req.session!.id);
      },
    );
  };
}
