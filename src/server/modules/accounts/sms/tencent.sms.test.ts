import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, it, expect } from 'vitest';
import { TencentSmsProvider, isRetryableTencentCode, signTc3 } from './tencent.sms.js';
import { closedPortUrl, startFakeTencent, tencentExpectedSignature, type FakeTencent } from './sms.fakes.js';
import { SmsSendError, createSmsProvider, type SmsConfig, type SmsDeps, type SmsMessage } from './sms.provider.js';

const base: SmsConfig = {
  SMS_PROVIDER: 'tencent',
  SMS_SIGN_NAME: undefined,
  SMS_TEMPLATE_CODE: undefined,
  ALIYUN_ACCESS_KEY_ID: undefined,
  ALIYUN_ACCESS_KEY_SECRET: undefined,
  ALIYUN_SMS_ENDPOINT: undefined,
  TENCENT_SECRET_ID: undefined,
  TENCENT_SECRET_KEY: undefined,
  TENCENT_SMS_APP_ID: undefined,
  TENCENT_SMS_REGION: 'ap-guangzhou',
  TENCENT_SMS_ENDPOINT: undefined,
};
const zh: SmsMessage = { phone: '+8613800138000', code: '123456', locale: 'zh-CN' };

async function sendError(p: Promise<unknown>, secret: string, code = zh.code): Promise<SmsSendError> {
  const err = await p.then(
    () => {
      throw new Error('expected the send to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SmsSendError);
  const e = err as SmsSendError;
  for (const text of [e.message, e.stack ?? '', String(e.cause ?? ''), JSON.stringify(e)]) {
    expect(text).not.toContain(secret);
    expect(text).not.toContain(code);
  }
  return e;
}

// The worked example in Tencent Cloud's "Signature v3" documentation (CVM DescribeInstances).
describe('TC3-HMAC-SHA256: documented vector', () => {
  const payload = '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}';
  const input = {
    secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE',
    secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
    service: 'cvm',
    host: 'cvm.tencentcloudapi.com',
    contentType: 'application/json; charset=utf-8',
    payload,
    timestamp: 1551113065,
  };

  it('reproduces the hashed payload, the string to sign and the signature', () => {
    const s = signTc3(input);
    expect(createHash('sha256').update(payload).digest('hex')).toBe('35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064');
    expect(s.canonicalRequest).toBe(
      'POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\ncontent-type;host\n' +
        '35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064',
    );
    expect(s.stringToSign).toBe('TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031');
    expect(s.signature).toBe('72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168');
    expect(s.authorization).toBe(
      'TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, ' +
        'SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168',
    );
  });

  it("the fake's own verifier agrees with the documented signature", () => {
    const expected = tencentExpectedSignature(
      {
        method: 'POST',
        url: '/',
        headers: { 'content-type': 'application/json; charset=utf-8', host: 'cvm.tencentcloudapi.com' },
        body: Buffer.from(payload),
      },
      { secretKey: input.secretKey, timestamp: '1551113065', date: '2019-02-25', service: 'cvm', signedHeaders: ['content-type', 'host'] },
    );
    expect(expected).toBe('72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168');
  });

  it('uses the UTC date of the timestamp (00:44 in Beijing is still the previous day)', () => {
    // 1551113065 is 2019-02-26 00:44:25 UTC+8.
    expect(signTc3(input).stringToSign).toContain('\n2019-02-25/');
  });

  it('classifies error codes', () => {
    for (const c of [
      'LimitExceeded.PhoneNumberDailyLimit',
      'LimitExceeded.PhoneNumberThirtySecondLimit',
      'InternalError',
      'InternalError.Timeout',
      'RequestLimitExceeded',
    ]) {
      expect(isRetryableTencentCode(c), c).toBe(true);
    }
    for (const c of [
      'AuthFailure.SignatureFailure',
      'AuthFailure.SecretIdNotFound',
      'InvalidParameterValue.IncorrectPhoneNumber',
      'FailedOperation.InsufficientBalanceInSmsPackage',
      'UnauthorizedOperation.SmsSdkAppIdVerifyFail',
    ]) {
      expect(isRetryableTencentCode(c), c).toBe(false);
    }
  });
});

describe('Tencent SendSms against the fake SMS API', () => {
  let fake: FakeTencent;
  const provider = (over: Partial<SmsConfig> = {}, deps: SmsDeps = {}) => createSmsProvider({ ...base, ...fake.env, ...over }, deps);

  beforeAll(async () => {
    fake = await startFakeTencent();
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => fake.reset());

  it('sends: recorded with the E.164 phone and the code; headers as documented', async () => {
    await provider().send(zh);
    expect(fake.sent).toHaveLength(1);
    expect(fake.sent[0]).toMatchObject({ phone: '+8613800138000', code: '123456', signName: '拍客', template: '100001' });
    expect(fake.lastCode('+8613800138000')).toBe('123456');
    const req = fake.requests[0];
    expect(req?.headers['x-tc-action']).toBe('SendSms');
    expect(req?.headers['x-tc-version']).toBe('2021-01-11');
    expect(req?.headers['x-tc-region']).toBe('ap-guangzhou');
    expect(req?.headers.authorization).toMatch(
      /^TC3-HMAC-SHA256 Credential=AKID-fake-secret-id\/\d{4}-\d\d-\d\d\/sms\/tc3_request, SignedHeaders=content-type;host, Signature=[0-9a-f]{64}$/,
    );
    expect(JSON.parse(req?.body ?? '{}')).toEqual({
      PhoneNumberSet: ['+8613800138000'],
      SmsSdkAppId: '1400000001',
      SignName: '拍客',
      TemplateId: '100001',
      TemplateParamSet: ['123456'],
    });
  });

  it('sends international numbers as they are', async () => {
    await provider().send({ phone: '+85291234567', code: '000123', locale: 'en' });
    expect(fake.sent[0]).toMatchObject({ phone: '+85291234567', code: '000123' });
  });

  it('wrong secret key → AuthFailure.SignatureFailure, not retryable, secret never in the error', async () => {
    const wrong = 'the-WRONG-tencent-secret-xyz';
    const e = await sendError(provider({ TENCENT_SECRET_KEY: wrong }).send(zh), wrong);
    expect(e).toMatchObject({ retryable: false, providerCode: 'AuthFailure.SignatureFailure' });
    expect(e.message).not.toContain(fake.secretKey);
    expect(fake.sent).toEqual([]);
  });

  it('clock 10 minutes off → AuthFailure.SignatureExpire, not retryable', async () => {
    const e = await sendError(provider({}, { now: () => new Date(Date.now() + 10 * 60_000) }).send(zh), fake.secretKey);
    expect(e).toMatchObject({ retryable: false, providerCode: 'AuthFailure.SignatureExpire' });
  });

  it('wrong region → rejected, not retryable', async () => {
    const e = await sendError(provider({ TENCENT_SMS_REGION: 'ap-beijing' }).send(zh), fake.secretKey);
    expect(e.retryable).toBe(false);
  });

  it('throttled: per-number LimitExceeded and request-level RequestLimitExceeded → retryable', async () => {
    fake.failNext('LimitExceeded.PhoneNumberThirtySecondLimit');
    let e = await sendError(provider().send(zh), fake.secretKey);
    expect(e).toMatchObject({ retryable: true, providerCode: 'LimitExceeded.PhoneNumberThirtySecondLimit' });
    fake.failNext('RequestLimitExceeded');
    e = await sendError(provider().send(zh), fake.secretKey);
    expect(e).toMatchObject({ retryable: true, providerCode: 'RequestLimitExceeded' });
    expect(fake.sent).toEqual([]);
  });

  it('illegal number → InvalidParameterValue.IncorrectPhoneNumber, not retryable', async () => {
    fake.failNext('InvalidParameterValue.IncorrectPhoneNumber');
    let e = await sendError(provider().send(zh), fake.secretKey);
    expect(e).toMatchObject({ retryable: false, providerCode: 'InvalidParameterValue.IncorrectPhoneNumber' });
    // The fake also checks mainland numbers itself.
    e = await sendError(provider().send({ ...zh, phone: '+86238001380' }), fake.secretKey);
    expect(e).toMatchObject({ retryable: false, providerCode: 'InvalidParameterValue.IncorrectPhoneNumber' });
  });

  it('unapproved template → FailedOperation, not retryable', async () => {
    const e = await sendError(provider({ SMS_TEMPLATE_CODE: '999' }).send(zh), fake.secretKey);
    expect(e).toMatchObject({ retryable: false, providerCode: 'FailedOperation.TemplateIncorrectOrUnapproved' });
  });

  it('HTTP 5xx and InternalError → retryable', async () => {
    fake.failNextHttp(503, 'Service Unavailable');
    let e = await sendError(provider().send(zh), fake.secretKey);
    expect(e.retryable).toBe(true);
    expect(e.message).toContain('HTTP 503');
    fake.failNext('InternalError.Timeout');
    e = await sendError(provider().send(zh), fake.secretKey);
    expect(e).toMatchObject({ retryable: true, providerCode: 'InternalError.Timeout' });
  });

  it('server down (closed port) → retryable', async () => {
    const e = await sendError(provider({ TENCENT_SMS_ENDPOINT: await closedPortUrl() }).send(zh), fake.secretKey);
    expect(e.retryable).toBe(true);
  });

  it('each request carries a timeout signal; a timeout is retryable', async () => {
    let signal: AbortSignal | undefined;
    const slow: typeof fetch = async (_url, init) => {
      signal = init?.signal ?? undefined;
      throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    };
    const e = await sendError(provider({}, { fetch: slow }).send(zh), fake.secretKey);
    expect(signal).toBeInstanceOf(AbortSignal);
    expect(e.retryable).toBe(true);
  });

  it('the adapter class can be used directly', async () => {
    const sms = new TencentSmsProvider({
      secretId: fake.secretId,
      secretKey: fake.secretKey,
      appId: fake.env.TENCENT_SMS_APP_ID,
      signName: fake.env.SMS_SIGN_NAME,
      templateId: fake.env.SMS_TEMPLATE_CODE,
      region: fake.env.TENCENT_SMS_REGION,
      endpoint: fake.url,
    });
    await sms.send(zh);
    expect(fake.lastCode(zh.phone)).toBe('123456');
  });
});
