import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { userReply } from '../../../contracts/accounts.js';
import type { Locale } from '../../../contracts/common.js';
import { errorBodySchema, idParamSchema } from '../../../contracts/common.js';
import { requestMeta, requirePermission, setSessionCookie } from '../../http/auth.plugin.js';
import { requestLocale } from '../../http/locale.js';
import { AppError } from '../../lib/errors.js';
import { translate, type MessageCode } from '../../lib/messages.js';
import type { Services } from '../../services.js';
import { toMe } from '../accounts/accounts.service.js';
import { escapeHtml } from '../web/web.shell.js';
import {
  wechatAvailableReply,
  wechatCallbackQuery,
  wechatIdentitiesReply,
  wechatPendingReply,
  wechatSignUpBody,
  wechatStartBody,
  wechatStartReply,
} from '../../../contracts/wechat.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema, 429: errorBodySchema };
export const WECHAT_STATE_COOKIE = 'paike_wechat_state';
export const WECHAT_SIGNUP_COOKIE = 'paike_wechat_signup';
const COOKIE_PATH = '/api/auth/wechat';

function setShortCookie(req: FastifyRequest, reply: FastifyReply, name: string, value: string, maxAgeSeconds: number) {
  // Lax: sent on WeChat's top-level redirect back to the callback, never on a cross-site subrequest.
  reply.setCookie(name, value, { httpOnly: true, sameSite: 'lax', secure: req.protocol === 'https', path: COOKIE_PATH, maxAge: maxAgeSeconds });
}
function clearShortCookie(req: FastifyRequest, reply: FastifyReply, name: string) {
  reply.clearCookie(name, { httpOnly: true, sameSite: 'lax', secure: req.protocol === 'https', path: COOKIE_PATH });
}

/**
 * The callback is a page a person lands on from WeChat, so a refusal is a small page in both
 * languages (the request's first), with the way back; API clients (no text/html) get the error shape.
 */
function refusalPage(code: MessageCode, first: Locale): string {
  const order: Locale[] = first === 'en' ? ['en', 'zh-CN'] : ['zh-CN', 'en'];
  const lines = order.map((l) => `<p lang="${l}">${escapeHtml(translate(code, l))}</p>`).join('');
  const title = order.map((l) => translate('wechat.page_title', l)).join(' · ');
  const back = order.map((l) => `<a lang="${l}" href="/sign-in">${escapeHtml(translate('wechat.page_back', l))}</a>`).join(' · ');
  return `<!doctype html><html lang="${first}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title></head><body><main><h1>${escapeHtml(title)}</h1><div id="wechat-refusal" data-code="${code}">${lines}</div><p>${back}</p></main></body></html>`;
}

export function wechatRoutes(services: Services, authRateLimit: number): FastifyPluginAsyncZod {
  const limited = { rateLimit: { max: authRateLimit, timeWindow: '1 minute' } };
  const wechat = () => services.wechat;
  return async (app) => {
    app.get(
      '/api/auth/wechat',
      {
        schema: {
          tags: ['auth'],
          security: [],
          summary: 'Which WeChat sign-ins are configured (QR on a desktop; the 公众号 inside WeChat)',
          response: { 200: wechatAvailableReply },
        },
      },
      async () => wechat().available(),
    );

    app.post(
      '/api/auth/wechat/start',
      {
        config: limited,
        schema: {
          tags: ['auth'],
          security: [{}, { session: [] }],
          summary: 'Begin WeChat sign-in (or linking): answers the WeChat address to open and sets the state cookie',
          description:
            'Sets `paike_wechat_state` (HttpOnly, 10 minutes, path /api/auth/wechat): the callback is refused unless it carries the same state. `intent: link` needs a session. 404 `wechat.not_configured` when the flow’s app is not configured.',
          body: wechatStartBody,
          response: { 200: wechatStartReply, ...errors },
        },
      },
      async (req, reply) => {
        const out = await wechat().start(req.user, req.body);
        setShortCookie(req, reply, WECHAT_STATE_COOKIE, out.state, 600);
        return { url: out.url };
      },
    );

    app.get(
      '/api/auth/wechat/callback',
      {
        config: limited,
        // The query holds WeChat's one-time code: keep it out of the request log.
        logLevel: 'warn',
        schema: {
          tags: ['auth'],
          security: [],
          summary: 'WeChat’s redirect_uri: exchanges the code, then redirects (signed in, linked, or on to finish sign-up)',
          description:
            '302 to `next` (or /account) with the session cookie when the WeChat is known (or its unionid is); 302 to /sign-up?wechat=signup with `paike_wechat_signup` when it is new; 302 back to WeChat (snsapi_userinfo) when a silent snsapi_base sign-in meets a new openid. Refusals (403 `wechat.bad_state` forged/replayed/expired state, 400 `wechat.denied`, 400 `wechat.code_rejected`, 400 `wechat.snapshot_user`, 409 `wechat.linked_elsewhere` / `wechat.already_linked`, 502 `wechat.unavailable`) are a bilingual HTML page for browsers, the error shape otherwise.',
          querystring: wechatCallbackQuery,
          response: { 302: z.null(), ...errors, 502: errorBodySchema },
        },
      },
      async (req, reply) => {
        const cookieState = req.cookies[WECHAT_STATE_COOKIE];
        clearShortCookie(req, reply, WECHAT_STATE_COOKIE);
        try {
          const out = await wechat().callback({ code: req.query.code, state: req.query.state, cookieState }, requestMeta(req));
          switch (out.kind) {
            case 'signed_in':
              setSessionCookie(req, reply, out.signedIn.token, out.signedIn.session.expiresAt);
              return reply.redirect(out.next, 302);
            case 'linked':
              return reply.redirect(out.next.includes('?') ? `${out.next}&wechat=linked` : `${out.next}?wechat=linked`, 302);
            case 'reauthorize':
              setShortCookie(req, reply, WECHAT_STATE_COOKIE, out.state, 600);
              return reply.redirect(out.url, 302);
            case 'pending':
              setShortCookie(req, reply, WECHAT_SIGNUP_COOKIE, out.token, 900);
              // The sign-up page shows the campaign being joined (it reads ids and slugs alike).
              return reply.redirect(`/sign-up?wechat=signup${out.campaignId ? `&campaign=${out.campaignId}` : ''}`, 302);
          }
        } catch (err) {
          if (!(err instanceof AppError) || !/text\/html/.test(req.headers.accept ?? '')) throw err;
          // A page, not the JSON the schema describes: sent as-is (text/html is never serialised).
          return (reply as FastifyReply)
            .status(err.status)
            .header('content-type', 'text/html; charset=utf-8')
            .header('cache-control', 'no-store')
            .send(refusalPage(err.code, requestLocale(req)));
        }
      },
    );

    app.get(
      '/api/auth/wechat/pending',
      {
        schema: {
          tags: ['auth'],
          security: [],
          summary: 'The WeChat sign-up waiting in this browser (its nickname, to prefill the name)',
          description: 'Reads the `paike_wechat_signup` cookie; 404 `wechat.signup_expired` when there is none or it is over 15 minutes old.',
          response: { 200: wechatPendingReply, ...errors },
        },
      },
      async (req) => wechat().pending(req.cookies[WECHAT_SIGNUP_COOKIE]),
    );

    app.post(
      '/api/auth/wechat/sign-up',
      {
        config: limited,
        schema: {
          tags: ['auth'],
          security: [],
          summary: 'Finish signing up with WeChat: name and terms; joins the campaign the sign-in started from',
          description:
            'Needs the `paike_wechat_signup` cookie from the callback (single use, 15 minutes; else 404 `wechat.signup_expired`). `acceptTerms` must be true (400 `wechat.terms_required`). Refused whole if the campaign is full (409 `campaign.full`).',
          body: wechatSignUpBody,
          response: { 201: userReply.extend({ next: z.string().nullable() }), ...errors },
        },
      },
      async (req, reply) => {
        const out = await wechat().signUp(req.cookies[WECHAT_SIGNUP_COOKIE], { ...req.body, locale: req.body.locale ?? requestLocale(req) }, requestMeta(req));
        clearShortCookie(req, reply, WECHAT_SIGNUP_COOKIE);
        setSessionCookie(req, reply, out.signedIn.token, out.signedIn.session.expiresAt);
        return reply.status(201).send({ user: toMe(out.signedIn.user), next: out.next });
      },
    );

    app.get(
      '/api/me/wechat',
      { schema: { tags: ['me'], summary: 'My linked WeChat identities (openids are never shown)', response: { 200: wechatIdentitiesReply, ...errors } } },
      async (req) => {
        const user = requirePermission(req, 'account.self');
        return { identities: await wechat().list(user), available: wechat().available() };
      },
    );

    app.delete(
      '/api/me/wechat/:id',
      {
        schema: {
          tags: ['me'],
          summary: 'Unlink a WeChat identity',
          description:
            'Refused with 409 `wechat.last_sign_in` when the account would be left with no way to sign in (no email with a password, no phone, no other WeChat).',
          params: idParamSchema,
          response: { 204: z.null(), ...errors },
        },
      },
      async (req, reply) => {
        await wechat().unlink(requirePermission(req, 'account.self'), req.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}
