import webpush from 'web-push';
import type { Config } from '../../config.js';
import { AppError } from '../../lib/errors.js';

/** A browser's push subscription as PushSubscription.toJSON() gives it. */
export interface PushTarget {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/** What a notification carries (docs/notices.md, "Web Push"): small, shown as is by the service worker. */
export interface PushMessage {
  title: string;
  body: string;
  /** A path in the web app, opened when the notification is clicked. */
  url: string;
  /** The notice's id: the service worker tags the notification with it (one per notice). */
  tag: string;
}

/**
 * A push service's answer that is not a success. `gone` (404, 410): the subscription no longer
 * exists and is removed. `retryable`: 429, 5xx or no answer (network, timeout).
 */
export class PushSendError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly retryable: boolean,
    readonly gone: boolean,
  ) {
    super(message);
    this.name = 'PushSendError';
  }
}

export interface NoticePush {
  publicKey: string;
  /** Throws AppError('push.bad_endpoint') for an endpoint this server will not call. */
  checkEndpoint(endpoint: string): void;
  send(target: PushTarget, message: PushMessage): Promise<void>;
}

/** How long a push service keeps a message for an offline browser (RFC 8030 TTL): a day. */
const TTL_SECONDS = 24 * 3600;
const TIMEOUT_MS = 10_000;

function hostAllowed(host: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => (p.startsWith('*.') ? host.endsWith(p.slice(1)) && host.length > p.length - 1 : host === p));
}

/**
 * Web Push through the `web-push` library: it encrypts the payload (RFC 8291, aes128gcm) and
 * signs the VAPID JWT (RFC 8292); the request itself goes out with fetch, so a timeout and a
 * plain-http fake push service (tests, WEB_PUSH_ALLOW_HTTP) work the same way. Null when the
 * VAPID keys are not configured: push is off and the app does not offer it.
 */
export function createNoticePush(config: Config): NoticePush | null {
  if (!config.WEB_PUSH_PUBLIC_KEY || !config.WEB_PUSH_PRIVATE_KEY || !config.WEB_PUSH_SUBJECT) return null;
  const vapidDetails = { subject: config.WEB_PUSH_SUBJECT, publicKey: config.WEB_PUSH_PUBLIC_KEY, privateKey: config.WEB_PUSH_PRIVATE_KEY };
  const allowHttp = config.WEB_PUSH_ALLOW_HTTP && config.NODE_ENV !== 'production';

  function checkEndpoint(endpoint: string): void {
    let u: URL;
    try {
      u = new URL(endpoint);
    } catch {
      throw new AppError('push.bad_endpoint');
    }
    const schemeOk = u.protocol === 'https:' || (allowHttp && u.protocol === 'http:');
    // No credentials in the URL, and only the push services configured: the server calls this address.
    if (!schemeOk || u.username || u.password || !hostAllowed(u.hostname.toLowerCase(), config.WEB_PUSH_ENDPOINT_HOSTS))
      throw new AppError('push.bad_endpoint');
  }

  async function send(target: PushTarget, message: PushMessage): Promise<void> {
    checkEndpoint(target.endpoint);
    const req = webpush.generateRequestDetails(target, JSON.stringify(message), {
      vapidDetails,
      TTL: TTL_SECONDS,
      contentEncoding: 'aes128gcm',
      urgency: 'normal',
    });
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    let res: Response;
    try {
      res = await fetch(req.endpoint, {
        method: 'POST',
        headers,
        body: req.body ? new Uint8Array(req.body) : null,
        redirect: 'error',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      throw new PushSendError(`push service unreachable: ${err instanceof Error ? err.message : String(err)}`, null, true, false);
    }
    await res.body?.cancel().catch(() => {});
    if (res.status >= 200 && res.status < 300) return;
    const gone = res.status === 404 || res.status === 410;
    const retryable = res.status === 429 || res.status >= 500;
    throw new PushSendError(`push service answered ${res.status}`, res.status, retryable, gone);
  }

  return { publicKey: config.WEB_PUSH_PUBLIC_KEY, checkEndpoint, send };
}
