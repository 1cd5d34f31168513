import { createHmac, randomUUID } from 'node:crypto';
import {
  SMS_REQUEST_TIMEOUT_MS,
  SmsSendError,
  assertValidMessage,
  describeFetchError,
  sanitizeForMessage,
  type SmsDeps,
  type SmsMessage,
  type SmsProvider,
} from './sms.provider.js';

/**
 * Aliyun (Alibaba Cloud) Dysmsapi `SendSms`, API version 2017-05-25, signed with the RPC-style
 * signature v1 (HMAC-SHA1). Parameters go in a form-encoded POST body so the code stays out
 * of URLs.
 */
export const ALIYUN_DEFAULT_ENDPOINT = 'https://dysmsapi.aliyuncs.com/';
export const ALIYUN_SMS_API_VERSION = '2017-05-25';

export interface AliyunSmsOptions {
  accessKeyId: string;
  accessKeySecret: string;
  signName: string;
  templateCode: string;
  /** Defaults to {@link ALIYUN_DEFAULT_ENDPOINT}; tests point it at a fake. */
  endpoint?: string | undefined;
}

/** RFC 3986 percent-encoding as Aliyun specifies it (space → %20, * → %2A, ~ kept). */
export function aliyunPercentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Sorted, percent-encoded `k=v&…` of every parameter except `Signature`. */
export function aliyunCanonicalQuery(params: Record<string, string>): string {
  return Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort()
    .map((k) => `${aliyunPercentEncode(k)}=${aliyunPercentEncode(params[k] ?? '')}`)
    .join('&');
}

/** `METHOD&%2F&percentEncode(canonicalQuery)`. */
export function aliyunStringToSign(method: string, params: Record<string, string>): string {
  return `${method.toUpperCase()}&${aliyunPercentEncode('/')}&${aliyunPercentEncode(aliyunCanonicalQuery(params))}`;
}

/** Base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign)). */
export function signAliyunRpc(method: string, params: Record<string, string>, accessKeySecret: string): string {
  return createHmac('sha1', `${accessKeySecret}&`).update(aliyunStringToSign(method, params), 'utf8').digest('base64');
}

/** `yyyy-MM-ddTHH:mm:ssZ` in UTC. */
export function aliyunTimestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Mainland numbers without +86; international numbers with their country code but no +. */
export function toAliyunPhoneNumber(e164: string): string {
  return e164.startsWith('+86') ? e164.slice(3) : e164.replace(/^\+/, '');
}

const RETRYABLE_CODES = new Set(['isv.BUSINESS_LIMIT_CONTROL', 'isp.SYSTEM_ERROR', 'InternalError']);

/** Throttling and platform trouble are worth retrying; everything else will fail again. */
export function isRetryableAliyunCode(code: string): boolean {
  return RETRYABLE_CODES.has(code) || code.startsWith('Throttling') || code.startsWith('ServiceUnavailable');
}

export class AliyunSmsProvider implements SmsProvider {
  readonly name = 'aliyun' as const;
  readonly #opts: Readonly<AliyunSmsOptions> & { endpoint: string };
  readonly #fetch: typeof fetch;
  readonly #now: () => Date;

  constructor(opts: AliyunSmsOptions, deps: SmsDeps = {}) {
    this.#opts = Object.freeze({ ...opts, endpoint: opts.endpoint || ALIYUN_DEFAULT_ENDPOINT });
    this.#fetch = deps.fetch ?? globalThis.fetch;
    this.#now = deps.now ?? (() => new Date());
  }

  async send(msg: SmsMessage): Promise<void> {
    assertValidMessage(this.name, msg);
    const o = this.#opts;
    const fail = (text: string, retryable: boolean, extra?: { cause?: unknown; providerCode?: string }) =>
      new SmsSendError(`aliyun SendSms: ${sanitizeForMessage(text, { secrets: [o.accessKeySecret], msg })}`, retryable, extra);

    let body: string;
    try {
      const params: Record<string, string> = {
        AccessKeyId: o.accessKeyId,
        Action: 'SendSms',
        Format: 'JSON',
        PhoneNumbers: toAliyunPhoneNumber(msg.phone),
        RegionId: 'cn-hangzhou',
        SignName: o.signName,
        SignatureMethod: 'HMAC-SHA1',
        SignatureNonce: randomUUID(),
        SignatureVersion: '1.0',
        TemplateCode: o.templateCode,
        TemplateParam: JSON.stringify({ code: msg.code }),
        Timestamp: aliyunTimestamp(this.#now()),
        Version: ALIYUN_SMS_API_VERSION,
      };
      params.Signature = signAliyunRpc('POST', params, o.accessKeySecret);
      body = Object.entries(params)
        .map(([k, v]) => `${aliyunPercentEncode(k)}=${aliyunPercentEncode(v)}`)
        .join('&');
    } catch (err) {
      // Only a malformed setting (e.g. a lone surrogate in SMS_SIGN_NAME) can land here.
      throw fail(`could not build the request (${err instanceof Error ? err.name : 'error'})`, false);
    }

    let res: Response;
    let text: string;
    try {
      res = await this.#fetch(o.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        signal: AbortSignal.timeout(SMS_REQUEST_TIMEOUT_MS),
      });
      text = await res.text();
    } catch (err) {
      throw fail(`request failed (${describeFetchError(err)})`, true, { cause: err });
    }

    let data: { Code?: unknown; Message?: unknown; RequestId?: unknown } | undefined;
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object') data = parsed as typeof data;
    } catch {
      data = undefined;
    }
    const code = typeof data?.Code === 'string' ? data.Code : undefined;
    if (res.ok && code === 'OK') return;

    const serverError = res.status >= 500;
    const detail = [
      `HTTP ${res.status}`,
      code ?? 'no error code in response',
      typeof data?.RequestId === 'string' ? `RequestId ${data.RequestId}` : undefined,
      // Last: sanitizing cuts anything after an echoed string-to-sign.
      typeof data?.Message === 'string' ? data.Message : undefined,
    ]
      .filter(Boolean)
      .join(', ');
    throw fail(detail, serverError || (code !== undefined && isRetryableAliyunCode(code)), {
      ...(code ? { providerCode: code } : {}),
    });
  }
}
