import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCampaign } from '../../seed.js';
import { createTestContext, fixedClock, processedSubmission, signUp, staff, type TestContext } from '../../testing/harness.js';
import { ledgerFacts } from './ledger.fixtures.js';

// A downward regrade after the contributor withdrew: the claw-back (docs/ledger.md, "Claw-back").
const clock = fixedClock('2026-11-27T04:00:00Z');
let ctx: TestContext;
let chief: { cookie: string };
let finance: { cookie: string };
let campaignId: string;

beforeAll(async () => {
  ctx = await createTestContext({ clock });
  const admin = await staff(ctx, ['admin']);
  chief = await staff(ctx, ['chief_editor']);
  finance = await staff(ctx, ['finance']);
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/api/admin/campaigns',
    headers: { cookie: admin.cookie },
    payload: { ...demoCampaign(clock.now()), slug: `clawback-${randomUUID().slice(0, 8)}` },
  });
  campaignId = res.json().campaign.id;
});
afterAll(async () => {
  await ctx?.close();
});

const call = (method: 'GET' | 'POST', cookie: string, url: string, payload?: unknown, lang = 'zh-CN') =>
  ctx.app.inject({ method, url, headers: { cookie, 'accept-language': lang }, payload: payload as object });
const statement = async (cookie: string) =>
  (await call('GET', cookie, '/api/me/ledger')).json() as { balanceFen: number; owedFen: number; entries: { kind: string; amountFen: number }[] };
const withdraw = (cookie: string, amountFen: number, lang?: string) =>
  call('POST', cookie, '/api/me/payouts', { requestId: randomUUID(), amountFen, method: 'alipay', realName: '林勇刚', account: '13800138000' }, lang);

/** A video of `cookie`'s contributor in review (the pipeline itself is tested in submissions/), adopted at `grade`. */
async function adopted(contributor: { cookie: string; user: { id: string } }, grade: string) {
  const row = await processedSubmission(ctx, { userId: contributor.user.id, campaignId, at: clock.now() });
  const res = await call('POST', chief.cookie, `/api/desk/submissions/${row.id}/adopt`, { grade });
  expect(res.statusCode, res.body).toBe(200);
  return row.id;
}
const regrade = (id: string, grade: string, expectedGrade: string) => call('POST', chief.cookie, `/api/desk/submissions/${id}/grade`, { grade, expectedGrade });

describe('claw-back after a downward regrade', () => {
  it('carries what the balance cannot cover as a negative balance that blocks withdrawals until later earnings settle it', async () => {
    const u = await signUp(ctx.app, { campaignId });
    const first = await adopted(u, 'A');
    expect((await statement(u.cookie)).balanceFen).toBe(500_000);
    // Withdrawn and paid out: the money has left.
    const p = (await withdraw(u.cookie, 500_000)).json().payout;
    const batch = (await call('POST', finance.cookie, '/api/finance/payout-batches', { channel: 'alipay', payoutIds: [p.id] })).json().batch;
    expect((await call('POST', finance.cookie, `/api/finance/payout-batches/${batch.id}/export.csv`)).statusCode).toBe(200);
    expect((await call('POST', finance.cookie, `/api/finance/payouts/${p.id}/mark`, { status: 'paid' })).statusCode).toBe(200);

    // A → C: 4,500 yuan comes back, none of it on the balance.
    const down = await regrade(first, 'C', 'A');
    expect(down.statusCode, down.body).toBe(200);
    expect(down.json().submission.grade).toBe('C');
    const owing = await statement(u.cookie);
    expect(owing).toMatchObject({ balanceFen: -450_000, owedFen: 450_000 });
    expect(owing.entries[0]).toMatchObject({ kind: 'grade_correction', amountFen: -450_000 });
    // The same regrade again (a retry) claws back nothing more.
    expect((await regrade(first, 'C', 'A')).statusCode).toBe(200);
    expect((await statement(u.cookie)).balanceFen).toBe(-450_000);

    // No withdrawal while owing, told why in the user's language.
    const refused = await withdraw(u.cookie, 5_000, 'en');
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({
      code: 'payout.balance_owed',
      message: 'After a regrade you owe 4500.00 yuan back. Your next earnings settle it first; withdrawals open again once it is settled.',
      details: { owedFen: 450_000 },
    });
    expect((await withdraw(u.cookie, 5_000)).json().error.message).toBe('作品改级后你需退回 4500.00 元，之后的收入会先抵扣这笔款项，抵清前暂不能提现。');

    // Finance sees who owes what; the books still balance and reconcile.
    const r = (await call('GET', finance.cookie, '/api/finance/reconciliation')).json();
    // The demo campaign pays rewards without budget funding: its overspend is the only mismatch.
    expect(r.mismatches.filter((m: string) => !m.startsWith(`campaign ${campaignId} spent`))).toEqual([]);
    expect(r.totalFen).toBe(0);
    expect(r.owedByContributors).toContainEqual(expect.objectContaining({ userId: u.user.id, owedFen: 450_000 }));
    expect(r.owedTotalFen).toBeGreaterThanOrEqual(450_000);
    expect(r.negativeContributorAccounts).toEqual([]);

    // The next reward settles the debt first: 5,000 − 4,500 left to withdraw.
    await adopted(u, 'A');
    expect(await statement(u.cookie)).toMatchObject({ balanceFen: 50_000, owedFen: 0 });
    expect((await withdraw(u.cookie, 50_001)).json().error.code).toBe('payout.insufficient_balance');
    expect((await withdraw(u.cookie, 50_000)).statusCode).toBe(201);
    expect((await statement(u.cookie)).balanceFen).toBe(0);
    const after = (await call('GET', finance.cookie, '/api/finance/reconciliation')).json();
    expect(after.totalFen).toBe(0);
    expect(after.negativeContributorAccounts).toEqual([]);
    expect(after.owedByContributors.map((o: { userId: string }) => o.userId)).not.toContain(u.user.id);
    expect((await ledgerFacts(ctx)).totalFen).toBe(0);
  });

  it('takes a lower grade from the balance when it covers it, and races a withdrawal without losing a fen', async () => {
    const u = await signUp(ctx.app, { campaignId });
    const id = await adopted(u, 'A');
    await regrade(id, 'B', 'A');
    const st = await statement(u.cookie);
    expect(st.owedFen).toBe(0);
    expect(st.balanceFen).toBeGreaterThan(0);
    const balanceAtB = st.balanceFen;

    // A regrade to C and a withdrawal of everything at once: whichever takes the lock first, the books agree.
    const [down, out] = await Promise.all([regrade(id, 'C', 'B'), withdraw(u.cookie, balanceAtB)]);
    expect(down.statusCode).toBe(200);
    const end = await statement(u.cookie);
    const clawed = balanceAtB - 50_000;
    if (out.statusCode === 201) expect(end).toMatchObject({ balanceFen: -clawed, owedFen: clawed });
    else {
      expect(out.json().error.code).toBe('payout.insufficient_balance');
      expect(end).toMatchObject({ balanceFen: 50_000, owedFen: 0 });
    }
    const r = (await call('GET', finance.cookie, '/api/finance/reconciliation')).json();
    expect(r.totalFen).toBe(0);
    expect(r.negativeContributorAccounts).toEqual([]);
  });

  it('lets only a grade correction overdraw a contributor', async () => {
    const { ledger } = ctx.runtime.services;
    const u = await signUp(ctx.app, { campaignId });
    const [account, clearing] = await Promise.all([ledger.ensureContributorAccount(u.user.id), ledger.systemAccount('payouts_clearing')]);
    const entries = [
      { accountId: account.id, amountFen: -100 },
      { accountId: clearing.id, amountFen: 100 },
    ];
    await expect(ledger.post({ idempotencyKey: randomUUID(), kind: 'payout', entries, mayOverdraw: true })).rejects.toMatchObject({
      code: 'ledger.invalid_transfer',
    });
    await expect(ledger.post({ idempotencyKey: randomUUID(), kind: 'payout', entries })).rejects.toMatchObject({ code: 'ledger.insufficient_funds' });
  });
});
