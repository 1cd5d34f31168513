import { ChannelError } from './channel.js';

/** What every adapter is built with: where the platform is (a local fake in tests) and how to reach it. */
export interface AdapterOptions {
  /** The platform's API root, without a trailing slash (e.g. https://api.weixin.qq.com). */
  baseUrl: string;
  /** Per-request timeout; uploads get `uploadTimeoutMs`. */
  timeoutMs?: number;
  uploadTimeoutMs?: number;
  fetch?: typeof fetch;
  now?: () => Date;
}

export interface ChannelRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path under baseUrl, with its query string. */
  path: string;
  query?: Record<string, string | number | undefined>;
  headers?: Record<string, string>;
  json?: unknown;
  form?: FormData;
  /** Form-urlencoded body. */
  urlencoded?: Record<string, string>;
  body?: Uint8Array;
  upload?: boolean;
}

/**
 * One HTTP call to a platform, returning the parsed JSON body and status. Network failures and
 * 5xx are `transient`, 429 is `rate_limited` (with Retry-After); everything else is returned for
 * the adapter to read, since platforms put their real error codes in 200 bodies.
 * Tokens travel in the query string on several platforms: the URL is never put in an error.
 */
export async function callPlatform(opts: AdapterOptions, req: ChannelRequest): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const url = new URL(opts.baseUrl + req.path);
  for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
  const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
  let body: RequestInit['body'];
  if (req.json !== undefined) {
    headers['content-type'] = 'application/json; charset=utf-8';
    body = JSON.stringify(req.json);
  } else if (req.form) body = req.form;
  else if (req.urlencoded) body = new URLSearchParams(req.urlencoded);
  else if (req.body) body = req.body;
  const timeout = req.upload ? (opts.uploadTimeoutMs ?? 300_000) : (opts.timeoutMs ?? 15_000);
  let res: Response;
  try {
    res = await (opts.fetch ?? fetch)(url, { method: req.method ?? (body ? 'POST' : 'GET'), headers, body, signal: AbortSignal.timeout(timeout) });
  } catch (err) {
    const reason = err instanceof Error && err.name === 'TimeoutError' ? `timed out after ${timeout} ms` : 'could not connect';
    throw new ChannelError('transient', `${url.host}${url.pathname}: ${reason}`);
  }
  const text = await res.text();
  if (res.status === 429) {
    const after = Number(res.headers.get('retry-after'));
    throw new ChannelError('rate_limited', `${url.pathname}: HTTP 429`, { retryAfterSeconds: Number.isFinite(after) && after > 0 ? after : undefined });
  }
  if (res.status >= 500) throw new ChannelError('transient', `${url.pathname}: HTTP ${res.status}`);
  let parsed: Record<string, unknown> = {};
  if (text) {
    try {
      const value: unknown = JSON.parse(text);
      parsed = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : { value };
    } catch {
      throw new ChannelError('transient', `${url.pathname}: HTTP ${res.status} with a body that is not JSON`);
    }
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** A readable file as a Blob for multipart uploads, read in `[start, end)`. */
export async function fileBlob(path: string, mime: string, range?: { start: number; end: number }): Promise<Blob> {
  const { openAsBlob } = await import('node:fs');
  const blob = await openAsBlob(path, { type: mime });
  return range ? blob.slice(range.start, range.end, mime) : blob;
}
