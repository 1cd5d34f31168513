import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../app.js';
import { publications } from '../../db/schema.js';
import { demoCampaign } from '../../seed.js';
import {
  createTestContext,
  fixedClock,
  GOOD_PASSWORD,
  processedSubmission,
  sessionCookie,
  signUp,
  staff,
  uniqueEmail,
  type TestContext,
} from '../../testing/harness.js';

// Account deletion and "export my data", over HTTP on a real database (PGlite, or PostgreSQL
// when DATABASE_URL is set), with money put on the account by the real adoption path.

const clock = fixedClock('2026-12-01T02:00:00Z');
let ctx: TestContext;
let web: FastifyInstance;
let webDir: string;
let campaignId: string;
let chief: { cookie: string };
let finance: { cookie: string };

beforeAll(async () => {
  ctx = await createTestContext({ clock });
  // The server-rendered video page (link previews) needs the built app's index.html as its template.
  webDir = mkdtempSync(path.join(tmpdir(), 'paike-privacy-web-'));
  const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web/index.html');
  writeFileSync(path.join(webDir, 'index.html'), readFileSync(src, 'utf8').replace('<script type="module" src="./main.tsx"></script>', ''));
  web = await buildApp({ services: ctx.runtime.services, webDir });
  const admin = await staff(ctx, ['admin']);
  chief = await staff(ctx, ['chief_editor']);
  finance = await staff(ctx, ['finance']);
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/api/admin/campaigns',
    headers: { cookie: admin.cookie },
    payload: { ...demoCampaign(clock.now()), slug: 'privacy-test' },
  });
  campaignId = res.json().campaign.id;
  const funded = await ctx.app.inject({
    method: 'POST',
    url: `/api/finance/campaigns/${campaignId}/budget`,
    headers: { cookie: finance.cookie },
    payload: { requestId: randomUUID(), amountFen: 100_000_000 },
  });
  expect(funded.statusCode).toBe(200);
}, 60_000);
afterAll(async () => {
  await web?.close();
  await ctx?.close();
  if (webDir) rmSync(webDir, { recursive: true, force: true });
});

const call = (method: 'GET' | 'POST' | 'PUT', cookie: string, url: string, payload?: unknown, lang = 'zh-CN') =>
  ctx.app.inject({ method, url, headers: { cookie, 'accept-language': lang }, payload: payload as object });
const sql = <T>(q: string, params: unknown[] = []) => ctx.runtime.services.database.sql.query<T>(q, params).then((r) => r.rows);

/** A contributor with an adopted (grade B: 2,000 yuan) video published on Paike's own site. */
async function adoptedContributor(name: string) {
  const email = uniqueEmail('erase');
  const u = await signUp(ctx.app, { email, name, campaignId });
  const sub = await processedSubmission(ctx, { userId: u.user.id, campaignId, at: clock.now(), title: '回家的路' });
  const adopted = await call('POST', chief.cookie, `/api/desk/submissions/${sub.id}/adopt`, { grade: 'B' });
  expect(adopted.statusCode).toBe(200);
  await ctx.runtime.services.database.db
    .insert(publications)
    .values({ submissionId: sub.id, channel: 'app', status: 'live', idempotencyKey: `privacy-test:${sub.id}`, publishedAt: clock.now() });
  // An editor credited the contributor by name on the site's package.
  const pkg = await call('PUT', chief.cookie, `/api/desk/submissions/${sub.id}/packages/app`, {
    headline: '回家的路',
    summary: '',
    tags: [],
    coverKey: null,
    credit: name,
  });
  expect(pkg.statusCode).toBe(200);
  return { ...u, email, submissionId: sub.id };
}

describe('deleting my account', () => {
  it('is refused while a balance or a withdrawal is open, then erases the account and keeps the books balanced', async () => {
    const name = '王小明';
    const u = await adoptedContributor(name);
    expect((await call('GET', u.cookie, '/api/me/ledger')).json().balanceFen).toBe(200_000);
    const videoBefore = (await web.inject({ method: 'GET', url: `/api/videos/${u.submissionId}` })).json().video;
    expect(videoBefore.credit).toBe(name);

    // The account page learns why first, in the user's language.
    const status = await call('GET', u.cookie, '/api/me/erasure');
    expect(status.json()).toMatchObject({ allowed: false, staff: false, reauth: 'password' });
    expect(status.json().blockers).toEqual([
      { code: 'erasure.balance_positive', amountFen: 200_000, message: '你的余额还有 2000.00 元，请先提现，到账后再注销账户。' },
    ]);
    const refused = await call('POST', u.cookie, '/api/me/erasure', { confirm: true, password: GOOD_PASSWORD }, 'en');
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({
      code: 'erasure.open_money',
      message:
        'Money on this account is still open, so it cannot be deleted yet: You still have 2000.00 yuan on your balance. Withdraw it first; once it has been paid you can delete your account.',
      details: { blockers: [{ code: 'erasure.balance_positive', amountFen: 200_000 }] },
    });
    // Nothing half done: still signed in, the video still credited by name.
    expect((await call('GET', u.cookie, '/api/me')).json().name).toBe(name);

    // Withdraw everything: while the payout is on its way the account stays open.
    const payout = await call('POST', u.cookie, '/api/me/payouts', {
      requestId: randomUUID(),
      amountFen: 200_000,
      method: 'bank',
      realName: name,
      account: '6222 0212 3456 7890 1234',
      bankName: '中国工商银行成都分行',
    });
    expect(payout.statusCode).toBe(201);
    const payoutId = payout.json().payout.id as string;
    const pending = await call('POST', u.cookie, '/api/me/erasure', { confirm: true, password: GOOD_PASSWORD });
    expect(pending.statusCode).toBe(409);
    expect(pending.json().error.message).toBe('账户里还有未结清的款项，暂时不能注销：你有 1 笔提现还在处理中，完成后才能注销账户。');
    const batch = await call('POST', finance.cookie, '/api/finance/payout-batches', { channel: 'bank', payoutIds: [payoutId] });
    expect(batch.statusCode).toBe(201);
    expect((await call('POST', finance.cookie, `/api/finance/payouts/${payoutId}/mark`, { status: 'paid' })).statusCode).toBe(200);
    expect((await call('GET', u.cookie, '/api/me/erasure')).json()).toMatchObject({ allowed: true, blockers: [] });

    // Re-authentication and the explicit confirmation are both required.
    expect((await call('POST', u.cookie, '/api/me/erasure', { password: GOOD_PASSWORD })).statusCode).toBe(400);
    expect((await call('POST', u.cookie, '/api/me/erasure', { confirm: true })).json().error.code).toBe('erasure.password_required');
    const wrong = await call('POST', u.cookie, '/api/me/erasure', { confirm: true, password: 'not my password at all' });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().error.code).toBe('erasure.wrong_password');

    const entriesBefore = (await sql<{ n: number }>('SELECT count(*)::int AS n FROM ledger_entries'))[0]!.n;
    const reconBefore = (await call('GET', finance.cookie, '/api/finance/reconciliation')).json();
    expect(reconBefore).toMatchObject({ ok: true, totalFen: 0, mismatches: [] });
    const done = await call('POST', u.cookie, '/api/me/erasure', { confirm: true, password: GOOD_PASSWORD });
    expect(done.statusCode).toBe(200);
    expect(done.json()).toEqual({ erased: true });
    expect(done.cookies.find((c) => c.name === 'paike_session')?.value).toBe('');

    // Signed out everywhere, and no way back in.
    expect((await call('GET', u.cookie, '/api/me')).statusCode).toBe(401);
    const signIn = await ctx.app.inject({ method: 'POST', url: '/api/auth/sign-in/email', payload: { email: u.email, password: GOOD_PASSWORD } });
    expect(signIn.statusCode).toBe(401);
    // Deleting again (a retry after the answer was lost) changes nothing: the session is gone.
    expect((await call('POST', u.cookie, '/api/me/erasure', { confirm: true, password: GOOD_PASSWORD })).statusCode).toBe(401);

    // The row left behind holds no personal data.
    const [row] = await sql<{ name: string; email: string; phone: string | null; password_hash: string | null; disabled: boolean }>(
      'SELECT name, email, phone, password_hash, disabled FROM users WHERE id = $1',
      [u.user.id],
    );
    expect(row).toEqual({ name: '拍客', email: `deleted-${u.user.id}@paike.invalid`, phone: null, password_hash: null, disabled: true });
    expect(await sql('SELECT 1 FROM sessions WHERE user_id = $1', [u.user.id])).toHaveLength(0);
    expect(await sql('SELECT 1 FROM campaign_members WHERE user_id = $1', [u.user.id])).toHaveLength(0);
    // The adopted video stays (the campaign terms), without the name its file came with.
    expect((await sql('SELECT status, original_filename FROM submissions WHERE id = $1', [u.submissionId]))[0]).toEqual({
      status: 'adopted',
      original_filename: 'erased',
    });

    // The books: every entry kept, with the anonymous account; reconciliation unchanged.
    expect((await sql<{ n: number }>('SELECT count(*)::int AS n FROM ledger_entries'))[0]!.n).toBe(entriesBefore);
    const recon = (await call('GET', finance.cookie, '/api/finance/reconciliation')).json();
    expect(recon).toEqual(reconBefore);
    const kept = await sql<{ kind: string }>(
      `SELECT t.kind FROM ledger_entries e JOIN ledger_transfers t ON t.id = e.transfer_id JOIN ledger_accounts a ON a.id = e.account_id
       WHERE a.kind = 'contributor' AND a.user_id = $1 ORDER BY e.id`,
      [u.user.id],
    );
    expect(kept.map((k) => k.kind)).toEqual(['adoption_reward', 'payout']);
    // The paid payout stays a record of a payment (masked); finance still sees it paid.
    const [paid] = await sql<{ status: string; real_name_masked: string }>('SELECT status, real_name_masked FROM payouts WHERE id = $1', [payoutId]);
    expect(paid).toEqual({ status: 'paid', real_name_masked: '王**' });

    // Published credits read 拍客: the video API, the contributor page, the feed and the video page.
    const video = (await web.inject({ method: 'GET', url: `/api/videos/${u.submissionId}` })).json().video;
    expect(video.credit).toBe('拍客');
    expect(video.contributor.name).toBe('拍客');
    expect((await web.inject({ method: 'GET', url: `/api/contributors/${u.user.id}` })).json().contributor.name).toBe('拍客');
    const page = await web.inject({ method: 'GET', url: `/v/${u.submissionId}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('拍客');
    expect(page.body).not.toContain(name);
    const rss = await web.inject({ method: 'GET', url: '/rss.xml' });
    expect(rss.body).not.toContain(name);

    // An audit row, without personal data.
    const audit = await sql<{ action: string; data: unknown }>(`SELECT action, data FROM audit_log WHERE action = 'account.erase' AND object_id = $1`, [
      u.user.id,
    ]);
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0]!.data)).not.toMatch(new RegExp(`${name}|${u.email}`));

    // The same email signs up again as a new person, with nothing of the old account.
    const again = await signUp(ctx.app, { email: u.email, name: '新用户' });
    expect(again.user.id).not.toBe(u.user.id);
    expect((await call('GET', again.cookie, '/api/me/ledger')).json()).toMatchObject({ balanceFen: 0, entries: [] });
  });

  it('is refused while a red-packet win is unpaid or held, or a prize waits for review', async () => {
    const u = await signUp(ctx.app, { campaignId });
    const sub = await processedSubmission(ctx, { userId: u.user.id, campaignId, at: clock.now() });
    // The rows the rain and propagation modules leave: a held win without a transfer, a held prize.
    const [session] = await sql<{ id: string }>(
      `INSERT INTO rain_sessions (campaign_id, starts_at, ends_at, budget_fen, packet_count) VALUES ($1, $2, $3, 1000, 1) RETURNING id`,
      [campaignId, new Date(clock.now().getTime() - 3_600_000), new Date(clock.now().getTime() - 3_000_000)],
    );
    await sql(`INSERT INTO rain_packets (session_id, idx, amount_fen) VALUES ($1, 0, 1000)`, [session!.id]);
    await sql(
      `INSERT INTO rain_grabs (session_id, user_id, packet_idx, amount_fen, won_at, source, held, hold_reason, ip, device_id)
       VALUES ($1, $2, 0, 1000, $3, 'postgres', true, 'account_age', '203.0.113.7', 'device-1')`,
      [session!.id, u.user.id, clock.now()],
    );
    await sql(
      `INSERT INTO propagation_holds (kind, ledger_key, campaign_id, submission_id, user_id, amount_fen, reason)
       VALUES ('weekly_prize', $1, $2, $3, $4, 5000, '{}')`,
      [`test-hold:${sub.id}`, campaignId, sub.id, u.user.id],
    );
    const status = (await call('GET', u.cookie, '/api/me/erasure', undefined, 'en')).json();
    expect(status.allowed).toBe(false);
    expect(status.blockers.map((b: { code: string; count: number }) => [b.code, b.count])).toEqual([
      ['erasure.rain_unpaid', 1],
      ['erasure.reward_pending', 1],
    ]);
    const refused = await call('POST', u.cookie, '/api/me/erasure', { confirm: true, password: GOOD_PASSWORD });
    expect(refused.statusCode).toBe(409);
    // Nothing half done: the video in review was not withdrawn, the win keeps its device.
    expect((await sql<{ status: string }>('SELECT status FROM submissions WHERE id = $1', [sub.id]))[0]!.status).toBe('in_review');
    expect((await sql<{ device_id: string }>('SELECT device_id FROM rain_grabs WHERE user_id = $1', [u.user.id]))[0]!.device_id).toBe('device-1');
  });

  it('is idempotent: a second deletion of the same account writes nothing more', async () => {
    const u = await signUp(ctx.app, { campaignId });
    const { erasure } = ctx.runtime.services.privacy;
    const user = (await ctx.runtime.services.accounts.getUser(u.user.id))!;
    await erasure.erase(user, { confirm: true, password: GOOD_PASSWORD }, 'zh-CN', null);
    // The same request again (the user row as it was when it was authenticated): no error, no second audit row.
    await erasure.erase(user, { confirm: true, password: GOOD_PASSWORD }, 'zh-CN', null);
    expect(await sql(`SELECT 1 FROM audit_log WHERE action = 'account.erase' AND object_id = $1`, [u.user.id])).toHaveLength(1);
  });

  it('takes the WeChat link and the push subscriptions with it, a notice already pushed included', async () => {
    const u = await signUp(ctx.app, { campaignId });
    const id = u.user.id as string;
    await sql(`INSERT INTO identities (user_id, provider, app_id, app_kind, openid, unionid) VALUES ($1, 'wechat', 'wxmp', 'mp', $2, $3)`, [
      id,
      `o-${id}`,
      `u-${id}`,
    ]);
    const [sub] = await sql<{ id: string }>(`INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth) VALUES ($1, $2, 'key', 'secret') RETURNING id`, [
      id,
      `https://fcm.googleapis.com/fcm/send/${id}`,
    ]);
    const [notice] = await sql<{ id: string }>(`INSERT INTO notices (user_id, kind, dedupe_key) VALUES ($1, 'reach', $2) RETURNING id`, [id, `t-${id}`]);
    await sql(`INSERT INTO notice_push_deliveries (notice_id, subscription_id, status) VALUES ($1, $2, 'sent')`, [notice!.id, sub!.id]);
    const user = (await ctx.runtime.services.accounts.getUser(id))!;
    await ctx.runtime.services.privacy.erasure.erase(user, { confirm: true, password: GOOD_PASSWORD }, 'zh-CN', null);
    expect(await sql(`SELECT 1 FROM identities WHERE user_id = $1`, [id])).toHaveLength(0);
    expect(await sql(`SELECT 1 FROM push_subscriptions WHERE user_id = $1`, [id])).toHaveLength(0);
    expect(await sql(`SELECT 1 FROM notice_push_deliveries WHERE notice_id = $1`, [notice!.id])).toHaveLength(0);
  });

  it('confirms a phone-only account with a fresh SMS code; the number can sign up again as someone new', async () => {
    const phone = '+8613900139077';
    await ctx.app.inject({ method: 'POST', url: '/api/auth/phone/send-code', payload: { phone } });
    const code = ctx.sms.sent.at(-1)!.code;
    const signIn = await ctx.app.inject({ method: 'POST', url: '/api/auth/sign-in/phone', payload: { phone, code, name: '李华' } });
    expect(signIn.statusCode).toBe(200);
    const cookie = sessionCookie(signIn);
    const oldId = signIn.json().user.id as string;

    expect((await call('GET', cookie, '/api/me/erasure')).json()).toMatchObject({ allowed: true, reauth: 'sms', phoneMasked: '+86139****9077' });
    expect((await call('POST', cookie, '/api/me/erasure', { confirm: true })).json().error.code).toBe('erasure.code_required');
    expect((await call('POST', cookie, '/api/me/erasure/code')).statusCode).toBe(202);
    const fresh = ctx.sms.sent.at(-1)!;
    expect(fresh.phone).toBe(phone);
    const wrongCode = fresh.code === '000000' ? '111111' : '000000';
    expect((await call('POST', cookie, '/api/me/erasure', { confirm: true, code: wrongCode })).json().error.code).toBe('auth.code_invalid');
    expect((await call('POST', cookie, '/api/me/erasure', { confirm: true, code: fresh.code })).statusCode).toBe(200);

    await ctx.app.inject({ method: 'POST', url: '/api/auth/phone/send-code', payload: { phone } });
    const back = await ctx.app.inject({ method: 'POST', url: '/api/auth/sign-in/phone', payload: { phone, code: ctx.sms.sent.at(-1)!.code } });
    expect(back.json().error.code).toBe('auth.name_required');
    const anew = await ctx.app.inject({ method: 'POST', url: '/api/auth/sign-in/phone', payload: { phone, code: ctx.sms.sent.at(-1)!.code, name: '新人' } });
    expect(anew.statusCode).toBe(200);
    expect(anew.json().user.id).not.toBe(oldId);
  });

  it('confirms a WeChat-only account (no password, no phone) by a sign-in made in the last 10 minutes', async () => {
    const [row] = await sql<{ id: string }>(`INSERT INTO users (name, locale) VALUES ('微信用户', 'zh-CN') RETURNING id`);
    const user = (await ctx.runtime.services.accounts.getUser(row!.id))!;
    // As WeChat sign-in makes it: a session for an account with neither password nor phone.
    const signedIn = await ctx.runtime.services.accounts.startSession(user, { userAgent: 'MicroMessenger', ip: '203.0.113.9' });
    const cookie = `paike_session=${signedIn.token}`;
    const fresh = (await call('GET', cookie, '/api/me/erasure')).json();
    expect(fresh).toMatchObject({ allowed: true, reauth: 'recent_sign_in', recentUntil: new Date(clock.now().getTime() + 10 * 60_000).toISOString() });

    // Eleven minutes later the same session no longer proves the person is present.
    clock.advance(11 * 60_000);
    const stale = (await call('GET', cookie, '/api/me/erasure')).json();
    expect(stale).toMatchObject({ allowed: false, reauth: 'recent_sign_in', recentUntil: null });
    const refused = await call('POST', cookie, '/api/me/erasure', { confirm: true }, 'en');
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatchObject({ code: 'erasure.sign_in_again', message: expect.stringMatching(/sign in again with WeChat/) });
    expect((await ctx.runtime.services.accounts.getUser(row!.id))!.disabled).toBe(false);

    // Signing in again (a new session) makes it possible.
    const again = await ctx.runtime.services.accounts.startSession(user, { userAgent: 'MicroMessenger', ip: '203.0.113.9' });
    const done = await call('POST', `paike_session=${again.token}`, '/api/me/erasure', { confirm: true });
    expect(done.statusCode, done.body).toBe(200);
    expect((await ctx.runtime.services.accounts.getUser(row!.id))!).toMatchObject({ name: '拍客', disabled: true });
  });

  it('is not for staff accounts, nor for anyone signed out', async () => {
    const editor = await staff(ctx, ['editor']);
    const res = await call('POST', editor.cookie, '/api/me/erasure', { confirm: true, password: GOOD_PASSWORD });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('erasure.staff_account');
    expect((await call('GET', editor.cookie, '/api/me/erasure')).json()).toMatchObject({ allowed: false, staff: true });
    expect((await ctx.app.inject({ method: 'POST', url: '/api/me/erasure', payload: { confirm: true } })).statusCode).toBe(401);
  });
});

describe('exporting my data', () => {
  it('downloads my own data as a JSON file and nothing of anyone else', async () => {
    const me = await adoptedContributor('导出者');
    const other = await adoptedContributor('别人');
    const res = await call('GET', me.cookie, '/api/me/data-export');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.headers['content-disposition']).toBe('attachment; filename="paike-my-data-2026-12-01.json"');
    expect(res.headers['cache-control']).toBe('no-store');
    const data = res.json();
    expect(data.format).toBe('paike-my-data/1');
    expect(data.profile).toMatchObject({ id: me.user.id, email: me.email, name: '导出者' });
    expect(data.campaignMemberships).toEqual([expect.objectContaining({ campaignId, slug: 'privacy-test' })]);
    expect(data.submissions).toEqual([expect.objectContaining({ id: me.submissionId, status: 'adopted', grade: 'B', title: '回家的路' })]);
    expect(data.ledger).toMatchObject({ balanceFen: 200_000, entries: [expect.objectContaining({ kind: 'adoption_reward', amountFen: 200_000 })] });
    expect(data.sessions).toHaveLength(1);
    const text = res.body;
    for (const leak of [other.user.id, other.email, other.submissionId, '别人']) expect(text).not.toContain(leak);

    expect((await ctx.app.inject({ method: 'GET', url: '/api/me/data-export' })).statusCode).toBe(401);
  });
});
