import { afterAll, beforeAll, beforeEach, describe, it, expect } from 'vitest';
import {
  AliyunSmsProvider,
  aliyunPercentEncode,
  aliyunStringToSign,
  aliyunTimestamp,
  isRetryableAliyunCode,
  signAliyunRpc,
  toAliyunPhoneNumber,
} from './aliyun.sms.js';
import { aliyunExpectedSignature, closedPortUrl, startFakeAliyun, type FakeAliyun } from './sms.fakes.js';
import { SmsSendError, createSmsProvider, type SmsConfig, type SmsDeps, type SmsMessage } from './sms.provider.js';

const base: SmsConfig = {
  SMS_PROVIDER: 'aliyun',
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

/** Runs `p`, expects an SmsSendError, and checks no secret or code leaked into it. */
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

// Worked examples from Aliyun's documentation ("RPC 签名机制" and the Dysmsapi signature page).
describe('Aliyun RPC signature: documented vectors', () => {
  const describeRegions = {
    AccessKeyId: 'testid',
    Action: 'DescribeRegions',
    Format: 'XML',
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
    SignatureVersion: '1.0',
    Timestamp: '2016-02-23T12:46:24Z',
    Version: '2014-05-26',
  };
  const sendSms = {
    AccessKeyId: 'testId',
    Action: 'SendSms',
    Format: 'XML',
    OutId: '123',
    PhoneNumbers: '15300000001',
    RegionId: 'cn-hangzhou',
    SignName: '阿里云短信测试专用',
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: '45e25e9b-0a6f-4070-8c85-2956eda1b466',
    SignatureVersion: '1.0',
    TemplateCode: 'SMS_71390007',
    TemplateParam: '{"customer":"test"}',
    Timestamp: '2017-07-12T02:42:19Z',
    Version: '2017-05-25',
  };

  it('DescribeRegions (testid / testsecret)', () => {
    expect(aliyunStringToSign('GET', describeRegions)).toBe(
      'GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1' +
        '%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0' +
        '%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26',
    );
    expect(signAliyunRpc('GET', describeRegions, 'testsecret')).toBe('OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
    expect(aliyunExpectedSignature('GET', new Map(Object.entries(describeRegions)), 'testsecret')).toBe('OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
  });

  it('SendSms with a Chinese SignName (testId / testSecret)', () => {
    expect(signAliyunRpc('GET', sendSms, 'testSecret')).toBe('zJDF+Lrzhj/ThnlvIToysFRq6t4=');
    expect(aliyunExpectedSignature('GET', new Map(Object.entries(sendSms)), 'testSecret')).toBe('zJDF+Lrzhj/ThnlvIToysFRq6t4=');
  });

  it('percent-encodes per the spec', () => {
    expect(aliyunPercentEncode("a b*c~d!'()+/:")).toBe('a%20b%2Ac~d%21%27%28%29%2B%2F%3A');
    expect(aliyunPercentEncode('拍')).toBe('%E6%8B%8D');
    expect(aliyunTimestamp(new Date('2026-03-04T05:06:07.890Z'))).toBe('2026-03-04T05:06:07Z');
  });

  it('formats numbers the way Dysmsapi wants', () => {
    expect(toAliyunPhoneNumber('+8613800138000')).toBe('13800138000');
    expect(toAliyunPhoneNumber('+85291234567')).toBe('85291234567');
    expect(toAliyunPhoneNumber('+14155550123')).toBe('14155550123');
  });

  it('classifies error codes', () => {
    for (const c of ['isv.BUSINESS_LIMIT_CONTROL', 'Throttling', 'Throttling.User', 'Throttling.Api', 'ServiceUnavailable']) {
      expect(isRetryableAliyunCode(c), c).toBe(true);
    }
    for (const c of [
      'isv.MOBILE_NUMBER_ILLEGAL',
      'isv.SMS_SIGNATURE_ILLEGAL',
      'InvalidAccessKeyId.NotFound',
      'SignatureDoesNotMatch',
      'isv.AMOUNT_NOT_ENOUGH',
    ]) {
      expect(isRetryableAliyunCode(c), c).toBe(false);
    }
  });
});

describe('Aliyun SendSms against the fake Dysmsapi', () => {
  let fake: FakeAliyun;
  const provider = (over: Partial<SmsConfig> = {}, deps: SmsDeps = {}) => createSmsProvider({ ...base, ...fake.env, ...over }, deps);

  beforeAll(async () => {
    fake = await startFakeAliyun();
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => fake.reset());

  it('sends a mainland number: recorded with the right phone, code, sign and template', async () => {
    await provider().send(zh);
    expect(fake.sent).toHaveLength(1);
    expect(fake.sent[0]).toMatchObject({ phone: '+8613800138000', rawPhone: '13800138000', code: '123456', signName: '拍客', template: 'SMS_000000001' });
    expect(fake.lastCode('+8613800138000')).toBe('123456');
    // The code travels in the body, not the URL.
    expect(fake.requests[0]?.method).toBe('POST');
  });

  it('sends an international number with its country code and no +', async () => {
    await provider().send({ phone: '+85291234567', code: '987654', locale: 'en' });
    expect(fake.sent[0]).toMatchObject({ phone: '+85291234567', rawPhone: '85291234567', code: '987654' });
  });

  it('uses a fresh nonce per request', async () => {
    const sms = provider();
    await sms.send(zh);
    await sms.send({ ...zh, code: '222222' });
    expect(fake.sent.map((m) => m.code)).toEqual(['123456', '222222']);
  });

  it('wrong secret → SignatureDoesNotMatch, not retryable, secret and code not in the message', async () => {
    const wrong = 'the-WRONG-aliyun-secret-xyz';
    const e = await sendError(provider({ ALIYUN_ACCESS_KEY_SECRET: wrong }).send(zh), wrong);
    expect(e.retryable).toBe(false);
    expect(e.providerCode).toBe('SignatureDoesNotMatch');
    expect(e.message).toContain('SignatureDoesNotMatch');
    expect(e.message).not.toContain(fake.accessKeySecret);
    expect(fake.sent).toEqual([]);
  });

  it('unknown access key → InvalidAccessKeyId.NotFound, not retryable', async () => {
    const e = await sendError(provider({ ALIYUN_ACCESS_KEY_ID: 'LTAI-nobody' }).send(zh), fake.accessKeySecret);
    expect(e).toMatchObject({ retryable: false, providerCode: 'InvalidAccessKeyId.NotFound' });
  });

  it('clock 20 minutes off → rejected by the timestamp window, not retryable', async () => {
    const skewed = () => new Date(Date.now() - 20 * 60_000);
    const e = await sendError(provider({}, { now: skewed }).send(zh), fake.accessKeySecret);
    expect(e).toMatchObject({ retryable: false, providerCode: 'InvalidTimeStamp.Expired' });
  });

  it('throttled (isv.BUSINESS_LIMIT_CONTROL / Throttling.User) → retryable', async () => {
    fake.failNext('isv.BUSINESS_LIMIT_CONTROL', { message: '触发小时级流控Permits:5' });
    let e = await sendError(provider().send(zh), fake.accessKeySecret);
    expect(e).toMatchObject({ retryable: true, providerCode: 'isv.BUSINESS_LIMIT_CONTROL' });
    fake.failNext('Throttling.User');
    e = await sendError(provider().send(zh), fake.accessKeySecret);
    expect(e).toMatchObject({ retryable: true, providerCode: 'Throttling.User' });
    expect(fake.sent).toEqual([]);
  });

  it('illegal number → isv.MOBILE_NUMBER_ILLEGAL, not retryable', async () => {
    fake.failNext('isv.MOBILE_NUMBER_ILLEGAL');
    const e = await sendError(provider().send(zh), fake.accessKeySecret);
    expect(e).toMatchObject({ retryable: false, providerCode: 'isv.MOBILE_NUMBER_ILLEGAL' });
  });

  it('unapproved signature → isv.SMS_SIGNATURE_ILLEGAL, not retryable', async () => {
    const e = await sendError(provider({ SMS_SIGN_NAME: '别的签名' }).send(zh), fake.accessKeySecret);
    expect(e).toMatchObject({ retryable: false, providerCode: 'isv.SMS_SIGNATURE_ILLEGAL' });
  });

  it('HTTP 5xx (gateway page or ServiceUnavailable) → retryable', async () => {
    fake.failNextHttp(502);
    let e = await sendError(provider().send(zh), fake.accessKeySecret);
    expect(e.retryable).toBe(true);
    expect(e.message).toContain('HTTP 502');
    fake.failNext('ServiceUnavailable');
    e = await sendError(provider().send(zh), fake.accessKeySecret);
    expect(e).toMatchObject({ retryable: true, providerCode: 'ServiceUnavailable' });
  });

  it('server down (closed port) → retryable', async () => {
    const e = await sendError(provider({ ALIYUN_SMS_ENDPOINT: await closedPortUrl() }).send(zh), fake.accessKeySecret);
    expect(e.retryable).toBe(true);
    expect(e.message).toMatch(/request failed/);
  });

  it('each request carries a 10 s timeout signal; a timeout is retryable', async () => {
    let signal: AbortSignal | undefined;
    const fetchThatTimesOut: typeof fetch = async (_url, init) => {
      signal = init?.signal ?? undefined;
      throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    };
    const e = await sendError(provider({}, { fetch: fetchThatTimesOut }).send(zh), fake.accessKeySecret);
    expect(signal).toBeInstanceOf(AbortSignal);
    expect(e.retryable).toBe(true);
    expect(e.message).toContain('timed out after 10 s');
  });

  it('malformed messages are refused before any request', async () => {
    await expect(provider().send({ ...zh, phone: '8613800138000' })).rejects.toMatchObject({ retryable: false });
    await expect(provider().send({ ...zh, code: '12a456' })).rejects.toMatchObject({ retryable: false });
    expect(fake.requests).toEqual([]);
  });

  it('the adapter class can be used directly', async () => {
    const sms = new AliyunSmsProvider({
      accessKeyId: fake.accessKeyId,
      accessKeySecret: fake.accessKeySecret,
      signName: fake.env.SMS_SIGN_NAME,
      templateCode: fake.env.SMS_TEMPLATE_CODE,
      endpoint: fake.url,
    });
    await sms.send(zh);
    expect(fake.lastCode(zh.phone)).toBe('123456');
  });
});
