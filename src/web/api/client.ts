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
  return reply<T>(res.status, await res.text());
}

/** A reply's JSON, or the ApiError its status and error body say. */
function reply<T>(status: number, text: string): T {
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    // A proxy's HTML error page, say: fall back to the generic message below.
  }
  if (status < 200 || status >= 300) {
    const err = (data as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
    throw new ApiError({
      status,
      code: typeof err?.code === 'string' ? err.code : `http.${status}`,
      message: typeof err?.message === 'string' && err.message ? err.message : i18next.t('common.error'),
      details: err?.details,
    });
  }
  return data as T;
}

/**
 * A file sent as the raw body with upload progress (fetch reports none, so XMLHttpRequest),
 * answered as `api` answers: the reply's JSON, or an ApiError.
 */
export function uploadWithProgress<T>(path: string, file: Blob, contentType: string, onProgress: (fraction: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('content-type', contentType);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.setRequestHeader('accept-language', currentLocale());
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onerror = () => reject(new ApiError({ status: 0, code: 'network', message: i18next.t('common.network') }));
    xhr.onload = () => {
      try {
        resolve(reply<T>(xhr.status, xhr.responseText));
      } catch (err) {
        reject(err as Error);
      }
    };
    xhr.send(file);
  });
}

export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  return i18next.t('common.error');
}
