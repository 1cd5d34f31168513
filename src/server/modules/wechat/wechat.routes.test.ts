import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import pino from 'pino';
import { buildApp } from '../../app.js';
import { loadConfig } from '../../config.js';
import { demoCampaign } from '../../seed.js';
import { createTestContext, fixedClock, signUp, staff, type TestContext } from '../../testing/harness.js';
import { startWechatOAuthFake, type WechatOAuthFake } from './testing/wechat-oauth.fake.js';

// WeChat sign-in end to end over HTTP: Paike's routes and real adapter, WeChat's local fake.
const OPEN = { appId: 'wx0000000000open01', secret: 'open-secret', kind: 'open' as const, domain: 'paike.test' };
const MP = { appId: 'wx00000000000000mp', secret: 'mp-secret', kind: 'mp' as const, domain: 'paike.test' };
const WECHAT_UA =
  'Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36 MicroMessenger/8.0.47.2560(0x28002F35) WeChat/arm64 NetType/WIFI';
const clock = fixedClock('2026-12-02T02:00:00Z');

let ctx: TestContext;
let fake: WechatOAuthFake;
let admin: { cookie: string };
let finance: { cookie: string };

beforeAll(async () => {
  fake = await startWechatOAuthFake({ apps: [OPEN, MP], now: () => clock.now() });
  ctx = await createTestContext({
    clock,
    env: {
      WECHAT_LOGIN_APP_ID: OPEN.appId,
      WECHAT_LOGIN_APP_SECRET: OPEN.secret,
      WECHAT_MP_APP_ID: MP.appId,
      WECHAT_MP_APP_SECRET: MP.secret,
      WECHAT_OPEN_URL: fake.url,
      WECHAT_API_URL: fake.url,
    },
  });
  admin = await staff(ctx, ['admin']);
  finance = await staff(ctx, ['finance']);
});
afterAll(async () => {
  await ctx?.close();
  await fake?.close();
});

const cookieOf = (res: { cookies: { name: string; value: string }[] }, name: string) => res.cookies.find((c) => c.name === name)?.value;

interface Browser {
  /** Cookies this "browser" holds, by name. */
  jar: Record<string, string>;
  ua?: string;
}
const header = (b: Browser) =>
  Object.entries(b.jar)
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');
function keep(b: Browser, res: { cookies: { name: string; value: string; maxAge?: number; expires?: Date }[] }) {
  for (const c of res.cookies) {
    if (c.value === '' || c.maxAge === 0 || (c.expires && c.expires.getTime() <= Date.now() && c.expires.getTime() < 1e12 && c.value === ''))
      delete b.jar[c.name];
    else b.jar[c.name] = c.value;
  }
}

async function start(b: Browser, body: Record<string, unknown>) {
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/api/auth/wechat/start',
    headers: { cookie: header(b), 'user-agent': b.ua ?? 'Chrome' },
    payload: body,
  });
  keep(b, res);
  return res;
}
async function land(b: Browser, location: string, accept = 'application/json') {
  const u = new URL(location);
  const res = await ctx.app.inject({ method: 'GET', url: u.pathname + u.search, headers: { cookie: header(b), accept, 'user-agent': b.ua ?? 'Chrome' } });
  keep(b, res);
  return res;
}

/** Start → WeChat (scan / silent / allow) → callback, following WeChat's re-authorisation. */
async function wechatFlow(b: Browser, who: string, body: Record<string, unknown>) {
  fake.actAs(who);
  const started = await start(b, body);
  expect(started.statusCode, started.body).toBe(200);
  let res = await land(b, await fake.authorize(started.json().url, { userAgent: b.ua }));
  const hops = [res.headers.location];
  while (res.statusCode === 302 && String(res.headers.location).startsWith(fake.url)) {
    res = await land(b, await fake.authorize(String(res.headers.location), { userAgent: b.ua }));
    hops.push(res.headers.location);
  }
  return { res, hops };
}

async function finishSignUp(b: Browser, name: string) {
  const res = await ctx.app.inject({ method: 'POST', url: '/api/auth/wechat/sign-up', headers: { cookie: header(b) }, payload: { name, acceptTerms: true } });
  keep(b, res);
  return res;
}

async function createCampaign() {
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/api/admin/campaigns',
    headers: { cookie: admin.cookie },
    payload: { ...demoCampaign(clock.now()), slug: `wechat-${randomUUID().slice(0, 8)}` },
  });
  if (res.statusCode !== 201) throw new Error(res.body);
  return res.json().campaign as { id: string; slug: string };
}

describe('configuration', () => {
  it('tells the page which WeChat buttons to show; an app id without its secret stops start-up', async () => {
    expect((await ctx.app.inject({ url: '/api/auth/wechat' })).json()).toEqual({ qr: true, mp: true });
    expect(() => loadConfig({ WECHAT_MP_APP_ID: 'wx1' })).toThrow(/WECHAT_MP_APP_ID \/ WECHAT_MP_APP_SECRET: set both or neither/);
    expect(loadConfig({}).WECHAT_OPEN_URL).toBe('https://open.weixin.qq.com');
  });
});

describe('QR sign-in on a desktop (website app, snsapi_login)', () => {
  it('a new WeChat user signs up (name, terms) into the campaign of the join link, then signs in again with one scan', async () => {
    fake.addUser('alice', { nickname: '爱丽丝', unionid: 'uAlice' });
    const campaign = await createCampaign();
    const b: Browser = { jar: {} };
    const { res } = await wechatFlow(b, 'alice', { flow: 'qr', campaignId: campaign.id });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe(`/sign-up?wechat=signup&campaign=${campaign.id}`);
    expect(b.jar.paike_session).toBeUndefined();
    expect(b.jar.paike_wechat_state).toBeUndefined();
    const pending = await ctx.app.inject({ url: '/api/auth/wechat/pending', headers: { cookie: header(b) } });
    expect(pending.json()).toEqual({ nickname: '爱丽丝', campaignId: campaign.id });

    const noTerms = await ctx.app.inject({
      method: 'POST',
      url: '/api/auth/wechat/sign-up',
      headers: { cookie: header(b), 'accept-language': 'en' },
      payload: { name: 'Alice', acceptTerms: false },
    });
    expect(noTerms.statusCode).toBe(400);
    expect(noTerms.json().error).toMatchObject({ code: 'wechat.terms_required', message: 'Read and accept the contributor terms to continue.' });

    const done = await finishSignUp(b, '爱丽丝');
    expect(done.statusCode, done.body).toBe(201);
    expect(done.json().user).toMatchObject({ name: '爱丽丝', email: null, phone: null, roles: ['contributor'] });
    const me = await ctx.app.inject({ url: '/api/me/campaigns', headers: { cookie: header(b) } });
    expect(me.statusCode).toBe(200);
    expect(JSON.stringify(me.json())).toContain(campaign.id);
    // The sign-up is single use.
    expect((await finishSignUp(b, 'again')).statusCode).toBe(404);

    // A second visit: one scan, signed in as the same account.
    const later: Browser = { jar: {} };
    const again = await wechatFlow(later, 'alice', { flow: 'qr', next: '/submit' });
    expect(again.res.statusCode).toBe(302);
    expect(again.res.headers.location).toBe('/submit');
    const who = await ctx.app.inject({ url: '/api/me', headers: { cookie: header(later) } });
    expect(who.json().id).toBe(done.json().user.id);
    // Nothing WeChat gave us (token, openid, code) is in any answer.
    const mine = await ctx.app.inject({ url: '/api/me/wechat', headers: { cookie: header(later) } });
    expect(mine.json().identities).toEqual([expect.objectContaining({ app: 'open', nickname: '爱丽丝', payee: false })]);
    expect(mine.body).not.toContain(fake.openidOf('alice', OPEN.appId));
  });

  it('an open redirect through next is ignored', async () => {
    fake.addUser('olga', { nickname: 'Olga' });
    const b: Browser = { jar: {} };
    await wechatFlow(b, 'olga', { flow: 'qr' });
    await finishSignUp(b, 'Olga');
    const again: Browser = { jar: {} };
    const { res } = await wechatFlow(again, 'olga', { flow: 'qr', next: '//evil.example/x' });
    expect(res.headers.location).toBe('/account');
  });
});

describe('inside WeChat (公众号: snsapi_base, then snsapi_userinfo)', () => {
  it('a new user is asked silently first, then for their profile; next time the silent step signs them in', async () => {
    fake.addUser('bob', { nickname: '鲍勃', unionid: 'uBob' });
    const b: Browser = { jar: {}, ua: WECHAT_UA };
    const first = await wechatFlow(b, 'bob', { flow: 'mp' });
    // The silent snsapi_base answer was a new openid: back to WeChat for snsapi_userinfo.
    expect(first.hops[0]).toMatch(new RegExp(`^${fake.url}/connect/oauth2/authorize\\?.*scope=snsapi_userinfo`));
    expect(first.res.headers.location).toBe('/sign-up?wechat=signup');
    const done = await finishSignUp(b, '鲍勃');
    expect(done.statusCode).toBe(201);

    const userinfoCalls = fake.platform.count('/sns/userinfo');
    const again: Browser = { jar: {}, ua: WECHAT_UA };
    const second = await wechatFlow(again, 'bob', { flow: 'mp' });
    expect(second.hops).toEqual(['/account']);
    expect(fake.platform.count('/sns/userinfo')).toBe(userinfoCalls);
    expect((await ctx.app.inject({ url: '/api/me', headers: { cookie: header(again) } })).json().id).toBe(done.json().user.id);
    const ids = (await ctx.app.inject({ url: '/api/me/wechat', headers: { cookie: header(again) } })).json().identities;
    expect(ids).toEqual([expect.objectContaining({ app: 'mp', payee: true })]);
  });

  it('the unionid links the two apps: QR sign-up first, then inside WeChat lands in the same account', async () => {
    fake.addUser('carol', { nickname: '卡罗', unionid: 'uCarol' });
    const desk: Browser = { jar: {} };
    await wechatFlow(desk, 'carol', { flow: 'qr' });
    const account = (await finishSignUp(desk, '卡罗')).json().user.id;
    const phone: Browser = { jar: {}, ua: WECHAT_UA };
    const { res } = await wechatFlow(phone, 'carol', { flow: 'mp' });
    expect(res.headers.location).toBe('/account');
    expect((await ctx.app.inject({ url: '/api/me', headers: { cookie: header(phone) } })).json().id).toBe(account);
    const ids = (await ctx.app.inject({ url: '/api/me/wechat', headers: { cookie: header(phone) } })).json().identities;
    expect(ids.map((i: { app: string }) => i.app).sort()).toEqual(['mp', 'open']);
  });
});

describe('state and code', () => {
  it('a forged state (not this browser’s) is refused before WeChat is asked: a bilingual page for a browser, the error shape for a client', async () => {
    fake.addUser('mallory', { nickname: 'M' });
    fake.actAs('mallory');
    const victim: Browser = { jar: {} };
    const attacker: Browser = { jar: {} };
    const started = await start(attacker, { flow: 'qr' });
    const back = await fake.authorize(started.json().url);
    await start(victim, { flow: 'qr' });
    const exchanges = fake.platform.count('/sns/oauth2/access_token');
    const page = await land(victim, back, 'text/html,application/xhtml+xml');
    expect(page.statusCode).toBe(403);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('这个微信登录链接已失效');
    expect(page.body).toContain('This WeChat sign-in link is no longer valid');
    const noCookie = await land({ jar: {} }, back);
    expect(noCookie.statusCode).toBe(403);
    expect(noCookie.json().error.code).toBe('wechat.bad_state');
    expect(fake.platform.count('/sns/oauth2/access_token')).toBe(exchanges);
  });

  it('a replayed callback is refused (the state is single use); a used code under a fresh state is WeChat’s 40163', async () => {
    fake.addUser('dan', { nickname: 'Dan' });
    const b: Browser = { jar: {} };
    fake.actAs('dan');
    const started = await start(b, { flow: 'qr' });
    const stateCookie = b.jar.paike_wechat_state!;
    const back = await fake.authorize(started.json().url);
    expect((await land(b, back)).statusCode).toBe(302);
    const replay = await land({ jar: { paike_wechat_state: stateCookie } }, back);
    expect(replay.statusCode).toBe(403);
    expect(replay.json().error.code).toBe('wechat.bad_state');

    const fresh: Browser = { jar: {} };
    const st = new URL((await start(fresh, { flow: 'qr' })).json().url.replace('#wechat_redirect', '')).searchParams.get('state')!;
    const code = new URL(back).searchParams.get('code')!;
    const reused = await land(fresh, `http://paike.test/api/auth/wechat/callback?code=${code}&state=${st}`);
    expect(reused.statusCode).toBe(400);
    expect(reused.json().error.code).toBe('wechat.code_rejected');
  });

  it('an expired state is refused; a user who refuses in WeChat is told so', async () => {
    fake.addUser('erin', { nickname: 'Erin' });
    fake.actAs('erin');
    const b: Browser = { jar: {} };
    const back = await fake.authorize((await start(b, { flow: 'qr' })).json().url);
    clock.advance(11 * 60_000);
    expect((await land(b, back)).json().error.code).toBe('wechat.bad_state');
    const c: Browser = { jar: {} };
    const denied = await land(c, await fake.authorize((await start(c, { flow: 'qr' })).json().url, { deny: true }));
    expect(denied.statusCode).toBe(400);
    expect(denied.json().error.code).toBe('wechat.denied');
  });
});

describe('linking and unlinking from the account page', () => {
  it('links WeChat to an email account; refuses a WeChat that belongs to someone else; unlink keeps a way in', async () => {
    const emailUser = await signUp(ctx.app);
    fake.addUser('frank', { nickname: 'Frank', unionid: 'uFrank' });
    const b: Browser = { jar: { paike_session: emailUser.cookie.split('=')[1]! } };
    expect((await start({ jar: {} }, { flow: 'qr', intent: 'link' })).statusCode).toBe(401);
    const { res } = await wechatFlow(b, 'frank', { flow: 'qr', intent: 'link' });
    expect(res.headers.location).toBe('/account?wechat=linked');
    const listed = (await ctx.app.inject({ url: '/api/me/wechat', headers: { cookie: header(b) } })).json().identities;
    expect(listed).toHaveLength(1);

    // Signing in with that WeChat now reaches the email account.
    const other: Browser = { jar: {} };
    await wechatFlow(other, 'frank', { flow: 'qr' });
    expect((await ctx.app.inject({ url: '/api/me', headers: { cookie: header(other) } })).json().id).toBe(emailUser.user.id);

    // Someone else cannot take it (nor, by its unionid, its 公众号 openid).
    const second = await signUp(ctx.app);
    const s: Browser = { jar: { paike_session: second.cookie.split('=')[1]! }, ua: WECHAT_UA };
    const taken = await wechatFlow(s, 'frank', { flow: 'mp', intent: 'link' });
    expect(taken.res.statusCode).toBe(409);
    expect(taken.res.json().error.code).toBe('wechat.linked_elsewhere');

    // Someone else's identity id is "not found".
    const notTheirs = await ctx.app.inject({ method: 'DELETE', url: `/api/me/wechat/${listed[0].id}`, headers: { cookie: second.cookie } });
    expect(notTheirs.statusCode).toBe(404);
    // The email account has a password: unlinking is allowed, and audited.
    const del = await ctx.app.inject({ method: 'DELETE', url: `/api/me/wechat/${listed[0].id}`, headers: { cookie: header(b) } });
    expect(del.statusCode).toBe(204);
    expect((await ctx.app.inject({ url: '/api/me/wechat', headers: { cookie: header(b) } })).json().identities).toEqual([]);
    const audit = await ctx.runtime.services.database.sql.query<{ action: string }>(`SELECT action FROM audit_log WHERE object_id = $1 ORDER BY id`, [
      emailUser.user.id,
    ]);
    expect(audit.rows.map((r) => r.action)).toEqual(['wechat.link', 'wechat.unlink']);
  });

  it('a WeChat-only account cannot unlink its last WeChat, but can unlink one of two', async () => {
    fake.addUser('gina', { nickname: 'Gina', unionid: 'uGina' });
    const b: Browser = { jar: {} };
    await wechatFlow(b, 'gina', { flow: 'qr' });
    await finishSignUp(b, 'Gina');
    const [only] = (await ctx.app.inject({ url: '/api/me/wechat', headers: { cookie: header(b) } })).json().identities;
    const refused = await ctx.app.inject({ method: 'DELETE', url: `/api/me/wechat/${only.id}`, headers: { cookie: header(b), 'accept-language': 'en' } });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({ code: 'wechat.last_sign_in' });
    expect((await ctx.app.inject({ url: '/api/me/wechat', headers: { cookie: header(b) } })).json().identities).toHaveLength(1);

    b.ua = WECHAT_UA;
    await wechatFlow(b, 'gina', { flow: 'mp', intent: 'link' });
    const both = (await ctx.app.inject({ url: '/api/me/wechat', headers: { cookie: header(b) } })).json().identities;
    expect(both).toHaveLength(2);
    expect((await ctx.app.inject({ method: 'DELETE', url: `/api/me/wechat/${only.id}`, headers: { cookie: header(b) } })).statusCode).toBe(204);
    const mpOne = both.find((i: { app: string }) => i.app === 'mp');
    expect((await ctx.app.inject({ method: 'DELETE', url: `/api/me/wechat/${mpOne.id}`, headers: { cookie: header(b) } })).statusCode).toBe(409);
  });
});

describe('WeChat Pay payee', () => {
  async function fund(userId: string, fen: number) {
    const { ledger } = ctx.runtime.services;
    const [account, expense] = await Promise.all([ledger.ensureContributorAccount(userId), ledger.systemAccount('rewards_expense')]);
    await ledger.post({
      idempotencyKey: `test-fund:${userId}`,
      kind: 'adoption_reward',
      entries: [
        { accountId: account.id, amountFen: fen },
        { accountId: expense.id, amountFen: -fen },
      ],
    });
  }
  const payout = (extra: Record<string, unknown> = {}) => ({ requestId: randomUUID(), amountFen: 10_000, method: 'wechat', realName: '韩梅梅', ...extra });

  it('pays the linked 公众号 openid (never a typed ID), and the WeChat CSV carries the openid and app id; a typed 微信号 from before needs re-linking', async () => {
    // Linked only through the website app (QR): no 公众号 openid, so no WeChat payout yet.
    fake.addUser('hana', { nickname: '韩梅梅', unionid: 'uHana' });
    const b: Browser = { jar: {} };
    await wechatFlow(b, 'hana', { flow: 'qr' });
    const user = (await finishSignUp(b, '韩梅梅')).json().user;
    await fund(user.id, 50_000);
    const post = (body: unknown, lang = 'zh-CN') =>
      ctx.app.inject({ method: 'POST', url: '/api/me/payouts', headers: { cookie: header(b), 'accept-language': lang }, payload: body as object });
    const notLinked = await post(payout(), 'en');
    expect(notLinked.statusCode).toBe(409);
    expect(notLinked.json().error.code).toBe('payout.wechat_not_linked');

    // Inside WeChat, the 公众号 joins the account by unionid: now there is a payee.
    b.ua = WECHAT_UA;
    await wechatFlow(b, 'hana', { flow: 'mp' });
    const typed = await post(payout({ account: 'hanmeimei88' }));
    expect(typed.statusCode).toBe(400);
    expect(typed.json().error.code).toBe('payout.wechat_account_typed');
    const ok = await post(payout());
    expect(ok.statusCode, ok.body).toBe(201);
    const openid = fake.openidOf('hana', MP.appId);
    expect(ok.json().payout).toMatchObject({ method: 'wechat', needsRelink: false });
    expect(ok.json().payout.account).not.toBe(openid);

    // A payout from before WeChat linking: a 微信号 typed by hand (no payee app id).
    const legacy = (await post(payout())).json().payout;
    await ctx.runtime.services.database.sql.query(`UPDATE payouts SET payee_app_id = NULL WHERE id = $1`, [legacy.id]);
    const mine = (await ctx.app.inject({ url: '/api/me/payouts', headers: { cookie: header(b) } })).json().payouts;
    expect(mine.find((p: { id: string }) => p.id === legacy.id).needsRelink).toBe(true);
    const refused = await ctx.app.inject({
      method: 'POST',
      url: '/api/finance/payout-batches',
      headers: { cookie: finance.cookie },
      payload: { channel: 'wechat', payoutIds: [legacy.id] },
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('payout.not_batchable');

    const batch = (
      await ctx.app.inject({
        method: 'POST',
        url: '/api/finance/payout-batches',
        headers: { cookie: finance.cookie },
        payload: { channel: 'wechat', payoutIds: [ok.json().payout.id] },
      })
    ).json().batch;
    const csv = (await ctx.app.inject({ method: 'POST', url: `/api/finance/payout-batches/${batch.id}/export.csv`, headers: { cookie: finance.cookie } })).body;
    expect(csv).toBe(
      `\uFEFF商家明细单号,收款用户openid,收款用户姓名,转账金额(元),转账备注,appid\r\n${ok.json().payout.id.replace(/-/g, '')},${openid},韩梅梅,100.00,拍客稿酬,${MP.appId}\r\n`,
    );
  });
});

describe('logs', () => {
  it('neither the code, the token nor the app secret reaches the log, even when WeChat fails', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    // The same services behind an app that logs everything at info, as production does.
    const logged = await buildApp({ services: ctx.runtime.services, logger: pino({ level: 'info' }, sink), serveWeb: false });
    await logged.ready();
    try {
      fake.addUser('kai', { nickname: 'Kai' });
      fake.actAs('kai');
      const b: Browser = { jar: {} };
      const started = await logged.inject({ method: 'POST', url: '/api/auth/wechat/start', payload: { flow: 'qr' } });
      keep(b, started);
      const back = new URL(await fake.authorize(started.json().url));
      fake.platform.down = true;
      const failed = await logged.inject({ url: back.pathname + back.search, headers: { cookie: header(b) } });
      fake.platform.down = false;
      expect(failed.statusCode).toBe(502);
      expect(failed.json().error.code).toBe('wechat.unavailable');
      const code = back.searchParams.get('code')!;
      const text = lines.join('');
      expect(text).toContain('wechat.unavailable');
      for (const secret of [code, OPEN.secret, MP.secret, 'access_token=', 'secret=']) expect(text).not.toContain(secret);
    } finally {
      fake.platform.down = false;
      await logged.close();
    }
  });
});

describe('clean-up', () => {
  it('the hourly clean-up removes WeChat states and pending sign-ups a day past their life', async () => {
    await start({ jar: {} }, { flow: 'qr' });
    const count = async () =>
      (
        await ctx.runtime.services.database.sql.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM wechat_states WHERE expires_at < now() + interval '1 year'`,
        )
      ).rows[0]!.n;
    expect(await count()).toBeGreaterThan(0);
    clock.advance(2 * 86_400_000);
    await ctx.runtime.services.wechat.cleanup();
    expect(await count()).toBe(0);
  });
});

describe('sessions', () => {
  it('a WeChat session is an ordinary session: listed, and signed out like any other', async () => {
    fake.addUser('ivy', { nickname: 'Ivy' });
    const b: Browser = { jar: {} };
    await wechatFlow(b, 'ivy', { flow: 'qr' });
    await finishSignUp(b, 'Ivy');
    const sessions = (await ctx.app.inject({ url: '/api/me/sessions', headers: { cookie: header(b) } })).json().sessions;
    expect(sessions).toHaveLength(1);
    const out = await ctx.app.inject({ method: 'POST', url: '/api/auth/sign-out', headers: { cookie: header(b) } });
    expect(out.statusCode).toBe(204);
    expect(cookieOf(out, 'paike_session')).toBe('');
  });
});

describe('safeNext', () => {
  it('keeps same-origin paths and drops anything a browser could turn into another origin', async () => {
    const { safeNext } = await import('./wechat.service.js');
    expect(safeNext('/c/spring/join?x=1')).toBe('/c/spring/join?x=1');
    for (const bad of ['//evil.example', '/\t/evil.example', '/\n/evil.example', '/\\evil.example', 'https://evil.example', 'evil', '']) {
      expect(safeNext(bad), JSON.stringify(bad)).toBeNull();
    }
  });
});
