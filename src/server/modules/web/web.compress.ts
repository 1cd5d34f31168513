import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';

const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** Below about one packet, compression saves nothing a client would notice and costs a zlib call. */
export const COMPRESS_THRESHOLD = 1024;

/** Text worth compressing: HTML, JSON, XML (RSS, sitemap), plain text, SVG. */
const COMPRESSIBLE = /^(?:text\/(?!event-stream)|application\/(?:[\w.+-]+\+)?(?:json|xml)|image\/svg\+xml)/i;

export type Encoding = 'br' | 'gzip';

/**
 * The encoding to answer in: brotli when the client takes it, else gzip, else none. The server's
 * preference wins over the client's q-values among acceptable ones (brotli is smaller for the
 * same work); `q=0` refuses, `*` accepts both.
 */
export function negotiateEncoding(header: string | string[] | undefined): Encoding | null {
  const raw = Array.isArray(header) ? header.join(',') : header;
  if (!raw) return null;
  const q = new Map<string, number>();
  for (const part of raw.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const qp = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qp ? Number(qp.slice(2)) : 1;
    if (name) q.set(name, Number.isNaN(value) ? 0 : value);
  }
  const ok = (name: Encoding) => (q.get(name) ?? q.get('*') ?? 0) > 0;
  if (ok('br')) return 'br';
  if (ok('gzip')) return 'gzip';
  return null;
}

/** Adds a name to a Vary header once, keeping what a route set. */
export function addVary(reply: FastifyReply, ...names: string[]): void {
  const current = reply.getHeader('vary');
  const list = (Array.isArray(current) ? current.join(',') : String(current ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.includes('*')) return;
  for (const n of names) if (!list.some((v) => v.toLowerCase() === n.toLowerCase())) list.push(n);
  reply.header('vary', list.join(', '));
}

/** A request URL's path, without its query. */
export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/**
 * Compresses a route's answer when it is a complete body in memory (a string or Buffer) of
 * compressible text over the threshold. Everything streamed is left alone by construction:
 * media files and their byte ranges (a stream, and video is compressed already), static files
 * (precompressed at build time and streamed by @fastify/static), and hijacked answers (tus
 * uploads, server-sent events) never reach an onSend hook. Brotli at quality 5: most of its
 * gain over gzip at a few milliseconds for a 100 KB JSON answer (quality 11 is for the build).
 */
export async function compressOnSend(req: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload;
  if (reply.getHeader('content-encoding') || reply.getHeader('content-range')) return payload;
  if (reply.statusCode === 204 || reply.statusCode === 206 || reply.statusCode === 304) return payload;
  if (pathOf(req.raw.url ?? '/').startsWith('/api/media/')) return payload;
  const type = String(reply.getHeader('content-type') ?? '');
  if (!COMPRESSIBLE.test(type)) return payload;
  // Whether this address is compressed depends on the request's Accept-Encoding, even when
  // this particular answer is small: a cache must not hand a gzip body to a client without it.
  addVary(reply, 'Accept-Encoding');
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  if (size < COMPRESS_THRESHOLD) return payload;
  const encoding = negotiateEncoding(req.headers['accept-encoding']);
  if (!encoding) return payload;
  const body =
    encoding === 'br'
      ? await brotliAsync(payload, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: 5,
            [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
            [constants.BROTLI_PARAM_SIZE_HINT]: size,
          },
        })
      : await gzipAsync(payload, { level: 6 });
  reply.header('content-encoding', encoding);
  reply.removeHeader('content-length');
  return body;
}

/**
 * API answers carry a user's data more often than not: unless a route chose its own policy
 * (public feeds, charts, media, playlists), nothing between the server and the user may store
 * them, and the browser may not reuse them either.
 */
export async function apiCacheOnSend(req: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  const p = pathOf(req.raw.url ?? '/');
  if ((p.startsWith('/api/') || p === '/healthz') && !reply.getHeader('cache-control')) reply.header('cache-control', 'private, no-store');
  return payload;
}
