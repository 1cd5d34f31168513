import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  adminCreateUserBody,
  adminUpdateUserBody,
  adminUserSchema,
  sendPhoneCodeBody,
  sessionListReply,
  signInEmailBody,
  signInPhoneBody,
  signUpEmailBody,
  updateMeBody,
  userReply,
} from '../../../contracts/accounts.js';
import {
  adminUserDetailReply,
  adminUserPageReply,
  adminUserQuery,
  resetSignInBody,
  resetSignInReply,
  staffPageReply,
  staffQuery,
} from '../../../contracts/backOffice.js';
import { errorBodySchema, idParamSchema } from '../../../contracts/common.js';
import type { UserRow } from '../../db/schema.js';
import { clearSessionCookie, requestMeta, requirePermission, requireUser, setSessionCookie } from '../../http/auth.plugin.js';
import { requestLocale } from '../../http/locale.js';
import type { Services } from '../../services.js';
import { toMe, type UserDetail } from './accounts.service.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema, 429: errorBodySchema };

const toAdminUser = (u: UserRow) => ({ ...toMe(u), disabled: u.disabled, createdAt: u.createdAt.toISOString() });

const toUserDetail = (d: UserDetail) => ({
  ...toAdminUser(d.user),
  locale: d.user.locale,
  hasPassword: d.user.passwordHash !== null,
  activeSessions: d.activeSessions,
  lastSeenAt: d.lastSeenAt?.toISOString() ?? null,
});

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
        schema: {
          tags: ['admin'],
          summary: 'Accounts, paged: search by name, email or phone (any written form), filter by role and status',
          querystring: adminUserQuery,
          response: { 200: adminUserPageReply, ...errors },
        },
      },
      async (req) => {
        const { rows, total } = await services.accounts.listUsers(requireUser(req), req.query);
        return { users: rows.map(toAdminUser), total, page: req.query.page, pageSize: req.query.pageSize };
      },
    );

    app.get(
      '/api/admin/users/:id',
      {
        schema: {
          tags: ['admin'],
          summary: 'One account: roles, status, how it signs in, live sessions',
          params: idParamSchema,
          response: { 200: adminUserDetailReply, ...errors },
        },
      },
      async (req) => ({ user: toUserDetail(await services.accounts.getUserDetail(requireUser(req), req.params.id)) }),
    );

    app.post(
      '/api/admin/users/:id/reset-sign-in',
      {
        schema: {
          tags: ['admin'],
          summary: 'Reset a user’s sign-in: end every session and clear the password (audited with the reason)',
          description: 'Refused for yourself (409 `user.reset_self`). The user then signs in through “forgot password” or an SMS code.',
          params: idParamSchema,
          body: resetSignInBody,
          response: { 200: resetSignInReply, ...errors },
        },
      },
      async (req) => {
        const out = await services.accounts.resetSignIn(requireUser(req), req.params.id, req.body.reason);
        return { user: toUserDetail(out.detail), sessionsRevoked: out.sessionsRevoked };
      },
    );

    app.get(
      '/api/desk/staff',
      {
        schema: {
          tags: ['desk'],
          summary: 'Staff to pick as studio members, paged and searchable (chief editor, admin)',
          querystring: staffQuery,
          response: { 200: staffPageReply, ...errors },
        },
      },
      async (req) => {
        const { rows, total } = await services.accounts.searchStaff(requireUser(req), req.query);
        return {
          users: rows.map((u) => ({ id: u.id, name: u.name, email: u.email, roles: u.roles })),
          total,
          page: req.query.page,
          pageSize: req.query.pageSize,
        };
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
          description:
            'Granting admin, or removing your own admin, needs `confirm: true` (else 409 `user.confirm_admin`). The last enabled admin keeps the role (409 `user.last_admin`); nobody disables themselves (409 `user.disable_self`).',
          params: idParamSchema,
          body: adminUpdateUserBody.extend({ confirm: z.boolean().optional() }),
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
