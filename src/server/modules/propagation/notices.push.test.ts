import { sql } from 'drizzle-orm';
import webpush from 'web-push';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config.js';
import { createTestContext, signUp, type TestContext } from '../../testing/harness.js';
import { createNoticePush } from './notice.push.js';
import { browserKeys, decryptPush, startFakePushService } from './testing/push.fake.js';

// Web Push end to end: a subscription saved over HTTP, a notice pushed by the real adapter
// (web-push encrypting, VAPID signing) to a local fake push service, and the payload decrypted
// here with the subscription's private key and auth secret, as the browser would.

const vapid = webpush.generateVAPIDKeys();
let ctx: TestContext;
let fake: Awaited<ReturnType<typeof startFakePushService>>;
let seq = 0;

beforeAll(async () => {
  fake = await startFakePushService();
  ctx = await createTestContext({
    env: {
      WEB_PUSH_PUBLIC_KEY: vapid.publicKey,
      WEB_PUSH_PRIVATE_KEY: vapid.privateKey,
      WEB_PUSH_SUBJECT: 'mailto:ops@paike.test',
      WEB_PUSH_ENDPOINT_HOSTS: '127.0.0.1',
      WEB_PUSH_ALLOW_HTTP: 'true',
    },
  });
}, 120_000);
afterAll(async () => {
  await ctx?.close();
  await fake?.close();
});

const services = () => ctx.runtime.services;
const db = () => services().database.db;
const rows = <T>(r: unknown): T[] => (r as { rows?: T[] }).rows ?? (r as T[]);

/** A contributor whose browser subscribed to push over the API. */
async function subscribed(locale: 'zh-CN' | 'en' = 'zh-CN') {
  const user = await signUp(ctx.app, { locale });
  const browser = browserKeys();
  const path = `/push/${++seq}`;
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/api/me/push-subscriptions',
    headers: { cookie: user.cookie },
    payload: { endpoint: `${fake.origin}${path}`, expirationTime: null, keys: browser.keys },
  });
  expect(res.statusCode, res.body).toBe(201);
  return { user, browser, path };
}

async function adoptedNotice(userId: string) {
  return (await db().transaction((tx) =>
    services().notices.notify({ userId, kind: 'payout_paid', submissionId: null, params: { amountFen: 12_345 }, dedupeKey: `push-test:${++seq}` }, tx),
  ))!;
}
const pushedTo = (path: string) => fake.received.filter((m) => m.path === path);
const subscriptionsOf = async (userId: string) => rows(await db().execute(sql`SELECT id FROM push_subscriptions WHERE user_id = ${userId}`));

describe('Web Push', () => {
  it('offers the VAPID key, refuses an endpoint that is not a configured push service, and needs a session', async () => {
    const key = await ctx.app.inject({ method: 'GET', url: '/api/push/public-key' });
    expect(key.json()).toEqual({ publicKey: vapid.publicKey });
    const user = await signUp(ctx.app, { locale: 'en' });
    const keys = browserKeys().keys;
    for (const endpoint of ['https://attacker.example.com/push/1', 'http://10.0.0.1/push', 'ftp://127.0.0.1/x']) {
      const bad = await ctx.app.inject({ method: 'POST', url: '/api/me/push-subscriptions', headers: { cookie: user.cookie }, payload: { endpoint, keys } });
      expect(bad.statusCode, endpoint).toBe(400);
      expect(bad.json().error.code === 'push.bad_endpoint' || bad.json().error.code === 'request.invalid').toBe(true);
    }
    const anon = await ctx.app.inject({ method: 'POST', url: '/api/me/push-subscriptions', payload: { endpoint: `${fake.origin}/push/x`, keys } });
    expect(anon.statusCode).toBe(401);
  });

  it('pushes a notice once per subscription as an encrypted message the browser decrypts, in the recipient’s language', async () => {
    const zh = await subscribed('zh-CN');
    const en = await subscribed('en');
    const nz = await adoptedNotice(zh.user.user.id);
    const ne = await adoptedNotice(en.user.user.id);
    await services().notices.deliver(nz.id);
    await services().notices.deliver(ne.id);
    await services().notices.deliver(nz.id);
    const [msg, ...again] = pushedTo(zh.path);
    expect(again).toHaveLength(0);
    expect(msg!.headers.ttl).toBe('86400');
    expect(msg!.headers['content-encoding']).toBe('aes128gcm');
    expect(msg!.headers.authorization).toMatch(new RegExp(`^vapid t=[\\w-]+\\.[\\w-]+\\.[\\w-]+, k=${vapid.publicKey}$`));
    expect(JSON.parse(decryptPush(msg!.body, zh.browser.ecdh, zh.browser.auth))).toEqual({
      title: '拍客',
      body: '你的提现 123.45 元已付款。',
      url: '/earnings',
      tag: nz.id,
    });
    const [msgEn] = pushedTo(en.path);
    expect(JSON.parse(decryptPush(msgEn!.body, en.browser.ecdh, en.browser.auth))).toMatchObject({
      title: 'Paike',
      body: 'Your payout of 123.45 yuan has been paid.',
    });
  });

  it('retries on 503 (the job fails so the queue backs off), then sends once', async () => {
    const s = await subscribed();
    fake.answer(s.path, 503);
    const n = await adoptedNotice(s.user.user.id);
    await expect(services().notices.deliver(n.id)).rejects.toThrow('503');
    const [row] = rows<{ status: string; attempts: number }>(
      await db().execute(sql`SELECT status, attempts FROM notice_push_deliveries WHERE notice_id = ${n.id}`),
    );
    expect(row).toMatchObject({ status: 'retry', attempts: 1 });
    await services().notices.deliver(n.id);
    await services().notices.deliver(n.id);
    expect(pushedTo(s.path)).toHaveLength(1);
    // Not forever: on the job's last attempt a failure is final.
    const t = await subscribed();
    fake.answer(t.path, 503);
    const m = await adoptedNotice(t.user.user.id);
    await services().notices.deliver(m.id, { isLastAttempt: true });
    const [last] = rows<{ status: string }>(await db().execute(sql`SELECT status FROM notice_push_deliveries WHERE notice_id = ${m.id}`));
    expect(last!.status).toBe('failed');
  });

  it('removes a subscription the push service says is gone (410), without failing the job', async () => {
    const s = await subscribed();
    fake.answer(s.path, 410);
    const n = await adoptedNotice(s.user.user.id);
    await services().notices.deliver(n.id);
    expect(await subscriptionsOf(s.user.user.id)).toHaveLength(0);
    expect(pushedTo(s.path)).toHaveLength(0);
  });

  it('unsubscribes only the caller’s own endpoint', async () => {
    const s = await subscribed();
    const other = await signUp(ctx.app);
    const endpoint = `${fake.origin}${s.path}`;
    const notMine = await ctx.app.inject({ method: 'DELETE', url: '/api/me/push-subscriptions', headers: { cookie: other.cookie }, payload: { endpoint } });
    expect(notMine.statusCode).toBe(404);
    const mine = await ctx.app.inject({ method: 'DELETE', url: '/api/me/push-subscriptions', headers: { cookie: s.user.cookie }, payload: { endpoint } });
    expect(mine.statusCode).toBe(204);
    expect(await subscriptionsOf(s.user.user.id)).toHaveLength(0);
  });
});

describe('push configuration', () => {
  it('is off without VAPID keys, needs all three settings, and never allows http endpoints in production', () => {
    expect(createNoticePush(loadConfig({ DATA_DIR: '/tmp/x' }))).toBeNull();
    expect(() => loadConfig({ WEB_PUSH_PUBLIC_KEY: vapid.publicKey })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production', PAYOUT_DETAILS_KEY: 'x'.repeat(40), WEB_PUSH_ALLOW_HTTP: 'true' })).toThrow(/WEB_PUSH_ALLOW_HTTP/);
    const push = createNoticePush(
      loadConfig({ WEB_PUSH_PUBLIC_KEY: vapid.publicKey, WEB_PUSH_PRIVATE_KEY: vapid.privateKey, WEB_PUSH_SUBJECT: 'mailto:ops@paike.test' }),
    )!;
    expect(() => push.checkEndpoint('https://fcm.googleapis.com/fcm/send/abc')).not.toThrow();
    expect(() => push.checkEndpoint('https://web.push.apple.com/QGx')).not.toThrow();
    expect(() => push.checkEndpoint('http://fcm.googleapis.com/fcm/send/abc')).toThrow();
    expect(() => push.checkEndpoint('https://push.apple.com.evil.example/x')).toThrow();
  });
});
