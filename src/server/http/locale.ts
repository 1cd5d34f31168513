import type { FastifyRequest } from 'fastify';
import type { Locale } from '../../contracts/common.js';
import { localeFromAcceptLanguage } from '../lib/messages.js';

/** The request's language: what the browser asks for, else the signed-in user's, else Chinese. */
export function requestLocale(req: FastifyRequest): Locale {
  return localeFromAcceptLanguage(req.headers['accept-language']) ?? req.user?.locale ?? 'zh-CN';
}
