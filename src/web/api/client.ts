import { currentLocale, i18next } from '../i18n/index.js';

export interface ApiIssue {
  path: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  constructor(opts: { status: number; code: string; message: string; details?: unknown }) {
    super(opts.message);
    this.status = opts.status;
    this.code = opts.code;
    this.details = opts.details;
  }

  /** Field-level problems, when the server sends them (zod issues or a {path,message} list). */
  issues(): ApiIssue[] {
    const d = this.details as unknown;
    const list = Array.isArray(d)
      ? d
      : d && typeof d === 'object' && Array.isArray((d as { issues?: unknown }).issues)
        ? (d as { issues: unknown[] }).issues
        : [];
    return list.flatMap((it) => {
      if (!it || typeof it !== 'object') return [];
      const { path, message } = it as { path?: unknown; message?: unknown };
      if (typeof message !== 'string') return [];
      // zod paths are arrays; Fastify's validation errors use JSON-pointer strings ("/rules/grades/0").
      const p = Array.isArray(path) ? path.join('.') : typeof path === 'string' ? path.replace(/^\/+/, '').replace(/\//g, '.') : '';
      return [{ path: p, message }];
    });
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export async function api<T>(path: string, opts: { method?: Method; body?: unknown; headers?: Record<string, string> } = {}): Promise<T> {
  const headers: Record<string, string> = {
    accept: 'application/json',
    'accept-language': currentLocale(),
    ...opts.headers,
  };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method: opts.method ?? 'GET',
      headers,
      credentials: 'same-origin',
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
  } catch {
    throw new ApiError({ status: 0, code: 'network', message: i18next.t('common.network') });
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    // A proxy's HTML error page, say: fall back to the generic message below.
  }
  if (!res.ok) {
    const err = (data as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
    throw new ApiError({
      status: res.status,
      code: typeof err?.code === 'string' ? err.code : `http.${res.status}`,
      message: typeof err?.message === 'string' && err.message ? err.message : i18next.t('common.error'),
      details: err?.details,
    });
  }
  return data as T;
}

export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  return i18next.t('common.error');
}
