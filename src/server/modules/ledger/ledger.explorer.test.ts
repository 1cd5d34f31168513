import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCampaign } from '../../seed.js';
import { createTestContext, fixedClock, processedSubmission, signUp, staff, type TestContext } from '../../testing/harness.js';
import { ledgerFacts } from './ledger.fixtures.js';

// The finance ledger explorer over HTTP, on money moved by the real flows: budget funding,
// adoptions, a withdrawal paid and one failed (docs/ledger.md, "Ledger explorer").
const clock = fixedClock('2026-12-01T02:00:00Z');
let ctx: TestContext;
let finance: { cookie: string; user: { id: string } };
let chief: { cookie: string };
let campaignId: string;
let a: { cookie: string; user: { id: string } };
let b: { cookie: string; user: { id: string } };
let videoA: string;
let payoutA: string;
let payoutB: string;
const EVIL = '=HYPERLINK("http://evil.test","pay")';

const call = (method: 'GET' | 'POST', cookie: string, url: string, payload?: unknown, headers: Record<string, string> = {}) =>
  ctx.app.inject({ method, url, headers: { cookie, 'accept-language': 'zh-CN', ...headers }, payload: payload as object });
const ok = async (method: 'GET' | 'POST', cookie: string, url: string, payload?: unknown) => {
  const res = await call(method, cookie, url, payload);
  expect(res.statusCode, `${url}: ${res.body}`).toBeLessThan(300);
  return res.json();
};
const withdraw = async (cookie: string, amountFen: number) =>
  (await ok('POST', cookie, '/api/me/payouts', { requestId: randomUUID(), amountFen, method: 'alipay', realName: '林勇刚', account: '13800138000' })).payout
    .id as string;

beforeAll(async () => {
  ctx = await createTestContext({ clock });
  const admin = await staff(ctx, ['admin']);
  finance = await staff(ctx, ['finance']);
  chief = await staff(ctx, ['chief_editor']);
  campaignId = (await ok('POST', admin.cookie, '/api/admin/campaigns', { ...demoCampaign(clock.now()), slug: `explorer-${randomUUID().slice(0, 8)}` })).campaign
    .id;
  a = await signUp(ctx.app, { campaignId, name: EVIL });
  b = await signUp(ctx.app, { campaignId, name: '林勇刚' });

  // 1 December: the budget is funded, A's video adopted at A (5,000 yuan), B's at C (500 yuan).
  await ok('POST', finance.cookie, `/api/finance/campaigns/${campaignId}/budget`, { requestId: randomUUID(), amountFen: 2_000_000, memo: '=SUM(A1)' });
  const adopt = async (userId: string, grade: string, title: string) => {
    const row = await processedSubmission(ctx, { userId, campaignId, at: clock.now(), title });
    await ok('POST', chief.cookie, `/api/desk/submissions/${row.id}/adopt`, { grade });
    return row.id;
  };
  videoA = await adopt(a.user.id, 'A', '回家的路');
  await adopt(b.user.id, 'C', '街头小吃');

  // 3 December: A withdraws 2,000 yuan; it is batched, exported and paid.
  clock.set('2026-12-03T03:00:00Z');
  payoutA = await withdraw(a.cookie, 200_000);
  const batchA = (await ok('POST', finance.cookie, '/api/finance/payout-batches', { channel: 'alipay', payoutIds: [payoutA] })).batch.id;
  expect((await call('POST', finance.cookie, `/api/finance/payout-batches/${batchA}/export.csv`)).statusCode).toBe(200);
  await ok('POST', finance.cookie, `/api/finance/payouts/${payoutA}/mark`, { status: 'paid' });

  // 5 December: B withdraws 500 yuan; the transfer fails and the money comes back.
  clock.set('2026-12-05T03:00:00Z');
  payoutB = await withdraw(b.cookie, 50_000);
  await ok('POST', finance.cookie, '/api/finance/payout-batches', { channel: 'alipay', payoutIds: [payoutB] });
  await ok('POST', finance.cookie, `/api/finance/payouts/${payoutB}/mark`, { status: 'failed', reason: 'account closed' });
  clock.set('2026-12-06T03:00:00Z');
});
afterAll(async () => {
  await ctx?.close();
});

interface Account {
  id: string;
  kind: string;
  userId: string | null;
  name: string | null;
  balanceFen: number;
}
interface Leg {
  accountId: string;
  kind: string;
  amountFen: number;
}
interface Transfer {
  id: string;
  kind: string;
  createdAt: string;
  amountFen: number;
  legs: Leg[];
  cause: { type: string; id: string; title: string | null; batchId: string | null } | null;
  reversedByTransferId: string | null;
}
const accounts = async (query: string) =>
  (await ok('GET', finance.cookie, `/api/finance/ledger/accounts?${query}`)) as {
    accounts: Account[];
    total: number;
    totals: { kind: string; balanceFen: number }[];
  };
const transfers = async (query: string) =>
  (await ok('GET', finance.cookie, `/api/finance/ledger/transfers?${query}`)) as {
    transfers: Transfer[];
    nextBefore: string | null;
    summary: Record<string, number> | null;
  };
const accountOf = async (userId: string) => (await accounts(`q=${userId}`)).accounts.find((x) => x.userId === userId)!;

describe('balances per account', () => {
  it('answers every account with the balance the ledger holds, system accounts first, contributors paged and searchable', async () => {
    const facts = await ledgerFacts(ctx);
    const all = await accounts('limit=200');
    expect(all.total).toBe(facts.balances.size);
    for (const acc of all.accounts) expect(acc.balanceFen, acc.kind).toBe(facts.balances.get(acc.id) ?? 0);
    expect(all.accounts.map((x) => x.kind).slice(0, 2)).toEqual(['treasury', 'payouts_clearing']);
    expect(all.totals.reduce((s, t) => s + t.balanceFen, 0)).toBe(0);
    // The owed: A 5,000 − 2,000 yuan; B 500 yuan (the failed withdrawal came back).
    expect((await accountOf(a.user.id)).balanceFen).toBe(300_000);
    expect((await accountOf(b.user.id)).balanceFen).toBe(50_000);
    expect(all.totals.find((t) => t.kind === 'contributor')!.balanceFen).toBe(350_000);

    // Paging covers every contributor once.
    const page1 = await accounts('kind=contributor&limit=1&offset=0');
    const page2 = await accounts('kind=contributor&limit=1&offset=1');
    expect(page1.total).toBe(2);
    expect([page1.accounts[0]!.userId, page2.accounts[0]!.userId]).toEqual([a.user.id, b.user.id]); // highest balance first
    expect((await accounts('kind=contributor&limit=1&offset=2')).accounts).toEqual([]);

    // Search by a Chinese name, by part of an email; `%` and `_` are literal, not wildcards.
    expect((await accounts(`q=${encodeURIComponent('勇刚')}`)).accounts.map((x) => x.userId)).toEqual([b.user.id]);
    expect((await accounts(`q=${encodeURIComponent('%')}`)).total).toBe(0);
    expect((await accounts(`q=${encodeURIComponent("_' OR 1=1 --")}`)).total).toBe(0);
    expect((await accounts(`q=${campaignId}`)).accounts.map((x) => x.kind).sort()).toEqual(['campaign_budget']);
  });
});

describe('transfers', () => {
  it('filters by account, kind and period, shows each transfer’s legs and cause, and pages without gaps or repeats', async () => {
    const accA = await accountOf(a.user.id);
    const mine = await transfers(`accountId=${accA.id}`);
    expect(mine.transfers.map((t) => t.kind)).toEqual(['payout', 'adoption_reward']);
    for (const t of mine.transfers) {
      expect(t.legs.some((l) => l.accountId === accA.id)).toBe(true);
      expect(t.legs.reduce((s, l) => s + l.amountFen, 0)).toBe(0);
      expect(t.amountFen).toBe(t.legs.filter((l) => l.amountFen > 0).reduce((s, l) => s + l.amountFen, 0));
    }
    const [payout, reward] = mine.transfers;
    expect(reward!.cause).toMatchObject({ type: 'submission', id: videoA, title: '回家的路' });
    expect(reward!.legs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'contributor', amountFen: 500_000 }),
        expect.objectContaining({ kind: 'campaign_budget', amountFen: -500_000 }),
      ]),
    );
    expect(payout!.cause).toMatchObject({ type: 'payout', id: payoutA });
    expect(payout!.cause!.batchId).toEqual(expect.any(String));
    // A's balance over the whole ledger: 0 → 3,000 yuan.
    expect(mine.summary).toMatchObject({ openingFen: 0, creditsFen: 500_000, debitsFen: 200_000, closingFen: 300_000 });

    // A period: 2–4 December (Beijing time) holds the withdrawal and its settlement only.
    const from = encodeURIComponent('2026-12-02T00:00:00+08:00');
    const to = encodeURIComponent('2026-12-04T00:00:00+08:00');
    const period = await transfers(`from=${from}&to=${to}`);
    expect(period.transfers.map((t) => t.kind).sort()).toEqual(['payout', 'payout_settlement']);
    const periodA = await transfers(`accountId=${accA.id}&from=${from}&to=${to}`);
    expect(periodA.summary).toMatchObject({ openingFen: 500_000, debitsFen: 200_000, creditsFen: 0, closingFen: 300_000 });

    // By kind: the failed withdrawal's reversal names the payout it returned.
    const reversals = await transfers('kind=reversal');
    expect(reversals.transfers).toHaveLength(1);
    expect(reversals.transfers[0]!.cause).toMatchObject({ type: 'payout', id: payoutB });
    const original = (await transfers(`kind=payout&accountId=${(await accountOf(b.user.id)).id}`)).transfers[0]!;
    expect(original.reversedByTransferId).toBe(reversals.transfers[0]!.id);

    // Paging one at a time walks the same list as one page (several share a timestamp).
    const whole = (await transfers('limit=200')).transfers.map((t) => t.id);
    const walked: string[] = [];
    let before: string | null = null;
    do {
      const page = await transfers(`limit=1${before ? `&before=${before}` : ''}`);
      walked.push(...page.transfers.map((t) => t.id));
      before = page.nextBefore;
    } while (before);
    expect(walked).toEqual(whole);
    expect(new Set(whole).size).toBe((await ledgerFacts(ctx)).keys.size);
  });

  it('refuses a backwards period, an unknown account or cursor, in the user’s language', async () => {
    const back = await call('GET', finance.cookie, `/api/finance/ledger/transfers?from=2026-12-05T00:00:00Z&to=2026-12-01T00:00:00Z`, undefined, {
      'accept-language': 'en',
    });
    expect(back.statusCode).toBe(400);
    expect(back.json().error).toMatchObject({ code: 'ledger.invalid_period', message: 'The start of the period must be before its end.' });
    expect((await call('GET', finance.cookie, `/api/finance/ledger/transfers?accountId=${randomUUID()}`)).json().error.code).toBe('ledger.account_not_found');
    expect((await call('GET', finance.cookie, `/api/finance/ledger/transfers?before=${randomUUID()}`)).statusCode).toBe(404);
  });
});

/** The CSV's two tables: legs (header at line 2) up to the first blank line, then balances. */
function parse(csv: string) {
  expect(csv.startsWith('\uFEFF')).toBe(true);
  expect(csv.endsWith('\r\n')).toBe(true);
  const lines = csv.slice(1).trimEnd().split('\r\n');
  const blank2 = lines.indexOf('', 2);
  const legs = lines.slice(3, blank2 - 1);
  const legTotal = lines[blank2 - 1]!;
  const balances = lines.slice(blank2 + 2, -1);
  return { lines, legs, legTotal, balances, balanceTotal: lines.at(-1)! };
}
/** Splits one CSV row (RFC 4180 quotes). */
function cells(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}
const fen = (yuan: string) => (yuan ? Math.round(Number(yuan) * 100) : 0);

describe('CSV export of a period', () => {
  const exportCsv = (body: unknown, headers: Record<string, string> = {}) => call('POST', finance.cookie, '/api/finance/ledger/export.csv', body, headers);

  it('reconciles at the foot: debits equal credits, and each account closes at its opening plus its movements', async () => {
    const res = await exportCsv({ from: '2026-12-02T00:00:00+08:00', to: '2026-12-08T00:00:00+08:00' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-disposition']).toBe('attachment; filename="paike-ledger-20261202-20261207.csv"');
    const { lines, legs, legTotal, balances, balanceTotal } = parse(res.body);
    expect(lines[2]).toBe('时间 (Asia/Shanghai),转账编号,转账类型,账户编号,账户类型,账户,借方/转出(元),贷方/转入(元),事由,备注');
    // Withdrawal, settlement, withdrawal, reversal: two legs each; 1 December's adoptions are before the period.
    expect(legs).toHaveLength(8);
    const debits = legs.reduce((s, l) => s + fen(cells(l)[6]!), 0);
    const credits = legs.reduce((s, l) => s + fen(cells(l)[7]!), 0);
    expect(debits).toBe(credits);
    expect(debits).toBe(200_000 * 2 + 50_000 * 2);
    expect(cells(legTotal).slice(0, 8)).toEqual(['合计', '', '', '', '', '借贷平衡', '5000.00', '5000.00']);
    // Amounts are yuan with two decimals.
    for (const l of legs) expect(cells(l)[6]! + cells(l)[7]!).toMatch(/^\d+\.\d{2}$/);

    const facts = await ledgerFacts(ctx);
    const sums = { opening: 0, closing: 0 };
    for (const line of balances) {
      const [accountId, , , opening, debit, credit, closing] = cells(line);
      expect(fen(closing!), accountId).toBe(fen(opening!) + fen(credit!) - fen(debit!));
      expect(fen(closing!), accountId).toBe(facts.balances.get(accountId!) ?? 0);
      sums.opening += fen(opening!);
      sums.closing += fen(closing!);
    }
    expect(sums).toEqual({ opening: 0, closing: 0 });
    expect(cells(balanceTotal)).toEqual(['合计', '', '', '0.00', '5000.00', '5000.00', '0.00']);
    const accA = await accountOf(a.user.id);
    // A opened the period with the reward and closed it 2,000 yuan lower; the name a spreadsheet would run is defused.
    expect(cells(balances.find((l) => l.startsWith(accA.id))!)).toEqual([accA.id, '拍客', `'${EVIL}`, '5000.00', '2000.00', '0.00', '3000.00']);
    expect(res.body).not.toMatch(/(^|,)"?=HYPERLINK/m);
    // A row for the treasury, which is negative: a number, not a guarded text.
    expect(balances.some((l) => /,公司资金,公司资金,-\d+\.\d{2},/.test(l))).toBe(true);
  });

  it('for one account: the transfers touching it with all their legs, and its balance alone at the foot; English headers on request', async () => {
    const accA = await accountOf(a.user.id);
    const res = await exportCsv({ from: '2026-12-01T00:00:00+08:00', to: '2026-12-08T00:00:00+08:00', accountId: accA.id }, { 'accept-language': 'en' });
    expect(res.statusCode).toBe(200);
    const { lines, legs, legTotal, balances } = parse(res.body);
    expect(lines[0]!.startsWith('Paike ledger export,')).toBe(true);
    expect(legs).toHaveLength(4); // the reward and the withdrawal, two legs each
    expect(cells(legTotal).slice(5, 8)).toEqual(['debits equal credits', '7000.00', '7000.00']);
    expect(legs.map((l) => cells(l)[2])).toEqual(['Adoption reward', 'Adoption reward', 'Withdrawal', 'Withdrawal']);
    expect(cells(legs[0]!)[8]).toBe(`Video 《回家的路》 ${videoA}`);
    expect(balances.map((l) => cells(l).slice(3))).toEqual([['0.00', '2000.00', '5000.00', '3000.00']]);
  });

  it('is audited, refuses a bad period, and is a POST a cross-site page cannot make', async () => {
    const body = { from: '2026-12-01T00:00:00+08:00', to: '2026-12-02T00:00:00+08:00' };
    expect((await exportCsv({ ...body, to: body.from })).json().error.code).toBe('ledger.invalid_period');
    const long = await exportCsv({ from: '2025-01-01T00:00:00Z', to: '2026-12-01T00:00:00Z' }, { 'accept-language': 'en' });
    expect(long.json().error).toMatchObject({ code: 'ledger.export_too_long', message: 'An export covers at most 400 days. Choose a shorter period.' });
    expect((await exportCsv(body, { 'sec-fetch-site': 'cross-site' })).json().error.code).toBe('request.cross_site');
    expect((await call('GET', finance.cookie, '/api/finance/ledger/export.csv')).statusCode).toBe(404);
    expect((await exportCsv(body)).statusCode).toBe(200);
    const { rows } = await ctx.runtime.services.database.sql.query<{ actor_id: string; data: { from: string } }>(
      `SELECT actor_id, data FROM audit_log WHERE action = 'ledger.export' ORDER BY id DESC LIMIT 1`,
    );
    expect(rows[0]).toMatchObject({ actor_id: finance.user.id, data: { from: '2026-11-30T16:00:00.000Z' } });
  });
});

describe('who may look', () => {
  it('is finance’s and admins’ only: contributors and chief editors are refused every route', async () => {
    for (const cookie of [a.cookie, chief.cookie]) {
      expect((await call('GET', cookie, '/api/finance/ledger/accounts')).statusCode).toBe(403);
      expect((await call('GET', cookie, '/api/finance/ledger/transfers')).statusCode).toBe(403);
      const csv = await call('POST', cookie, '/api/finance/ledger/export.csv', { from: '2026-12-01T00:00:00Z', to: '2026-12-02T00:00:00Z' });
      expect(csv.statusCode).toBe(403);
      expect(csv.json().error.code).toBe('auth.forbidden');
    }
    expect((await ctx.app.inject({ method: 'GET', url: '/api/finance/ledger/accounts' })).statusCode).toBe(401);
  });
});
