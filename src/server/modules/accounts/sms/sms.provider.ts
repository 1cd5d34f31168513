import type { Config } from '../../../config.js';
import { AliyunSmsProvider } from './aliyun.sms.js';
import { ConsoleSmsProvider } from './console.sms.js';
import { TencentSmsProvider } from './tencent.sms.js';

/** One sign-in code to one phone. */
export interface SmsMessage {
  /** E.164, e.g. +8613800138000. */
  phone: string;
  /** Six digits. */
  code: string;
  locale: 'zh-CN' | 'en';
}

export interface SmsProvider {
  readonly name: 'console' | 'aliyun' | 'tencent';
  /** Resolves once the platform accepted the message; otherwise throws {@link SmsSendError}. */
  send(msg: SmsMessage): Promise<void>;
}

/**
 * A message was not sent. `retryable` says whether the same message may succeed later
 * (throttling, platform outage, network trouble) or will fail again (bad number, bad
 * credentials, unapproved signature or template). `providerCode` is the platform's own
 * error code when it gave one (e.g. `isv.MOBILE_NUMBER_ILLEGAL`).
 *
 * Messages never contain access-key secrets, and the code being sent is masked out of them.
 */
export class SmsSendError extends Error {
  readonly providerCode: string | undefined;
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown; providerCode?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SmsSendError';
    this.providerCode = options?.providerCode;
  }
}

export type SmsConfig = Pick<
  Config,
  | 'SMS_PROVIDER'
  | 'SMS_SIGN_NAME'
  | 'SMS_TEMPLATE_CODE'
  | 'ALIYUN_ACCESS_KEY_ID'
  | 'ALIYUN_ACCESS_KEY_SECRET'
  | 'ALIYUN_SMS_ENDPOINT'
  | 'TENCENT_SECRET_ID'
  | 'TENCENT_SECRET_KEY'
  | 'TENCENT_SMS_APP_ID'
  | 'TENCENT_SMS_REGION'
  | 'TENCENT_SMS_ENDPOINT'
>;

export interface SmsDeps {
  fetch?: typeof fetch;
  /** Receives one line without a trailing newline (console provider). Default: stdout. */
  log?: (line: string) => void;
  /** Clock for request timestamps. */
  now?: () => Date;
}

/** Each request to a platform is abandoned after this long (and reported as retryable). */
export const SMS_REQUEST_TIMEOUT_MS = 10_000;

/** Picks and builds the provider named by SMS_PROVIDER. Throws if its settings are missing. */
export function createSmsProvider(config: SmsConfig, deps: SmsDeps = {}): SmsProvider {
  switch (config.SMS_PROVIDER) {
    case 'console':
      return new ConsoleSmsProvider(deps);
    case 'aliyun': {
      const { ALIYUN_ACCESS_KEY_ID, ALIYUN_ACCESS_KEY_SECRET, SMS_SIGN_NAME, SMS_TEMPLATE_CODE } = config;
      if (!ALIYUN_ACCESS_KEY_ID || !ALIYUN_ACCESS_KEY_SECRET || !SMS_SIGN_NAME || !SMS_TEMPLATE_CODE) {
        throw new Error('SMS_PROVIDER=aliyun: ALIYUN_ACCESS_KEY_ID, ALIYUN_ACCESS_KEY_SECRET, SMS_SIGN_NAME and SMS_TEMPLATE_CODE are required');
      }
      return new AliyunSmsProvider(
        {
          accessKeyId: ALIYUN_ACCESS_KEY_ID,
          accessKeySecret: ALIYUN_ACCESS_KEY_SECRET,
          signName: SMS_SIGN_NAME,
          templateCode: SMS_TEMPLATE_CODE,
          endpoint: config.ALIYUN_SMS_ENDPOINT,
        },
        deps,
      );
    }
    case 'tencent': {
      const { TENCENT_SECRET_ID, TENCENT_SECRET_KEY, TENCENT_SMS_APP_ID, SMS_SIGN_NAME, SMS_TEMPLATE_CODE } = config;
      if (!TENCENT_SECRET_ID || !TENCENT_SECRET_KEY || !TENCENT_SMS_APP_ID || !SMS_SIGN_NAME || !SMS_TEMPLATE_CODE) {
        throw new Error('SMS_PROVIDER=tencent: TENCENT_SECRET_ID, TENCENT_SECRET_KEY, TENCENT_SMS_APP_ID, SMS_SIGN_NAME and SMS_TEMPLATE_CODE are required');
      }
      return new TencentSmsProvider(
        {
          secretId: TENCENT_SECRET_ID,
          secretKey: TENCENT_SECRET_KEY,
          appId: TENCENT_SMS_APP_ID,
          signName: SMS_SIGN_NAME,
          templateId: SMS_TEMPLATE_CODE,
          region: config.TENCENT_SMS_REGION || 'ap-guangzhou',
          endpoint: config.TENCENT_SMS_ENDPOINT,
        },
        deps,
      );
    }
    default: {
      const never: never = config.SMS_PROVIDER;
      throw new Error(`Unknown SMS_PROVIDER ${String(never)}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers shared by the adapters (used only inside functions, so the import cycle with the
// adapter modules is harmless).

const E164 = /^\+[1-9]\d{6,14}$/;
const CODE = /^\d{6}$/;

/** Rejects a malformed message before anything is sent (non-retryable). */
export function assertValidMessage(provider: SmsProvider['name'], msg: SmsMessage): void {
  if (typeof msg.phone !== 'string' || !E164.test(msg.phone)) {
    throw new SmsSendError(`${provider}: phone number is not in E.164 form (+<country><number>)`, false, {
      providerCode: 'paike.invalid_phone',
    });
  }
  if (typeof msg.code !== 'string' || !CODE.test(msg.code)) {
    throw new SmsSendError(`${provider}: code must be six digits`, false, { providerCode: 'paike.invalid_code' });
  }
}

/** `+8613800138000` → `+86138****8000`: enough to tell numbers apart in a log, not to dial one. */
export function maskPhone(phone: string): string {
  const plus = phone.startsWith('+') ? '+' : '';
  const digits = plus ? phone.slice(1) : phone;
  const n = digits.length;
  if (n < 6) return plus + '*'.repeat(n);
  const tail = n >= 10 ? 4 : 2;
  const head = Math.min(5, Math.max(1, n - tail - 4));
  return plus + digits.slice(0, head) + '*'.repeat(n - head - tail) + digits.slice(n - tail);
}

/**
 * Makes platform text safe for an error message: removes secrets, the code and the full
 * number, drops any echoed string-to-sign (Aliyun quotes it, with the code inside), and caps it.
 */
export function sanitizeForMessage(text: string, hide: { secrets: string[]; msg: SmsMessage }): string {
  let out = text.replace(/\s*(server )?string\s*to\s*sign[\s\S]*$/i, ' [string-to-sign omitted]');
  for (const s of hide.secrets) if (s) out = out.split(s).join('[redacted]');
  if (hide.msg.code) out = out.split(hide.msg.code).join('******');
  if (hide.msg.phone) {
    out = out.split(hide.msg.phone).join(maskPhone(hide.msg.phone));
    const bare = hide.msg.phone.replace(/^\+(86)?/, '');
    if (bare.length >= 6) out = out.split(bare).join(maskPhone(bare));
  }
  return out.length > 300 ? `${out.slice(0, 300)}…` : out;
}

/** A short, secret-free description of a fetch failure. */
export function describeFetchError(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError') return `timed out after ${SMS_REQUEST_TIMEOUT_MS / 1000} s`;
    if (err.name === 'AbortError') return 'aborted';
    const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
    if (cause && typeof cause.code === 'string') return `${err.message}: ${cause.code}`;
    return err.message;
  }
  return String(err);
}
