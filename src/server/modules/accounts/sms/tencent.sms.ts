import { createHash, createHmac } from 'node:crypto';
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
 * Tencent Cloud SMS `SendSms`, API 3.0 version 2021-01-11: a JSON POST signed with
 * TC3-HMAC-SHA256 over the `content-type` and `host` headers.
 */
export const TENCENT_DEFAULT_ENDPOINT = 'https://sms.tencentcloudapi.com/';
export const TENCENT_SMS_API_VERSION = '2021-01-11';
const SERVICE = 'sms';
const CONTENT_TYPE = 'application/json; charset=utf-8';

export interface TencentSmsOptions {
  secretId: string;
  secretKey: string;
  /** SmsSdkAppId. */
  appId: string;
  signName: string;
  templateId: string;
  region: string;
  /** Defaults to {@link TENCENT_DEFAULT_ENDPOINT}; tests point it at a fake. */
  endpoint?: string | undefined;
}

export interface Tc3Input {
  secretId: string;
  secretKey: string;
  service: string;
  /** Value of the Host header as sent (with the port when it is not the default). */
  host: string;
  contentType: string;
  payload: string;
  /** Unix seconds, as sent in X-TC-Timestamp. */
  timestamp: number;
}

export interface Tc3Signature {
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
  authorization: string;
}

const sha256hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: string | Buffer, s: string) => createHmac('sha256', key).update(s, 'utf8').digest();

/** TC3-HMAC-SHA256 for a POST to `/` with signed headers `content-type;host`. */
export function signTc3(input: Tc3Input): Tc3Signature {
  const date = new Date(input.timestamp * 1000).toISOString().slice(0, 10); // UTC date of the timestamp
  const signedHeaders = 'content-type;host';
  const canonicalRequest = [
    'POST',
    '/',
    '',
    `content-type:${input.contentType.trim().toLowerCase()}\nhost:${input.host.trim().toLowerCase()}\n`,
    signedHeaders,
    sha256hex(input.payload),
  ].join('\n');
  const credentialScope = `${date}/${input.service}/tc3_request`;
  const stringToSign = ['TC3-HMAC-SHA256', String(input.timestamp), credentialScope, sha256hex(canonicalRequest)].join('\n');
  const secretDate = hmac(`TC3${input.secretKey}`, date);
  const secretService = hmac(secretDate, input.service);
  const secretSigning = hmac(secretService, 'tc3_request');
  const signature = createHmac('sha256', secretSigning).update(stringToSign, 'utf8').digest('hex');
  const authorization = `TC3-HMAC-SHA256 Credential=${input.secretId}/${credentialScope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return { canonicalRequest, stringToSign, signature, authorization };
}

/** Rate limits and platform trouble are worth retrying; everything else will fail again. */
export function isRetryableTencentCode(code: string): boolean {
  return (
    code.startsWith('LimitExceeded.') ||
    code === 'InternalError' ||
    code.startsWith('InternalError.') ||
    code === 'RequestLimitExceeded' ||
    code.startsWith('RequestLimitExceeded.')
  );
}

interface TencentBody {
  Response?: {
    Error?: { Code?: unknown; Message?: unknown };
    SendStatusSet?: { Code?: unknown; Message?: unknown }[];
    RequestId?: unknown;
  };
}

export class TencentSmsProvider implements SmsProvider {
  readonly name = 'tencent' as const;
  readonly #opts: Readonly<TencentSmsOptions> & { endpoint: string };
  readonly #fetch: typeof fetch;
  readonly #now: () => Date;

  constructor(opts: TencentSmsOptions, deps: SmsDeps = {}) {
    this.#opts = Object.freeze({ ...opts, endpoint: opts.endpoint || TENCENT_DEFAULT_ENDPOINT });
    this.#fetch = deps.fetch ?? globalThis.fetch;
    this.#now = deps.now ?? (() => new Date());
  }

  async send(msg: SmsMessage): Promise<void> {
    assertValidMessage(this.name, msg);
    const o = this.#opts;
    const fail = (text: string, retryable: boolean, extra?: { cause?: unknown; providerCode?: string }) =>
      new SmsSendError(`tencent SendSms: ${sanitizeForMessage(text, { secrets: [o.secretKey], msg })}`, retryable, extra);

    let url: URL;
    try {
      url = new URL(o.endpoint);
    } catch {
      throw fail('TENCENT_SMS_ENDPOINT is not a URL', false);
    }
    const payload = JSON.stringify({
      PhoneNumberSet: [msg.phone],
      SmsSdkAppId: o.appId,
      SignName: o.signName,
      TemplateId: o.templateId,
      TemplateParamSet: [msg.code],
    });
    const timestamp = Math.floor(this.#now().getTime() / 1000);
    const { authorization } = signTc3({
      secretId: o.secretId,
      secretKey: o.secretKey,
      service: SERVICE,
      host: url.host, // what fetch sends as Host
      contentType: CONTENT_TYPE,
      payload,
      timestamp,
    });

    let res: Response;
    let text: string;
    try {
      res = await this.#fetch(url, {
        method: 'POST',
        headers: {
          Authorization: authorization,
          'Content-Type': CONTENT_TYPE,
          'X-TC-Action': 'SendSms',
          'X-TC-Version': TENCENT_SMS_API_VERSION,
          'X-TC-Timestamp': String(timestamp),
          'X-TC-Region': o.region,
        },
        body: payload,
        signal: AbortSignal.timeout(SMS_REQUEST_TIMEOUT_MS),
      });
      text = await res.text();
    } catch (err) {
      throw fail(`request failed (${describeFetchError(err)})`, true, { cause: err });
    }

    let data: TencentBody | undefined;
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object') data = parsed as TencentBody;
    } catch {
      data = undefined;
    }
    const r = data?.Response;
    const requestId = typeof r?.RequestId === 'string' ? `RequestId ${r.RequestId}` : undefined;
    const serverError = res.status >= 500;

    // Request-level failure (credentials, signature, rate limits, parameters).
    const error = r?.Error;
    if (error) {
      const code = typeof error.Code === 'string' ? error.Code : undefined;
      const message = typeof error.Message === 'string' ? error.Message : undefined;
      throw fail(
        [`HTTP ${res.status}`, code ?? 'no error code', requestId, message].filter(Boolean).join(', '),
        serverError || (code !== undefined && isRetryableTencentCode(code)),
        code ? { providerCode: code } : undefined,
      );
    }

    // Per-number result: we send to exactly one number.
    const status = Array.isArray(r?.SendStatusSet) ? r.SendStatusSet[0] : undefined;
    const code = typeof status?.Code === 'string' ? status.Code : undefined;
    if (res.ok && code === 'Ok') return;
    if (code !== undefined) {
      const message = typeof status?.Message === 'string' ? status.Message : undefined;
      throw fail([`HTTP ${res.status}`, code, requestId, message].filter(Boolean).join(', '), serverError || isRetryableTencentCode(code), {
        providerCode: code,
      });
    }
    throw fail(`HTTP ${res.status}, unexpected response`, serverError);
  }
}
