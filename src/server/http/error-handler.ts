import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError } from '../lib/errors.js';
import { translate, type MessageCode } from '../lib/messages.js';
import type { Locale } from '../../contracts/common.js';
import { requestLocale } from './locale.js';

/** Every error answer's body: `{error: {code, message, details?}}`, the message in `locale`. */
export function errorBody(code: MessageCode, locale: Locale, params: Record<string, unknown> = {}, details?: unknown) {
  return { error: { code, message: translate(code, locale, params), ...(details === undefined ? {} : { details }) } };
}

/** What an AppError answers: its status, Retry-After when it has one, and its body in `locale`. */
export function appErrorAnswer(err: AppError, locale: Locale): { status: number; headers: Record<string, string>; body: ReturnType<typeof errorBody> } {
  const wait = err.retryAfterSeconds;
  return { status: err.status, headers: wait === undefined ? {} : { 'retry-after': String(wait) }, body: errorBody(err.code, locale, err.params, err.details) };
}

export function sendError(
  req: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: MessageCode,
  params: Record<string, unknown> = {},
  details?: unknown,
) {
  return reply.status(status).send(errorBody(code, requestLocale(req), params, details));
}

/**
 * One place turns every failure into `{error: {code, message}}` in the request's language.
 * 5xx answers never carry internals; they are logged with the request id instead.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError | Error, req, reply) => {
    if (err instanceof AppError) {
      if (err.isFailure) req.log.error({ err: err.cause ?? err, code: err.code }, 'service failure');
      const answer = appErrorAnswer(err, requestLocale(req));
      return reply.status(answer.status).headers(answer.headers).send(answer.body);
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const issues = err.validation.map((v) => ({ path: v.instancePath || '/', message: v.message }));
      const detail = issues.map((i) => `${i.path} ${i.message}`).join('; ');
      return sendError(req, reply, 400, 'request.invalid', { detail }, issues);
    }
    if (isResponseSerializationError(err)) {
      req.log.error({ err }, 'response did not match its schema');
      return sendError(req, reply, 500, 'server.internal');
    }
    const fe = err as FastifyError;
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendError(req, reply, 413, 'request.too_large');
    if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return sendError(req, reply, 415, 'request.unsupported_media_type');
    if (fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (fe.statusCode === 400 && err instanceof SyntaxError)) {
      return sendError(req, reply, 400, 'request.malformed_json');
    }
    if (fe.statusCode === 429) return sendError(req, reply, 429, 'request.rate_limited', { seconds: Math.ceil(Number(reply.getHeader('retry-after') ?? 60)) });
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      return sendError(req, reply, fe.statusCode, 'request.invalid', { detail: fe.message });
    }
    req.log.error({ err }, 'unhandled error');
    return sendError(req, reply, 500, 'server.internal');
  });
}
