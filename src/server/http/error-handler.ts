import type { Socket } from 'node:net';
import type { ConnectionError, FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError } from '../lib/errors.js';
import { UnsafeStorageKeyError } from '../lib/storage.js';
import { localeFromAcceptLanguage, translate, type MessageCode } from '../lib/messages.js';
import type { Locale } from '../../contracts/common.js';
import { requestLocale } from './locale.js';
import { securityHeaderLines } from './security-headers.js';

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
    // A key the storage guard refused names no file we keep (`hls/..`): the address does not exist.
    if (err instanceof UnsafeStorageKeyError) return sendError(req, reply, 404, 'request.not_found');
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
    if (fe.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') return sendError(req, reply, 400, 'request.malformed');
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendError(req, reply, 413, 'request.too_large');
    if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return sendError(req, reply, 415, 'request.unsupported_media_type');
    if (fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (fe.statusCode === 400 && err instanceof SyntaxError)) {
      return sendError(req, reply, 400, 'request.malformed_json');
    }
    if (fe.statusCode === 416) {
      // @fastify/static's refusal of a range past the end of a file; keep its Content-Range.
      const range = (err as { headers?: Record<string, string> }).headers?.['Content-Range'];
      if (range) reply.header('content-range', range);
      return sendError(req, reply, 416, 'request.range_not_satisfiable');
    }
    if (fe.statusCode === 429) return sendError(req, reply, 429, 'request.rate_limited', { seconds: Math.ceil(Number(reply.getHeader('retry-after') ?? 60)) });
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      return sendError(req, reply, fe.statusCode, 'request.invalid', { detail: fe.message });
    }
    req.log.error({ err }, 'unhandled error');
    return sendError(req, reply, 500, 'server.internal');
  });
}

/**
 * Fastify's own refusals before a route is found (`frameworkErrors`): a path that is not valid
 * percent-encoded UTF-8 (a lone surrogate encoded as CESU-8 bytes lands here), a path parameter
 * longer than the router keeps (414), a failing route constraint.
 */
export function frameworkErrorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  if (err.code === 'FST_ERR_BAD_URL') return sendError(req, reply, 400, 'request.malformed_url');
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') return sendError(req, reply, 414, 'request.uri_too_long');
  req.log.error({ err }, 'router error');
  return sendError(req, reply, 500, 'server.internal');
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/**
 * Requests Node's HTTP parser cannot read (`clientError`: headers over the limit, a malformed
 * request line, a timeout) never reach Fastify. The answer is written straight to the socket,
 * still as `{error: {code, message}}` with the security headers, in the language the
 * unreadable request asked for when its Accept-Language can be picked out of the raw bytes.
 */
export function clientErrorHandler(this: { log: FastifyBaseLogger }, error: ConnectionError, socket: Socket): void {
  // Node's own error: a code, and the bytes it could not parse.
  const err = error as unknown as NodeJS.ErrnoException & { rawPacket?: Buffer };
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code]: [number, MessageCode] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'request.headers_too_large']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'request.timeout']
        : [400, 'request.malformed'];
  this.log.debug({ err: { code: err.code, message: err.message } }, 'client error');
  const raw = Buffer.isBuffer(err.rawPacket) ? err.rawPacket.subarray(0, 16 * 1024).toString('latin1') : '';
  const locale = localeFromAcceptLanguage(/\r\naccept-language:([^\r\n]*)/i.exec(raw)?.[1]?.trim()) ?? 'zh-CN';
  const body = JSON.stringify(errorBody(code, locale));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nconnection: close\r\ncontent-type: application/json; charset=utf-8\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\n${securityHeaderLines()}\r\n${body}`,
    );
  }
  socket.destroy(err);
}
