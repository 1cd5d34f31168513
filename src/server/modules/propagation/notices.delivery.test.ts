import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aliyunExpectedSignature, tencentExpectedSignature } from '../accounts/sms/sms.fakes.js';
import { createTestContext, type TestContext } from '../../testing/harness.js';
import { createNoticeSms } from './notice.sms.js';
import { propagationFixtures } from './propagation.fixtures.js';

/**
 * A notification-template stand-in for Aliyun Dysmsapi and Tencent Cloud SMS: checks the
 * signature with the accounts module's fakes' own code, the sign name and the notice template,
 * and records `event`. (The accounts fakes accept only verification-code templates.)
 */
async function startFakeNoticeSms() {
  const sent: { provider: string; phone: string; template: string; event: string }[] = [];
  let failNext: { code: string; status: number } | undefined;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const reply = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.headers['x-tc-action']) {
        const auth = String(req.headers.authorization);
        const m = /Credential=[^/]+\/(\d{4}-\d{2}-\d{2})\/sms\/tc3_request, SignedHeaders=([a-z;-]+), Signature=([0-9a-f]{64})$/.exec(auth);
        const expected =
          m &&
          tencentExpectedSignature(
            { method: 'POST', headers: req.headers, body: raw, url: req.url ?? '/' },
            { secretKey: 'tencent-secret', timestamp: String(req.headers['x-tc-timestamp']), date: m[1]!, service: 'sms', signedHeaders: m[2]!.split(';') },
          );
        if (!m || expected !== m[3]) return reply(200, { Response: { Error: { Code: 'AuthFailure.SignatureFailure', Message: 'bad signature' } } });
        const p = JSON.parse(raw.toString('utf8')) as { PhoneNumberSet: string[]; TemplateId: string; TemplateParamSet: string[]; SignName: string };
        if (p.TemplateId !== '200002' || p.SignName !== '拍客' || p.TemplateParamSet.length !== 1) {
          return reply(200, { Response: { Error: { Code: 'FailedOperation.TemplateIncorrectOrUnapproved', Message: 'template' } } });
        }
        sent.push({ provider: 'tencent', phone: p.PhoneNumberSet[0]!, template: p.TemplateId, event: p.TemplateParamSet[0]! });
        return reply(200, { Response: { SendStatusSet: [{ Code: 'Ok', Message: 'send success' }], RequestId: 'r' } });
      }
      const params = new Map(new URLSearchParams(raw.toString('utf8')));
      if (aliyunExpectedSignature('POST', params, 'aliyun-secret') !== params.get('Signature')) return reply(400, { Code: 'SignatureDoesNotMatch' });
      if (failNext) {
        const f = failNext;
        failNext = undefined;
        return reply(f.status, { Code: f.code, Message: 'fake failure' });
      }
      const template = params.get('TemplateCode')!;
      if (!['SMS_NOTICE_1', 'SMS_NOTICE_EN'].includes(template) || params.get('SignName') !== '拍客') return reply(200, { Code: 'isv.SMS_TEMPLATE_ILLEGAL' });
      const tp = JSON.parse(params.get('TemplateParam') ?? '{}') as { event?: string };
      if (typeof tp.event !== 'string') return reply(200, { Code: 'isv.TEMPLATE_MISSING_PARAMETERS' });
      sent.push({ provider: 'aliyun', phone: params.get('PhoneNumbers')!, template, event: tp.event });
      return reply(200, { Code: 'OK', Message: 'OK', RequestId: 'r' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    sent,
    fail: (code: string, status = 200) => void (failNext = { code, status }),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

let fake: Awaited<ReturnType<typeof startFakeNoticeSms>>;
let ctx: TestContext;
let fx: ReturnType<typeof propagationFixtures>;

const aliyunEnv = () => ({
  SMS_PROVIDER: 'aliyun',
  ALIYUN_ACCESS_KEY_ID: 'LTAI-test',
  ALIYUN_ACCESS_KEY_SECRET: 'aliyun-secret',
  ALIYUN_SMS_ENDPOINT: fake.url,
  SMS_SIGN_NAME: '拍客',
  SMS_TEMPLATE_CODE: 'SMS_CODE_1',
  SMS_NOTICE_TEMPLATE_CODE: 'SMS_NOTICE_1',
  SMS_NOTICE_TEMPLATE_CODE_EN: 'SMS_NOTICE_EN',
});

beforeAll(async () => {
  fake = await startFakeNoticeSms();
  // The worker runs in this process: notices.deliver jobs are picked up as they are queued.
  ctx = await createTestContext({ jobs: 'work', env: aliyunEnv() });
  fx = propagationFixtures(ctx);
}, 120_000);
afterAll(async () => {
  await ctx?.close();
  await fake?.close();
});

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('“你火了” end to end', () => {
  it('a sample passing 10,000 reach texts the contributor once, through the worker', async () => {
    const campaignId = await fx.campaign();
    const userId = await fx.contributor({ phone: '+8613800138010' });
    const video = await fx.video({ userId, campaignId });
    const pub = await fx.publication({ submissionId: video, channel: 'weibo' });
    const { metrics } = ctx.runtime.services;
    await metrics.recordSample(pub, { views: 12_000, likes: null, shares: null, comments: null }, new Date('2030-08-01T00:00:00Z'));
    await metrics.recordSample(pub, { views: 12_500, likes: null, shares: null, comments: null }, new Date('2030-08-01T01:00:00Z'));
    const [delivery] = await until('the SMS delivery', async () => {
      const rows = await fx.query<{ status: string; channel: string }>(
        sql`SELECT d.status, d.channel FROM notice_deliveries d JOIN notices n ON n.id = d.notice_id WHERE n.submission_id = ${video} AND d.channel = 'sms' AND d.status = 'sent'`,
      );
      return rows.length ? rows : undefined;
    });
    expect(delivery).toEqual({ status: 'sent', channel: 'sms' });
    expect(fake.sent.filter((m) => m.phone === '13800138010')).toEqual([
      { provider: 'aliyun', phone: '13800138010', template: 'SMS_NOTICE_1', event: '传播量突破 1 万' },
    ]);
    // The sign-in code provider (the harness's recorder) was not used for the notice.
    expect(ctx.sms.sent).toEqual([]);
  });

  it('English-speaking contributors get the English template', async () => {
    const campaignId = await fx.campaign();
    const userId = await fx.contributor({ phone: '+447700900123', locale: 'en' });
    const video = await fx.video({ userId, campaignId });
    await ctx.runtime.services.database.db.transaction((tx) =>
      ctx.runtime.services.notices.notify({ userId, kind: 'grand_prize', submissionId: video, params: {}, dedupeKey: `gp:${video}` }, tx),
    );
    const msg = await until('the English SMS', async () => fake.sent.find((m) => m.phone === '447700900123'));
    expect(msg).toEqual({ provider: 'aliyun', phone: '447700900123', template: 'SMS_NOTICE_EN', event: 'won the grand prize' });
  });
});

describe('notice SMS adapters', () => {
  it('is off for the console provider or without a notice template', () => {
    expect(createNoticeSms({ ...aliyunEnv(), SMS_PROVIDER: 'console' } as never)).toBeNull();
    expect(createNoticeSms({ ...aliyunEnv(), SMS_NOTICE_TEMPLATE_CODE: undefined } as never)).toBeNull();
  });

  it('Aliyun: signed as Dysmsapi wants; throttling is retryable, a bad number is not, and no secret leaks', async () => {
    const sms = createNoticeSms(aliyunEnv() as never)!;
    await sms.send({ phone: '+8613800138011', locale: 'zh-CN', event: '登上风云榜第1名' });
    expect(fake.sent.at(-1)).toEqual({ provider: 'aliyun', phone: '13800138011', template: 'SMS_NOTICE_1', event: '登上风云榜第1名' });
    fake.fail('Throttling.User');
    await expect(sms.send({ phone: '+8613800138011', locale: 'zh-CN', event: 'x' })).rejects.toMatchObject({
      retryable: true,
      providerCode: 'Throttling.User',
    });
    fake.fail('isv.MOBILE_NUMBER_ILLEGAL');
    const err = (await sms.send({ phone: '+8613800138011', locale: 'zh-CN', event: 'x' }).catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ retryable: false, providerCode: 'isv.MOBILE_NUMBER_ILLEGAL' });
    expect(err.message).not.toContain('aliyun-secret');
    expect(err.message).not.toContain('13800138011');
    fake.fail('ServiceUnavailable', 503);
    await expect(sms.send({ phone: '+8613800138011', locale: 'zh-CN', event: 'x' })).rejects.toMatchObject({ retryable: true });
    await expect(sms.send({ phone: '13800138011', locale: 'zh-CN', event: 'x' })).rejects.toMatchObject({ retryable: false });
  });

  it('Tencent: TC3-signed, one template variable', async () => {
    const sms = createNoticeSms({
      SMS_PROVIDER: 'tencent',
      TENCENT_SECRET_ID: 'AKID-test',
      TENCENT_SECRET_KEY: 'tencent-secret',
      TENCENT_SMS_APP_ID: '1400000001',
      TENCENT_SMS_REGION: 'ap-guangzhou',
      TENCENT_SMS_ENDPOINT: fake.url,
      SMS_SIGN_NAME: '拍客',
      SMS_NOTICE_TEMPLATE_CODE: '200002',
    } as never)!;
    await sms.send({ phone: '+8613800138012', locale: 'zh-CN', event: '传播量突破 10 万' });
    expect(fake.sent.at(-1)).toEqual({ provider: 'tencent', phone: '+8613800138012', template: '200002', event: '传播量突破 10 万' });
    const wrongKey = createNoticeSms({
      SMS_PROVIDER: 'tencent',
      TENCENT_SECRET_ID: 'AKID-test',
      TENCENT_SECRET_KEY: 'WRONG-secret',
      TENCENT_SMS_APP_ID: '1400000001',
      TENCENT_SMS_ENDPOINT: fake.url,
      SMS_SIGN_NAME: '拍客',
      SMS_NOTICE_TEMPLATE_CODE: '200002',
    } as never)!;
    const err = (await wrongKey.send({ phone: '+8613800138012', locale: 'zh-CN', event: 'x' }).catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ retryable: false, providerCode: 'AuthFailure.SignatureFailure' });
    expect(err.message).not.toContain('WRONG-secret');
  });
});
