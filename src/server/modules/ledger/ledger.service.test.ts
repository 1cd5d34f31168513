import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../lib/errors.js';
import { createTestContext, fixedClock, signUp, staff, type TestContext } from '../../testing/harness.js';
import { ledgerFacts, makeCampaign, makeUser } from './ledger.fixtures.js';
import type { LedgerService } from './ledger.service.js';

const clock = fixedClock('2026-11-26T04:00:00Z');
let ctx: TestContext;
let ledger: LedgerService;
let treasury: string;
let budget: string;
let clearing: string;
let campaignId: string;

beforeAll(async () => {
  ctx = await createTestContext({ clock });
  ledger = ctx.runtime.services.ledger;
  campaignId = await makeCampaign(ctx);
  treasury = (await ledger.systemAccount('treasury')).id;
  budget = (await ledger.systemAccount('campaign_budget', campaignId)).id;
  clearing = (await ledger.systemAccount('payouts_clearing')).id;
  await ledger.post({
    idempotencyKey: `fund:${campaignId}`,
    kind: 'budget_funding',
    entries: [
      { accountId: treasury, amountFen: -100_000_000 },
      { accountId: budget, amountFen: 100_000_000 },
    ],
  });
});
afterAll(async () => {
  await ctx?.close();
});

async function contributor(balanceFen = 0) {
  const userId = await makeUser(ctx);
  const account = (await ledger.ensureContributorAccount(userId)).id;
  if (balanceFen)
    await ledger.post({
      idempotencyKey: `seed:${account}`,
      kind: 'adoption_reward',
      entries: [
        { accountId: budget, amountFen: -balanceFen },
        { accountId: account, amountFen: balanceFen },
      ],
    });
  return { userId, account };
}

const reward = (account: string, amountFen: number, key: string = randomUUID()) => ({
  idempotencyKey: key,
  kind: 'adoption_reward' as const,
  entries: [
    { accountId: budget, amountFen: -amountFen },
    { accountId: account, amountFen },
  ],
  refs: { campaignId, grade: 'B' },
});
const payout = (account: string, amountFen: number, key: string = randomUUID()) => ({
  idempotencyKey: key,
  kind: 'payout' as const,
  entries: [
    { accountId: account, amountFen: -amountFen },
    { accountId: clearing, amountFen },
  ],
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
  return 'ok';
}

describe('accounts', () => {
  it('one contributor account per user and one system account per kind and campaign, created once even when asked concurrently', async () => {
    const userId = await makeUser(ctx);
    const accounts = await Promise.all(Array.from({ length: 8 }, () => ledger.ensureContributorAccount(userId)));
    expect(new Set(accounts.map((a) => a.id)).size).toBe(1);
    expect(accounts[0]).toMatchObject({ kind: 'contributor', userId, campaignId: null, mayGoNegative: false });
    expect((await ledger.systemAccount('treasury')).id).toBe(treasury);
    expect((await ledger.systemAccount('campaign_budget', campaignId)).id).toBe(budget);
    expect(await ledger.systemAccount('rewards_expense')).toMatchObject({ campaignId: null, mayGoNegative: true });
    await expect(ledger.ensureContributorAccount(randomUUID())).rejects.toMatchObject({ code: 'user.not_found' });
  });
});

describe('post', () => {
  it('posts a reward: balances are the sums of entries, the statement lists it newest first', async () => {
    const { userId, account } = await contributor();
    const t = await ledger.post({ ...reward(account, 50_000, 'adopt:s1'), memo: 'B grade', actorId: null });
    expect(t).toMatchObject({ kind: 'adoption_reward', idempotencyKey: 'adopt:s1', created: true, refs: { campaignId, grade: 'B' } });
    await ledger.post(payout(account, 20_000, 'payout:1'));
    expect(await ledger.balance(account)).toBe(30_000);
    const s = await ledger.statement(userId);
    expect(s.balanceFen).toBe(30_000);
    expect(s.entries.map((e) => [e.kind, e.amountFen])).toEqual([
      ['payout', -20_000],
      ['adoption_reward', 50_000],
    ]);
    expect(s.entries[1]).toMatchObject({ memo: 'B grade', refs: { grade: 'B' }, transferId: t.id, at: clock.now().toISOString() });
    expect((await ledger.statement(userId, { limit: 1, before: s.entries[0]!.id })).entries.map((e) => e.amountFen)).toEqual([50_000]);
    expect(await ledger.statement(randomUUID())).toEqual({ balanceFen: 0, owedFen: 0, entries: [] });
  });

  it('a retry returns the same transfer; the same key with other content is refused', async () => {
    const { account } = await contributor();
    const first = await ledger.post(reward(account, 10_000, 'adopt:retry'));
    const again = await ledger.post(reward(account, 10_000, 'adopt:retry'));
    expect(again).toMatchObject({ id: first.id, created: false });
    expect(await ledger.balance(account)).toBe(10_000);
    expect(await codeOf(ledger.post(reward(account, 20_000, 'adopt:retry')))).toBe('ledger.idempotency_conflict');
    expect(await codeOf(ledger.post({ ...reward(account, 10_000, 'adopt:retry'), kind: 'cumulative_bonus' }))).toBe('ledger.idempotency_conflict');
    expect(await codeOf(ledger.post({ ...reward(account, 10_000, 'adopt:retry'), refs: { campaignId, grade: 'A' } }))).toBe('ledger.idempotency_conflict');
    const err = await ledger.post(reward(account, 20_000, 'adopt:retry')).catch((e: AppError) => e);
    expect(err).toMatchObject({ status: 409 });
    expect(await ledger.balance(account)).toBe(10_000);
  });

  it('refuses a debit beyond a contributor balance and unknown accounts, writing nothing', async () => {
    const { account } = await contributor(5_000);
    const before = await ledgerFacts(ctx);
    expect(await codeOf(ledger.post(payout(account, 5_001)))).toBe('ledger.insufficient_funds');
    expect(await codeOf(ledger.post(payout(randomUUID(), 1)))).toBe('ledger.account_not_found');
    const after = await ledgerFacts(ctx);
    expect(after.keys.size).toBe(before.keys.size);
    await ledger.post(payout(account, 5_000));
    expect(await ledger.balance(account)).toBe(0);
    // System accounts may go negative.
    await ledger.post({
      idempotencyKey: randomUUID(),
      kind: 'red_packet',
      entries: [
        { accountId: (await ledger.systemAccount('red_packet_expense')).id, amountFen: -88 },
        { accountId: account, amountFen: 88 },
      ],
    });
    expect(await ledger.balance(account)).toBe(88);
  });

  it('posts inside a caller transaction: it commits or rolls back with it, and a refused post leaves the transaction usable', async () => {
    const { db } = ctx.runtime.services.database;
    const { account } = await contributor();
    await expect(
      db.transaction(async (tx) => {
        await ledger.post(reward(account, 7_000, 'in-tx:rolled-back'), tx);
        throw new Error('caller fails after posting');
      }),
    ).rejects.toThrow('caller fails');
    expect(await ledger.balance(account)).toBe(0);
    expect((await ledgerFacts(ctx)).keys.has('in-tx:rolled-back')).toBe(false);

    const newcomer = await makeUser(ctx);
    await db.transaction(async (tx) => {
      // Everything inside goes through `tx`: on PGlite a query on `db` would wait for this transaction.
      const acc = await ledger.ensureContributorAccount(newcomer, tx);
      expect(await codeOf(ledger.post(payout(account, 1), tx))).toBe('ledger.insufficient_funds');
      await ledger.post(reward(account, 7_000, 'in-tx:committed'), tx);
      await ledger.post(reward(acc.id, 1_000), tx);
      expect(await ledger.balance(account, tx)).toBe(7_000);
    });
    expect(await ledger.balance(account)).toBe(7_000);
  });
});

describe('reverse', () => {
  it('posts the mirror entries once; retries return it; another key is refused; a reversal is not reversible', async () => {
    const { account } = await contributor();
    const t = await ledger.post(reward(account, 30_000, 'adopt:to-reverse'));
    const [r1, r2] = await Promise.all([
      ledger.reverse(t.id, { idempotencyKey: 'reverse:adopt:to-reverse', memo: 'adopted by mistake' }),
      ledger.reverse(t.id, { idempotencyKey: 'reverse:adopt:to-reverse', memo: 'adopted by mistake' }),
    ]);
    expect(r1.id).toBe(r2.id);
    expect(r1).toMatchObject({ kind: 'reversal', reversesTransferId: t.id, refs: { grade: 'B', reversedKind: 'adoption_reward' } });
    expect(r1.entries).toEqual(
      expect.arrayContaining([
        { accountId: account, amountFen: -30_000 },
        { accountId: budget, amountFen: 30_000 },
      ]),
    );
    expect(await ledger.balance(account)).toBe(0);
    expect(await codeOf(ledger.reverse(t.id, { idempotencyKey: 'reverse:other-key' }))).toBe('ledger.already_reversed');
    expect(await codeOf(ledger.reverse(r1.id, { idempotencyKey: 'reverse:reverse' }))).toBe('ledger.not_reversible');
    expect(await codeOf(ledger.reverse(randomUUID(), { idempotencyKey: 'reverse:nothing' }))).toBe('ledger.transfer_not_found');
  });

  it('refuses to reverse a reward the contributor has already withdrawn', async () => {
    const { account } = await contributor();
    const t = await ledger.post(reward(account, 10_000));
    await ledger.post(payout(account, 8_000));
    expect(await codeOf(ledger.reverse(t.id, { idempotencyKey: randomUUID() }))).toBe('ledger.insufficient_funds');
    // A failed payout returns the funds by reversing the payout.
    const p = await ledger.post(payout(account, 2_000));
    await ledger.reverse(p.id, { idempotencyKey: `payout-failed:${p.id}` });
    expect(await ledger.balance(account)).toBe(2_000);
  });
});

describe('concurrency', () => {
  it('20 concurrent identical posts make one transfer, and every caller gets it', async () => {
    const { account } = await contributor();
    const results = await Promise.all(Array.from({ length: 20 }, () => ledger.post(reward(account, 12_300, 'adopt:double-click'))));
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await ledger.balance(account)).toBe(12_300);
  });

  it('20 concurrent debits that together exceed the balance: only as many succeed as it allows', async () => {
    const { account } = await contributor(1_000);
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => codeOf(ledger.post(payout(account, 150)))));
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(6);
    expect(outcomes.filter((o) => o === 'ledger.insufficient_funds')).toHaveLength(14);
    expect(await ledger.balance(account)).toBe(100);
  });

  it('concurrent credits and debits on one contributor never go negative and lose nothing', async () => {
    const { account } = await contributor(500);
    const ops = Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? ledger.post(reward(account, 100)) : ledger.post(payout(account, 100))));
    const outcomes = await Promise.all(ops.map(codeOf));
    const debitsOk = outcomes.filter((o, i) => i % 3 !== 0 && o === 'ok').length;
    expect(await ledger.balance(account)).toBe(500 + 10 * 100 - debitsOk * 100);
    expect(await ledger.balance(account)).toBeGreaterThanOrEqual(0);
  });
});

/** drizzle wraps the driver's error ("Failed query: commit"); the database's own message is in its cause. */
async function expectDbError(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected a database error').toBeDefined();
  const messages: string[] = [];
  for (let cur = err as { message?: string; cause?: unknown } | undefined; cur; cur = cur.cause as typeof cur) messages.push(String(cur.message));
  expect(messages.join(' / ')).toMatch(pattern);
}

describe('database guards', () => {
  it('refuses UPDATE, DELETE and TRUNCATE of entries, transfers and accounts', async () => {
    const q = (text: string) => ctx.runtime.services.database.sql.query(text);
    await expect(q('UPDATE ledger_entries SET amount_fen = amount_fen * 2')).rejects.toThrow(/append-only/);
    await expect(q('DELETE FROM ledger_entries')).rejects.toThrow(/append-only/);
    await expect(q(`UPDATE ledger_transfers SET memo = 'edited'`)).rejects.toThrow(/append-only/);
    await expect(q('DELETE FROM ledger_transfers')).rejects.toThrow(/append-only/);
    // Entries have no other table pointing at them, so the append-only guard answers; transfers
    // are also referenced from elsewhere (red-packet grabs), so a foreign key may answer first.
    await expect(q('TRUNCATE ledger_entries')).rejects.toThrow(/append-only/);
    await expect(q('TRUNCATE ledger_entries, ledger_transfers')).rejects.toThrow(/append-only|foreign key/);
    await expect(q('UPDATE ledger_accounts SET may_go_negative = true')).rejects.toThrow(/append-only|check/);
    await expect(
      q(`INSERT INTO ledger_accounts (kind, user_id, may_go_negative) VALUES ('contributor', (SELECT id FROM users LIMIT 1), true)`),
    ).rejects.toThrow();
    await expect(q(`INSERT INTO ledger_entries (transfer_id, account_id, amount_fen) SELECT id, '${budget}', 0 FROM ledger_transfers LIMIT 1`)).rejects.toThrow(
      /check/i,
    );
  });

  it('refuses an unbalanced transfer at commit, whether new or added to an old one', async () => {
    const { db } = ctx.runtime.services.database;
    await expectDbError(
      db.transaction(async (tx) => {
        await tx.execute(sql`INSERT INTO ledger_transfers (idempotency_key, kind) VALUES ('raw:unbalanced', 'adoption_reward')`);
        await tx.execute(
          sql`INSERT INTO ledger_entries (transfer_id, account_id, amount_fen) SELECT id, ${budget}, -100 FROM ledger_transfers WHERE idempotency_key = 'raw:unbalanced'`,
        );
        await tx.execute(
          sql`INSERT INTO ledger_entries (transfer_id, account_id, amount_fen) SELECT id, ${treasury}, 99 FROM ledger_transfers WHERE idempotency_key = 'raw:unbalanced'`,
        );
      }),
      /unbalanced/,
    );
    await expectDbError(
      db.transaction(async (tx) => {
        await tx.execute(sql`INSERT INTO ledger_transfers (idempotency_key, kind) VALUES ('raw:empty', 'payout')`);
      }),
      /unbalanced/,
    );
    await expectDbError(
      db.transaction(async (tx) => {
        await tx.execute(
          sql`INSERT INTO ledger_entries (transfer_id, account_id, amount_fen) SELECT id, ${treasury}, 1 FROM ledger_transfers WHERE idempotency_key = ${`fund:${campaignId}`}`,
        );
      }),
      /unbalanced/,
    );
    // A balanced raw transfer commits: the guard checks sums, not who wrote them.
    await db.transaction(async (tx) => {
      await tx.execute(sql`INSERT INTO ledger_transfers (idempotency_key, kind) VALUES ('raw:balanced', 'budget_funding')`);
      await tx.execute(
        sql`INSERT INTO ledger_entries (transfer_id, account_id, amount_fen) SELECT id, ${treasury}, -5 FROM ledger_transfers WHERE idempotency_key = 'raw:balanced'`,
      );
      await tx.execute(
        sql`INSERT INTO ledger_entries (transfer_id, account_id, amount_fen) SELECT id, ${budget}, 5 FROM ledger_transfers WHERE idempotency_key = 'raw:balanced'`,
      );
    });
    const facts = await ledgerFacts(ctx);
    expect(facts.keys.has('raw:unbalanced') || facts.keys.has('raw:empty')).toBe(false);
    expect(facts.totalFen).toBe(0);
    expect(facts.unbalanced).toEqual([]);
  });
});

describe('reconcile', () => {
  it('all entries sum to zero, no contributor is negative, budget against spent per campaign', async () => {
    const r = await ledger.reconcile();
    expect(r).toMatchObject({ ok: true, totalFen: 0, negativeContributorAccounts: [], unbalancedTransfers: [], mismatches: [] });
    const c = r.campaigns.find((x) => x.campaignId === campaignId)!;
    expect(c.budgetFen).toBe(100_000_005);
    expect(c.remainingFen).toBe(await ledger.balance(budget));
    expect(c.spentFen).toBe(c.budgetFen - c.remainingFen);
    expect(r.accounts).toBeGreaterThan(5);
  });

  it('lists an overspent campaign as a mismatch', async () => {
    const other = await makeCampaign(ctx);
    const b = (await ledger.systemAccount('campaign_budget', other)).id;
    const { account } = await contributor();
    const fund = await ledger.post({
      idempotencyKey: `fund:${other}`,
      kind: 'budget_funding',
      entries: [
        { accountId: treasury, amountFen: -1_000 },
        { accountId: b, amountFen: 1_000 },
      ],
    });
    await ledger.post({
      ...reward(account, 1_500),
      entries: [
        { accountId: b, amountFen: -1_500 },
        { accountId: account, amountFen: 1_500 },
      ],
    });
    const r = await ledger.reconcile();
    expect(r.ok).toBe(false);
    expect(r.campaigns.find((x) => x.campaignId === other)).toEqual({
      campaignId: other,
      budgetFen: 1_000,
      spentFen: 1_500,
      remainingFen: -500,
      overspent: true,
    });
    expect(r.mismatches).toEqual([expect.stringContaining(other)]);
    // Reversing the funding takes it out of the budget, not into spending.
    await ledger.reverse(fund.id, { idempotencyKey: `unfund:${other}` });
    expect((await ledger.reconcile()).campaigns.find((x) => x.campaignId === other)).toMatchObject({ budgetFen: 0, spentFen: 1_500, remainingFen: -1_500 });
    await ledger.post({
      idempotencyKey: `refund:${other}`,
      kind: 'budget_funding',
      entries: [
        { accountId: treasury, amountFen: -1_500 },
        { accountId: b, amountFen: 1_500 },
      ],
    });
    expect((await ledger.reconcile()).ok).toBe(true);
  });
});

describe('routes', () => {
  it('GET /api/me/ledger returns my own balance and entries only', async () => {
    const me = await signUp(ctx.app);
    const other = await signUp(ctx.app);
    const mine = (await ledger.ensureContributorAccount(me.user.id)).id;
    const theirs = (await ledger.ensureContributorAccount(other.user.id)).id;
    await ledger.post({ ...reward(mine, 200_000), memo: '线索认定 A' });
    await ledger.post(reward(theirs, 999));
    const res = await ctx.app.inject({ method: 'GET', url: '/api/me/ledger', headers: { cookie: me.cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      balanceFen: 200_000,
      entries: [{ amountFen: 200_000, kind: 'adoption_reward', memo: '线索认定 A', refs: { grade: 'B' } }],
    });
    expect(res.json().entries).toHaveLength(1);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/me/ledger' })).statusCode).toBe(401);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/me/ledger?limit=0', headers: { cookie: me.cookie } })).statusCode).toBe(400);
  });

  it('GET /api/finance/reconciliation is for finance and admins only', async () => {
    const contributorUser = await signUp(ctx.app);
    const editor = await staff(ctx, ['editor']);
    const finance = await staff(ctx, ['finance']);
    const admin = await staff(ctx, ['admin']);
    const get = (cookie?: string) =>
      ctx.app.inject({ method: 'GET', url: '/api/finance/reconciliation', headers: { ...(cookie ? { cookie } : {}), 'accept-language': 'en' } });
    expect((await get()).statusCode).toBe(401);
    expect((await get(contributorUser.cookie)).statusCode).toBe(403);
    expect((await get(editor.cookie)).statusCode).toBe(403);
    const res = await get(finance.cookie);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ ok: true, totalFen: 0, negativeContributorAccounts: [], unbalancedTransfers: [] });
    expect((await get(admin.cookie)).statusCode).toBe(200);
  });

  it('error codes come back translated', async () => {
    const { account } = await contributor();
    const err = (await ledger.post(payout(account, 1)).catch((e: AppError) => e)) as AppError;
    expect(err.params).toEqual({ balanceFen: 0, amountFen: 1 });
  });
});
