import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCampaign } from '../../seed.js';
import { createTestContext, fixedClock, processedSubmission, signUp, staff, type TestContext } from '../../testing/harness.js';
import { noticeText } from './notices.service.js';

// Every decision reaches the contributor (issue 13, item 4): each decision creates its notice once,
// in the decision's own transaction, and the notice reads right in both languages.

// The clock starts at the real time so accounts' created_at (set by the database) lines up with it (rain's account age).
const clock = fixedClock(new Date());
let ctx: TestContext;
let chief: { cookie: string; user: { id: string } };
let finance: { cookie: string };
let admin: { cookie: string };
let campaignId: string;

beforeAll(async () => {
  ctx = await createTestContext({ clock });
  [chief, finance, admin] = await Promise.all([staff(ctx, ['chief_editor']), staff(ctx, ['finance']), staff(ctx, ['admin'])]);
  campaignId = (await ctx.runtime.services.campaigns.create(null, { ...demoCampaign(clock.now()), slug: `notices-${randomBytes(4).toString('hex')}` })).id;
}, 120_000);
afterAll(async () => {
  await ctx?.close();
});

const db = () => ctx.runtime.services.database.db;
const rows = <T>(r: unknown): T[] => (r as { rows?: T[] }).rows ?? (r as T[]);
const post = (cookie: string, url: string, payload?: object, headers: Record<string, string> = {}) =>
  ctx.app.inject({ method: 'POST', url, headers: { cookie, ...headers }, payload });

interface NoticeDb {
  id: string;
  kind: string;
  params: Record<string, string | number>;
  created_at: Date | string;
}
async function noticesOf(userId: string, kind: string): Promise<NoticeDb[]> {
  return rows<NoticeDb>(await db().execute(sql`SELECT id, kind, params, created_at FROM notices WHERE user_id = ${userId} AND kind = ${kind}`));
}
/** The audit row's time: now() is the transaction's start, so an equal time means the same transaction. */
async function auditAt(action: string, objectId: string): Promise<number> {
  const [row] = rows<{ at: Date | string }>(
    await db().execute(sql`SELECT at FROM audit_log WHERE action = ${action} AND object_id = ${objectId} ORDER BY id DESC LIMIT 1`),
  );
  return new Date(row!.at).getTime();
}
const time = (n: NoticeDb) => new Date(n.created_at).getTime();
const text = (n: NoticeDb, locale: 'zh-CN' | 'en') => noticeText({ kind: n.kind as never, params: n.params }, locale);

async function inReview(title: string) {
  const c = await signUp(ctx.app, { campaignId });
  const s = await processedSubmission(ctx, { userId: c.user.id, campaignId, at: clock.now(), title });
  return { contributor: c, id: s.id };
}

describe('desk decisions', () => {
  it('adopted: once, in the adoption’s transaction, with grade and reward in yuan', async () => {
    const { contributor, id } = await inReview('回家的路');
    expect((await post(chief.cookie, `/api/desk/submissions/${id}/adopt`, { grade: 'C' })).statusCode).toBe(200);
    expect((await post(chief.cookie, `/api/desk/submissions/${id}/adopt`, { grade: 'C' })).statusCode).toBe(200);
    const [n, ...more] = await noticesOf(contributor.user.id, 'adopted');
    expect(more).toHaveLength(0);
    expect(time(n!)).toBe(await auditAt('submission.adopt', id));
    expect(text(n!, 'zh-CN')).toBe('《回家的路》已被采用：评级 C，奖励 500.00 元已计入余额。');
    expect(text(n!, 'en')).toBe('“回家的路” has been adopted: grade C, a reward of 500.00 yuan is in your balance.');
    // The contributor's own list shows it in the request's language.
    const mine = await ctx.app.inject({ method: 'GET', url: '/api/me/notices', headers: { cookie: contributor.cookie, 'accept-language': 'en' } });
    expect(mine.json().notices[0].text).toContain('grade C');

    // Regraded C → B: the difference, once per grade change.
    expect((await post(chief.cookie, `/api/desk/submissions/${id}/grade`, { grade: 'B', expectedGrade: 'C' })).statusCode).toBe(200);
    expect((await post(chief.cookie, `/api/desk/submissions/${id}/grade`, { grade: 'B', expectedGrade: 'C' })).statusCode).toBe(200);
    const [r, ...again] = await noticesOf(contributor.user.id, 'regraded');
    expect(again).toHaveLength(0);
    expect(time(r!)).toBe(await auditAt('submission.regrade', id));
    expect(text(r!, 'zh-CN')).toBe('《回家的路》的评级由 C 调整为 B，奖励增加 1500.00 元。');
    expect(text(r!, 'en')).toBe('The grade of “回家的路” changed from C to B; your reward rises by 1500.00 yuan.');
    expect((await post(chief.cookie, `/api/desk/submissions/${id}/grade`, { grade: 'D', expectedGrade: 'B' })).statusCode).toBe(200);
    const down = (await noticesOf(contributor.user.id, 'regraded')).find((x) => x.params.to === 'D')!;
    expect(text(down, 'en')).toContain('falls by 1900.00 yuan');
  });

  it('rejected: once, in the rejection’s transaction, the reason in the reader’s language', async () => {
    const { contributor, id } = await inReview('夜市');
    expect((await post(chief.cookie, `/api/desk/submissions/${id}/reject`, { reason: 'off_theme', note: '请拍摄回家的路' })).statusCode).toBe(200);
    expect((await post(chief.cookie, `/api/desk/submissions/${id}/reject`, { reason: 'off_theme', note: '请拍摄回家的路' })).statusCode).toBe(200);
    const [n, ...more] = await noticesOf(contributor.user.id, 'rejected');
    expect(more).toHaveLength(0);
    expect(time(n!)).toBe(await auditAt('submission.reject', id));
    expect(text(n!, 'zh-CN')).toBe('《夜市》未被采用。这条视频与活动主题不符。 — 请拍摄回家的路');
    expect(text(n!, 'en')).toBe('“夜市” was not adopted. The video does not fit the campaign’s theme. — 请拍摄回家的路');
  });
});

describe('payout decisions', () => {
  async function batchedPayout(fen: number) {
    const u = await signUp(ctx.app);
    const { ledger } = ctx.runtime.services;
    const [account, expense] = await Promise.all([ledger.ensureContributorAccount(u.user.id), ledger.systemAccount('rewards_expense')]);
    await ledger.post({
      idempotencyKey: `test-fund:${u.user.id}`,
      kind: 'adoption_reward',
      entries: [
        { accountId: account.id, amountFen: fen },
        { accountId: expense.id, amountFen: -fen },
      ],
    });
    const req = await post(u.cookie, '/api/me/payouts', {
      requestId: randomUUID(),
      amountFen: fen,
      method: 'alipay',
      realName: '张三丰',
      account: '13800138000',
    });
    expect(req.statusCode, req.body).toBe(201);
    const payoutId = req.json().payout.id as string;
    expect((await post(finance.cookie, '/api/finance/payout-batches', { channel: 'alipay', payoutIds: [payoutId] })).statusCode).toBe(201);
    return { user: u, payoutId };
  }

  it('payout paid and payout failed: once each, in the mark’s transaction, with the amount and the reason', async () => {
    const paid = await batchedPayout(12_345);
    expect((await post(finance.cookie, `/api/finance/payouts/${paid.payoutId}/mark`, { status: 'paid' })).statusCode).toBe(200);
    expect((await post(finance.cookie, `/api/finance/payouts/${paid.payoutId}/mark`, { status: 'paid' })).statusCode).toBe(200);
    const [p, ...more] = await noticesOf(paid.user.user.id, 'payout_paid');
    expect(more).toHaveLength(0);
    expect(time(p!)).toBe(await auditAt('payout.mark_paid', paid.payoutId));
    expect(text(p!, 'zh-CN')).toBe('你的提现 123.45 元已付款。');
    expect(text(p!, 'en')).toBe('Your payout of 123.45 yuan has been paid.');

    const failed = await batchedPayout(20_000);
    const mark = await post(finance.cookie, `/api/finance/payouts/${failed.payoutId}/mark`, { status: 'failed', reason: '收款账户不存在' });
    expect(mark.statusCode, mark.body).toBe(200);
    const [f] = await noticesOf(failed.user.user.id, 'payout_failed');
    expect(time(f!)).toBe(await auditAt('payout.mark_failed', failed.payoutId));
    expect(text(f!, 'zh-CN')).toBe('你的提现 200.00 元未能付款：收款账户不存在。金额已退回余额。');
    expect(text(f!, 'en')).toBe('Your payout of 200.00 yuan could not be paid: 收款账户不存在. The amount is back in your balance.');
  });
});

describe('rain decisions', () => {
  async function heldWin() {
    const start = new Date(clock.now().getTime() - 1000 - Math.floor(Math.random() * 1000));
    const s = await post(admin.cookie, `/api/admin/campaigns/${campaignId}/rain/sessions`, {
      startsAt: start.toISOString(),
      durationSeconds: 60,
      budgetFen: 1000,
      packetCount: 5,
      eligibility: { requireSubmission: false },
    });
    expect(s.statusCode, s.body).toBe(201);
    const sessionId = s.json().session.id as string;
    // A two-hour-old account: its win is held for review.
    const young = await signUp(ctx.app, { campaignId });
    await db().execute(sql`UPDATE users SET created_at = ${new Date(clock.now().getTime() - 2 * 3600_000)} WHERE id = ${young.user.id}`);
    const ip = `10.77.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
    const tok = await ctx.app.inject({ method: 'GET', url: `/api/rain/sessions/${sessionId}/token`, headers: { cookie: young.cookie }, remoteAddress: ip });
    const won = await ctx.app.inject({
      method: 'POST',
      url: `/api/rain/sessions/${sessionId}/grab`,
      headers: { cookie: young.cookie, 'x-rain-token': tok.json().token },
      remoteAddress: ip,
    });
    expect(won.json().held).toBe(true);
    const grab = (await ctx.runtime.services.rain.listGrabs(sessionId)).find((g) => g.userId === young.user.id)!;
    return { young, grab, sessionId };
  }

  it('held, then released: a notice each, once; earnings’ list shows the win as held, then paid, after the session ended', async () => {
    const { young, grab } = await heldWin();
    const [h, ...more] = await noticesOf(young.user.id, 'rain_held');
    expect(more).toHaveLength(0);
    expect(h!.params.amountFen).toBe(grab.amountFen);
    expect(text(h!, 'zh-CN')).toMatch(/^你在红包雨中抢到 \d+\.\d\d 元，审核中/);
    expect(text(h!, 'en')).toMatch(/^You won \d+\.\d\d yuan in the red-packet rain\. It is under review/);

    clock.advance(61_000);
    const wins = await ctx.app.inject({ method: 'GET', url: '/api/me/rain-wins', headers: { cookie: young.cookie } });
    expect(wins.json()).toMatchObject({ heldFen: grab.amountFen, wins: [{ id: grab.id, status: 'held', amountFen: grab.amountFen }] });

    expect((await post(admin.cookie, `/api/admin/rain/grabs/${grab.id}/release`)).statusCode).toBe(200);
    expect((await post(admin.cookie, `/api/admin/rain/grabs/${grab.id}/release`)).statusCode).toBe(200);
    const [r, ...again] = await noticesOf(young.user.id, 'rain_released');
    expect(again).toHaveLength(0);
    expect(time(r!)).toBe(await auditAt('rain.release', grab.id));
    expect(text(r!, 'en')).toMatch(/passed review and is in your balance/);
    const after = await ctx.app.inject({ method: 'GET', url: '/api/me/rain-wins', headers: { cookie: young.cookie } });
    expect(after.json()).toMatchObject({ heldFen: 0, wins: [{ id: grab.id, status: 'paid' }] });
    // A released win cannot be refused.
    expect((await post(admin.cookie, `/api/admin/rain/grabs/${grab.id}/refuse`, {})).statusCode).toBe(409);
  });

  it('held, then refused: never paid, the winner told once; only an admin refuses', async () => {
    const { young, grab, sessionId } = await heldWin();
    expect((await post(young.cookie, `/api/admin/rain/grabs/${grab.id}/refuse`, {})).statusCode).toBe(403);
    const refused = await post(admin.cookie, `/api/admin/rain/grabs/${grab.id}/refuse`, { reason: '同一设备多个账号' });
    expect(refused.statusCode, refused.body).toBe(200);
    expect(refused.json().grab.refusedAt).not.toBeNull();
    expect((await post(admin.cookie, `/api/admin/rain/grabs/${grab.id}/refuse`, {})).statusCode).toBe(200);
    // The admin's list of the session's wins says it was refused (no Release/Refuse buttons left).
    const listed = await ctx.app.inject({ method: 'GET', url: `/api/admin/rain/sessions/${sessionId}/grabs`, headers: { cookie: admin.cookie } });
    expect(listed.json().grabs.find((g: { id: string }) => g.id === grab.id)).toMatchObject({ held: true, releasedAt: null, refusedAt: expect.any(String) });
    const [n, ...more] = await noticesOf(young.user.id, 'rain_refused');
    expect(more).toHaveLength(0);
    expect(time(n!)).toBe(await auditAt('rain.refuse', grab.id));
    expect(text(n!, 'zh-CN')).toMatch(/未通过审核，不予发放。$/);
    // Settling the session and releasing it afterwards pay nothing.
    clock.advance(61_000);
    await ctx.runtime.services.rain.settle(sessionId);
    const rel = await post(admin.cookie, `/api/admin/rain/grabs/${grab.id}/release`, undefined, { 'accept-language': 'en' });
    expect(rel.statusCode).toBe(409);
    expect(rel.json().error.message).toBe('This win was refused and cannot be released.');
    expect((await ctx.runtime.services.rain.listGrabs(sessionId)).find((g) => g.id === grab.id)!.transferId).toBeNull();
    const wins = await ctx.app.inject({ method: 'GET', url: '/api/me/rain-wins', headers: { cookie: young.cookie } });
    expect(wins.json()).toMatchObject({ heldFen: 0, wins: [{ id: grab.id, status: 'refused' }] });
  });
});

describe('weekly-chart prize', () => {
  it('a chart notice with a prize says the prize in yuan, in both languages', () => {
    const params = { title: '回家的路', week: '2030-W05', rank: 1, prizeFen: 200_000 };
    expect(noticeText({ kind: 'chart', params }, 'zh-CN')).toBe('《回家的路》登上风云榜 2030-W05 第 1 名，获奖金 2000.00 元！');
    expect(noticeText({ kind: 'chart', params }, 'en')).toBe('“回家的路” is number 1 on the weekly chart for 2030-W05 and wins 2000.00 yuan!');
    expect(noticeText({ kind: 'chart', params: { ...params, prizeFen: 0 } }, 'en')).toBe('“回家的路” is number 1 on the weekly chart for 2030-W05!');
  });
});
