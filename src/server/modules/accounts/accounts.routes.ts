import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  adminCreateUserBody,
  adminUpdateUserBody,
  adminUserListReply,
  adminUserSchema,
  sendPhoneCodeBody,
  sessionListReply,
  signInEmailBody,
  signInPhoneBody,
  signUpEmailBody,
  updateMeBody,
  userReply,
} from '../../../contracts/accounts.js';
import { errorBodySchema, idParamSchema } from '../../../contracts/common.js';
import type { UserRow } from '../../db/schema.js';
import { clearSessionCookie, requestMeta, requirePermission, requireUser, setSessionCookie } from '../../http/auth.plugin.js';
import { requestLocale } from '../../http/locale.js';
import type { Services } from '../../services.js';
import { toMe } from './accounts.service.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema, 429: errorBodySchema };

const toAdminUser = (u: UserRow) => ({ ...toMe(u), disabled: u.disabled, createdAt: u.createdAt.toISOString() });

export function accountsRoutes(services: Services, authRateLimit: number): FastifyPluginAsyncZod {
  const limited = { rateLimit: { max: authRateLimit, timeWindow: '1 minute' } };
  return async (app) => {
    app.post(
      '/api/auth/sign-up/email',
      {
        config: limited,
        schema: {
          tags: ['auth'],
          security: [],
          summary: 'Sign up a contributor with email and password',
          body: signUpEmailBody,
          response: { 201: userReply, ...errors },
        },
      },
      async (req, reply) => {
        const out = await services.accounts.signUpEmail({ ...req.body, locale: req.body.locale ?? requestLocale(req) }, requestMeta(req));
        setSessionCookie(req, reply, out.token, out.session.expiresAt);
        return reply.status(201).send({ user: toMe(out.user) });
      },
    );

    app.post(
      '/api/auth/sign-in/email',
      {
        config: limited,
        schema: {
          tags: ['auth'],
          security: [],
          summary: 'Sign in with email and password',
          body: signInEmailBody,
          response: { 200: userReply, ...errors },
        },
      },
      async (req, reply) => {
        const out = await services.accounts.signInEmail(req.body, requestMeta(req));
        setSessionCookie(req, reply, out.token, out.session.expiresAt);
        return { user: toMe(out.user) };
      },
    );

    app.post(
      '/api/auth/phone/send-code',
      {
        config: limited,
        schema: {
          tags: ['auth'],
          security: [],
          summary: 'Text a 6-digit sign-in code to a phone number',
          body: sendPhoneCodeBody,
          response: { 202: z.object({ expiresInSeconds: z.number() }), ...errors, 502: errorBodySchema, 503: errorBodySchema },
        },
      },
      async (req, reply) => {
        const out = await services.accounts.sendPhoneCode(req.body, requestLocale(req));
        return reply.status(202).send(out);
      },
    );

    app.post(
      '/api/auth/sign-in/phone',
      {
        config: limited,
        schema: {
          tags: ['auth'],
          security: [],
          summary: 'Sign in (or up) with a phone number and its SMS code',
          body: signInPhoneBody,
          response: { 200: userReply, ...errors },
        },
      },
      async (req, reply) => {
        const out = await services.accounts.signInPhone({ ...req.body, locale: req.body.locale ?? requestLocale(req) }, requestMeta(req));
        setSessionCookie(req, reply, out.token, out.session.expiresAt);
        return { user: toMe(out.user) };
      },
    );

    app.post(
      '/api/auth/sign-out',
      {
        schema: { tags: ['auth'], security: [{}, { session: [] }], summary: 'Sign out this session', response: { 204: z.null(), ...errors } },
      },
      async (req, reply) => {
        if (req.session && req.user) await services.accounts.signOut(req.session.id, req.user.id);
        clearSessionCookie(req, reply);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/api/me',
      {
        schema: { tags: ['me'], summary: 'The signed-in user', response: { 200: userReply.shape.user, ...errors } },
      },
      async (req) => toMe(requireUser(req)),
    );

    app.patch(
      '/api/me',
      {
        schema: { tags: ['me'], summary: 'Change my name or language', body: updateMeBody, response: { 200: userReply, ...errors } },
      },
      async (req) => {
        const user = requirePermission(req, 'account.self');
        return { user: toMe(await services.accounts.updateMe(user.id, req.body)) };
      },
    );

    app.get(
      '/api/me/sessions',
      {
        schema: { tags: ['me'], summary: 'My signed-in sessions', response: { 200: sessionListReply, ...errors } },
      },
      async (req) => {
        const user = requirePermission(req, 'account.self');
        const rows = await services.accounts.listSessions(user.id);
        return {
          sessions: rows.map((s) => ({
            id: s.id,
            createdAt: s.createdAt.toISOString(),
            lastSeenAt: s.lastSeenAt.toISOString(),
            expiresAt: s.expiresAt.toISOString(),
            userAgent: s.userAgent,
            ip: s.ip,
            current: s.id === req.session?.id,
          })),
        };
      },
    );

    app.delete(
      '/api/me/sessions/:id',
      {
        schema: { tags: ['me'], summary: 'Revoke one of my sessions', params: idParamSchema, response: { 204: z.null(), ...errors } },
      },
      async (req, reply) => {
        const user = requirePermission(req, 'account.self');
        await services.accounts.revokeSession(user, req.params.id);
        if (req.params.id === req.session?.id) clearSessionCookie(req, reply);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/api/admin/users',
      {
        schema: { tags: ['admin'], summary: 'All accounts', response: { 200: adminUserListReply, ...errors } },
      },
      async (req) => {
        const actor = requireUser(req);
        return { users: (await services.accounts.listUsers(actor)).map(toAdminUser) };
      },
    );

    app.post(
      '/api/admin/users',
      {
        schema: {
          tags: ['admin'],
          summary: 'Create an account (staff)',
          body: adminCreateUserBody,
          response: { 201: z.object({ user: adminUserSchema }), ...errors },
        },
      },
      async (req, reply) => {
        const actor = requireUser(req);
        const user = await services.accounts.createUser(actor, req.body);
        return reply.status(201).send({ user: toAdminUser(user) });
      },
    );

    app.patch(
      '/api/admin/users/:id',
      {
        schema: {
          tags: ['admin'],
          summary: 'Change an account’s roles, name or disabled state',
          params: idParamSchema,
          body: adminUpdateUserBody,
          response: { 200: z.object({ user: adminUserSchema }), ...errors },
        },
      },
      async (req) => {
        const actor = requireUser(req);
        return { user: toAdminUser(await services.accounts.updateUser(actor, req.params.id, req.body)) };
      },
    );
  };
}
