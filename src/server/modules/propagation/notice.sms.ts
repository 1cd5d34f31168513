import { randomUUID } from 'node:crypto';
import type { Config } from '../../config.js';
import {
  ALIYUN_DEFAULT_ENDPOINT,
  ALIYUN_SMS_API_VERSION,
  aliyunPercentEncode,
  aliyunTimestamp,
  isRetryableAliyunCode,
  signAliyunRpc,
  toAliyunPhoneNumber,
} from '../accounts/sms/aliyun.sms.js';
import { SMS_REQUEST_TIMEOUT_MS, SmsSendError, describeFetchError, maskPhone } from '../accounts/sms/sms.provider.js';
import { TENCENT_DEFAULT_ENDPOINT, TENCENT_SMS_API_VERSION, isRetryableTencentCode, signTc3 } from '../accounts/sms/tencent.sms.js';

/**
 * Notices by text message. The accounts module's SmsProvider sends one thing: a six-digit
 * sign-in code through the verification template (its only template parameter is the code).
 * A notice needs a notification template of its own, approved by the platform, with one
 * variable for what happened, e.g. on Aliyun `你的拍客作品${event}，打开拍客看看吧。` and on
 * Tencent `你的拍客作品{1}，打开拍客看看吧。`. These adapters reuse the accounts module's
 * signing code and credentials and send that template (SMS_NOTICE_TEMPLATE_CODE, and
 * SMS_NOTICE_TEMPLATE_CODE_EN for English-speaking contributors when set).
 */
export interface NoticeSmsMessage {
  /** E.164. */
  phone: string;
  locale: 'zh-CN' | 'en';
  /** What happened, short (platforms cap a variable's length): "传播量突破 10 万". */
  event: string;
}

export interface NoticeSms {
  readonly name: 'aliyun' | 'tencent';
  /** Resolves once the platform accepted the message; otherwise throws SmsSendError (with `retryable`). */
  send(msg: NoticeSmsMessage): Promise<void>;
}

export type NoticeSmsConfig = Pick<
  Config,
  | 'SMS_PROVIDER'
  | 'SMS_SIGN_NAME'
  | 'SMS_NOTICE_TEMPLATE_CODE'
  | 'SMS_NOTICE_TEMPLATE_CODE_EN'
  | 'ALIYUN_ACCESS_KEY_ID'
  | 'ALIYUN_ACCESS_KEY_SECRET'
  | 'ALIYUN_SMS_ENDPOINT'
  | 'TENCENT_SECRET_ID'
  | 'TENCENT_SECRET_KEY'
  | 'TENCENT_SMS_APP_ID'
  | 'TENCENT_SMS_REGION'
  | 'TENCENT_SMS_ENDPOINT'
>;

export interface NoticeSmsDeps {
  fetch?: typeof fetch;
  now?: () => Date;
}

const E164 = /^\+[1-9]\d{6,14}$/;

/** The notice SMS adapter for the configured platform, or null (console provider, or no notice template). */
export function createNoticeSms(config: NoticeSmsConfig, deps: NoticeSmsDeps = {}): NoticeSms | null {
  if (config.SMS_PROVIDER === 'console' || !config.SMS_NOTICE_TEMPLATE_CODE || !config.SMS_SIGN_NAME) return null;
  const doFetch = deps.fetch ?? globalThis.fetch;
  const now = deps.now ?? (() => new Date());
  const templates = { 'zh-CN': config.SMS_NOTICE_TEMPLATE_CODE, en: config.SMS_NOTICE_TEMPLATE_CODE_EN ?? config.SMS_NOTICE_TEMPLATE_CODE };
  const signName = config.SMS_SIGN_NAME;
  const provider = config.SMS_PROVIDER;

  /** Posts, reads the body as JSON; network trouble and 5xx are retryable. Messages carry no secret and no full number. */
  async function post(msg: NoticeSmsMessage, url: string, init: RequestInit, secret: string) {
    const fail = (text: string, retryable: boolean, providerCode?: string) =>
      new SmsSendError(`${provider} notice SendSms to ${maskPhone(msg.phone)}: ${text.split(secret).join('[redacted]').slice(0, 300)}`, retryable, {
        ...(providerCode ? { providerCode } : {}),
      });
    let res: Response;
    let text: string;
    try {
      res = await doFetch(url, { ...init, signal: AbortSignal.timeout(SMS_REQUEST_TIMEOUT_MS) });
      text = await res.text();
    } catch (err) {
      throw fail(`request failed (${describeFetchError(err)})`, true);
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
    return { res, data: (data && typeof data === 'object' ? data : {}) as Record<string, unknown>, fail };
  }

  function check(msg: NoticeSmsMessage): void {
    if (!E164.test(msg.phone)) throw new SmsSendError(`${provider} notice: phone number is not in E.164 form`, false, { providerCode: 'paike.invalid_phone' });
  }

  if (provider === 'aliyun') {
    const id = config.ALIYUN_ACCESS_KEY_ID ?? '';
    const secret = config.ALIYUN_ACCESS_KEY_SECRET ?? '';
    const endpoint = config.ALIYUN_SMS_ENDPOINT || ALIYUN_DEFAULT_ENDPOINT;
    return {
      name: 'aliyun',
      async send(msg) {
        check(msg);
        const params: Record<string, string> = {
          AccessKeyId: id,
          Action: 'SendSms',
          Format: 'JSON',
          PhoneNumbers: toAliyunPhoneNumber(msg.phone),
          RegionId: 'cn-hangzhou',
          SignName: signName,
          SignatureMethod: 'HMAC-SHA1',
          SignatureNonce: randomUUID(),
          SignatureVersion: '1.0',
          TemplateCode: templates[msg.locale],
          TemplateParam: JSON.stringify({ event: msg.event }),
          Timestamp: aliyunTimestamp(now()),
          Version: ALIYUN_SMS_API_VERSION,
        };
        params.Signature = signAliyunRpc('POST', params, secret);
        const body = Object.entries(params)
          .map(([k, v]) => `${aliyunPercentEncode(k)}=${aliyunPercentEncode(v)}`)
          .join('&');
        const { res, data, fail } = await post(
          msg,
          endpoint,
          { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body },
          secret,
        );
        const code = typeof data.Code === 'string' ? data.Code : undefined;
        if (res.ok && code === 'OK') return;
        const detail = [`HTTP ${res.status}`, code, typeof data.Message === 'string' ? data.Message : undefined].filter(Boolean).join(', ');
        throw fail(detail, res.status >= 500 || (code !== undefined && isRetryableAliyunCode(code)), code);
      },
    };
  }

  const secretId = config.TENCENT_SECRET_ID ?? '';
  const secretKey = config.TENCENT_SECRET_KEY ?? '';
  const endpoint = config.TENCENT_SMS_ENDPOINT || TENCENT_DEFAULT_ENDPOINT;
  const contentType = 'application/json; charset=utf-8';
  return {
    name: 'tencent',
    async send(msg) {
      check(msg);
      const url = new URL(endpoint);
      const payload = JSON.stringify({
        PhoneNumberSet: [msg.phone],
        SmsSdkAppId: config.TENCENT_SMS_APP_ID ?? '',
        SignName: signName,
        TemplateId: templates[msg.locale],
        TemplateParamSet: [msg.event],
      });
      const timestamp = Math.floor(now().getTime() / 1000);
      const { authorization } = signTc3({ secretId, secretKey, service: 'sms', host: url.host, contentType, payload, timestamp });
      const { res, data, fail } = await post(
        msg,
        url.toString(),
        {
          method: 'POST',
          headers: {
            Authorization: authorization,
            'Content-Type': contentType,
            'X-TC-Action': 'SendSms',
            'X-TC-Version': TENCENT_SMS_API_VERSION,
            'X-TC-Timestamp': String(timestamp),
            'X-TC-Region': config.TENCENT_SMS_REGION || 'ap-guangzhou',
          },
          body: payload,
        },
        secretKey,
      );
      const r = (data.Response ?? {}) as { Error?: { Code?: unknown; Message?: unknown }; SendStatusSet?: { Code?: unknown; Message?: unknown }[] };
      const status = r.Error ?? (Array.isArray(r.SendStatusSet) ? r.SendStatusSet[0] : undefined);
      const code = typeof status?.Code === 'string' ? status.Code : undefined;
      if (res.ok && !r.Error && code === 'Ok') return;
      const detail = [`HTTP ${res.status}`, code ?? 'unexpected response', typeof status?.Message === 'string' ? status.Message : undefined]
        .filter(Boolean)
        .join(', ');
      throw fail(detail, res.status >= 500 || (code !== undefined && isRetryableTencentCode(code)), code);
    },
  };
}
