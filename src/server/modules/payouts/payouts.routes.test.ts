import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, fixedClock, signUp, staff, type TestContext } from '../../testing/harness.js';

const clock = fixedClock('2026-12-01T02:00:00Z');
const MP_APP_ID = 'wx00000000000000mp';
const openidOf = (userId: string) => `oTest${userId.replace(/-/g, '').slice(0, 23)}`;
let ctx: TestContext;
let finance: { cookie: string; user: { id: string } };
let chief: { cookie: string };

beforeAll(async () => {
  // WeChat payouts pay the openid of the linked 公众号 (docs/wechat.md): every contributor below has one.
  ctx = await createTestContext({ clock, env: { WECHAT_MP_APP_ID: MP_APP_ID, WECHAT_MP_APP_SECRET: 'mp-secret' } });
  finance = await staff(ctx, ['finance']);
  chief = await staff(ctx, ['chief_editor']);
});
afterAll(async () => {
  await ctx?.close();
});

const inject = (method: 'GET' | 'POST', cookie: string, url: string, payload?: unknown, lang = 'zh-CN') =>
  ctx.app.inject({ method, url, headers: { cookie, 'accept-language': lang }, payload: payload as object });
const balance = async (cookie: string) => (await inject('GET', cookie, '/api/me/ledger')).json().balanceFen as number;

/** A contributor with `fen` on their balance (a reward posted straight to the ledger). */
async function contributorWith(fen: number) {
  const u = await signUp(ctx.app);
  await ctx.runtime.services.database.sql.query(`INSERT INTO identities (user_id, provider, app_id, app_kind, openid) VALUES ($1, 'wechat', $2, 'mp', $3)`, [
    u.user.id,
    MP_APP_ID,
    openidOf(u.user.id),
  ]);
  const { ledger } = ctx.runtime.services;
  const [account, expense] = await Promise.all([ledger.ensureContributorAccount(u.user.id), ledger.systemAccount('rewards_expense')]);
  if (fen)
    await ledger.post({
      idempotencyKey: `test-fund:${u.user.id}`,
      kind: 'adoption_reward',
      entries: [
        { accountId: account.id, amountFen: fen },
        { accountId: expense.id, amountFen: -fen },
      ],
    });
  return u;
}

const wechat = (amountFen: number, extra: Record<string, unknown> = {}) => ({
  requestId: randomUUID(),
  amountFen,
  method: 'wechat',
  realName: '张三丰',
  ...extra,
});
const bank = (amountFen: number, extra: Record<string, unknown> = {}) => ({
  requestId: randomUUID(),
  amountFen,
  method: 'bank',
  realName: '李四',
  account: '6222 0212 3456 7890 1234',
  bankName: '中国工商银行成都分行',
  ...extra,
});
const countKeys = async (prefix: string) =>
  (
    await ctx.runtime.services.database.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ledger_transfers WHERE idempotency_key LIKE $1`, [
      `${prefix}%`,
    ])
  ).rows[0]!.n;
const reconcile = async () => (await inject('GET', finance.cookie, '/api/finance/reconciliation')).json();

describe('requesting a payout', () => {
  it('refuses below the minimum, a bank without its name, a wrong account and more than the balance — writing nothing', async () => {
    const u = await contributorWith(20_000);
    const low = await inject('POST', u.cookie, '/api/me/payouts', wechat(4_999), 'en');
    expect(low.statusCode).toBe(400);
    expect(low.json().error).toMatchObject({ code: 'payout.below_minimum', message: 'The minimum withdrawal is 50.00 yuan.' });
    expect((await inject('POST', u.cookie, '/api/me/payouts', wechat(4_999))).json().error.message).toBe('提现金额不能低于 50.00 元。');
    expect((await inject('POST', u.cookie, '/api/me/payouts', bank(10_000, { bankName: undefined }))).json().error.code).toBe('payout.bank_name_required');
    expect((await inject('POST', u.cookie, '/api/me/payouts', bank(10_000, { account: '12ab' }))).json().error.code).toBe('payout.invalid_account');

    const big = await inject('POST', u.cookie, '/api/me/payouts', wechat(20_001), 'en');
    expect(big.statusCode).toBe(409);
    expect(big.json().error).toMatchObject({
      code: 'payout.insufficient_balance',
      message: 'Insufficient balance: 200.00 yuan available, 200.01 yuan requested.',
    });
    expect((await inject('POST', u.cookie, '/api/me/payouts', wechat(20_001))).json().error.message).toBe('余额不足：可提现 200.00 元，申请了 200.01 元。');
    expect(await balance(u.cookie)).toBe(20_000);
    expect((await inject('GET', u.cookie, '/api/me/payouts')).json()).toEqual({ payouts: [], minimumFen: 5_000 });
  });

  it('refuses control characters, direction marks and lone surrogates in the name, account and bank, in the user’s language; real names of every script pass', async () => {
    const u = await contributorWith(100_000);
    const refusals: [Record<string, unknown>, string][] = [
      // NUL and lone surrogates are refused at the edge, for every route, before the payout rules see them.
      [wechat(10_000, { realName: '张\u0000三' }), 'request.invalid_text'],
      [wechat(10_000, { realName: '李\u202E四=1+1' }), 'payout.unprintable_name'],
      [wechat(10_000, { realName: 'Ann\u2066a\u2069 Li' }), 'payout.unprintable_name'],
      [wechat(10_000, { realName: 'Ali\u200Fce' }), 'payout.unprintable_name'],
      [wechat(10_000, { realName: 'علي\u061Cحسن' }), 'payout.unprintable_name'],
      [wechat(10_000, { realName: '王\u001B[31m五' }), 'payout.unprintable_name'],
      [wechat(10_000, { realName: '赵\nB六' }), 'payout.unprintable_name'],
      [wechat(10_000, { realName: '钱\uD800七' }), 'request.invalid_text'],
      [wechat(10_000, { method: 'alipay', account: 'ali\u202Dce@example.com' }), 'payout.unprintable_account'],
      [bank(10_000, { bankName: '中国银行\u0085成都分行' }), 'payout.unprintable_bank_name'],
    ];
    for (const [body, code] of refusals) {
      const res = await inject('POST', u.cookie, '/api/me/payouts', body, 'en');
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.code, JSON.stringify(body)).toBe(code);
    }
    const en = await inject('POST', u.cookie, '/api/me/payouts', wechat(10_000, { realName: '李\u202E四' }), 'en');
    expect(en.json().error).toMatchObject({
      message: 'The payee name contains control characters or invisible direction marks. Please retype it without them.',
      details: { field: 'realName' },
    });
    const zh = await inject('POST', u.cookie, '/api/me/payouts', wechat(10_000, { realName: '李\u202E四' }));
    expect(zh.json().error.message).toBe('收款人姓名含有控制字符或不可见的方向符号，请删除后重新输入。');
    expect(await balance(u.cookie)).toBe(100_000);
    expect((await inject('GET', u.cookie, '/api/me/payouts')).json().payouts).toEqual([]);
    // Names as people write them: accents, Arabic, a Persian zero-width non-joiner, a Devanagari joiner, a middle dot.
    for (const realName of ['José Müller-Ößlin', 'علي حسن', 'می\u200Cخواهم', 'क्\u200Dष', '阿依古丽·买买提']) {
      const ok = await inject('POST', u.cookie, '/api/me/payouts', wechat(10_000, { realName }));
      expect(ok.statusCode, realName).toBe(201);
    }
  });

  it('debits once per requestId: a double submit and a retry give one payout; another body under the same id is 409', async () => {
    const u = await contributorWith(100_000);
    const body = bank(30_000);
    const [a, b] = await Promise.all([inject('POST', u.cookie, '/api/me/payouts', body), inject('POST', u.cookie, '/api/me/payouts', body)]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 201]);
    expect(a.json().payout.id).toBe(b.json().payout.id);
    const retry = await inject('POST', u.cookie, '/api/me/payouts', body);
    expect(retry.statusCode).toBe(200);
    expect(retry.json().payout.id).toBe(a.json().payout.id);
    const changed = await inject('POST', u.cookie, '/api/me/payouts', { ...body, amountFen: 40_000 });
    expect(changed.statusCode).toBe(409);
    expect(changed.json().error.code).toBe('payout.request_conflict');
    // Another contributor cannot claim (or read) the payout by guessing its requestId.
    const other = await contributorWith(100_000);
    expect((await inject('POST', other.cookie, '/api/me/payouts', body)).json().error.code).toBe('payout.request_conflict');

    expect(await balance(u.cookie)).toBe(70_000);
    expect(await countKeys(`payout:${body.requestId}`)).toBe(1);
    const mine = (await inject('GET', u.cookie, '/api/me/payouts')).json().payouts;
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      amountFen: 30_000,
      method: 'bank',
      status: 'requested',
      account: '6222 **** **** 1234',
      realName: '李*',
      bankName: '中国工商银行成都分行',
      batchId: null,
    });
    expect((await inject('GET', other.cookie, '/api/me/payouts')).json().payouts).toEqual([]);
  });

  it('concurrent requests that together exceed the balance: only what fits succeeds, the balance never goes negative', async () => {
    const u = await contributorWith(100_000);
    const results = await Promise.all(Array.from({ length: 6 }, () => inject('POST', u.cookie, '/api/me/payouts', wechat(30_000))));
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes).toEqual([201, 201, 201, 409, 409, 409]);
    expect(await balance(u.cookie)).toBe(10_000);
    expect((await inject('GET', u.cookie, '/api/me/payouts')).json().payouts).toHaveLength(3);
    const r = await reconcile();
    expect(r.ok).toBe(true);
    expect(r.negativeContributorAccounts).toEqual([]);
  });

  it('keeps the real name and account encrypted at rest and masked in every answer', async () => {
    const u = await contributorWith(100_000);
    const res = await inject('POST', u.cookie, '/api/me/payouts', { ...wechat(10_000), method: 'alipay', account: 'alice.w@example.com', realName: '王小丫' });
    expect(res.statusCode).toBe(201);
    expect(res.json().payout).toMatchObject({ account: 'a***@example.com', realName: '王**' });
    const { rows } = await ctx.runtime.services.database.sql.query<Record<string, string>>('SELECT * FROM payouts WHERE id = $1', [res.json().payout.id]);
    const stored = JSON.stringify(rows[0]);
    expect(stored).not.toContain('alice.w');
    expect(stored).not.toContain('王小丫');
    expect(rows[0]!.details_enc).toMatch(/^v1:/);
  });
});

describe('finance: batches, export and marking', () => {
  it('is closed to contributors and editors', async () => {
    const u = await contributorWith(0);
    for (const [method, url, payload] of [
      ['GET', '/api/finance/payouts'],
      ['GET', '/api/finance/payout-batches'],
      ['POST', '/api/finance/payout-batches', { channel: 'bank', payoutIds: [randomUUID()] }],
      ['POST', `/api/finance/payout-batches/${randomUUID()}/export.csv`],
      ['POST', `/api/finance/payouts/${randomUUID()}/mark`, { status: 'paid' }],
    ] as const) {
      expect((await inject(method, u.cookie, url, payload)).statusCode, url).toBe(403);
      expect((await inject(method, chief.cookie, url, payload)).statusCode, url).toBe(403);
    }
  });

  it('batches all-or-nothing, exports a bank CSV, keeps later requests out, and settles or returns each payout exactly once', async () => {
    const a = await contributorWith(200_000);
    const b = await contributorWith(200_000);
    const pa = (await inject('POST', a.cookie, '/api/me/payouts', bank(123_456))).json().payout;
    const pb = (await inject('POST', b.cookie, '/api/me/payouts', bank(50_000, { realName: '=HYPERLINK("x")', account: '6217000010012345678' }))).json().payout;
    const pw = (await inject('POST', b.cookie, '/api/me/payouts', wechat(20_000))).json().payout;

    const requested = (await inject('GET', finance.cookie, '/api/finance/payouts?status=requested')).json();
    expect(requested.payouts.map((p: { id: string }) => p.id)).toEqual(expect.arrayContaining([pa.id, pb.id, pw.id]));

    // A WeChat payout in a bank batch: nothing is created.
    const mixed = await inject('POST', finance.cookie, '/api/finance/payout-batches', { channel: 'bank', payoutIds: [pa.id, pw.id] });
    expect(mixed.statusCode).toBe(409);
    expect(mixed.json().error).toMatchObject({ code: 'payout.not_batchable', details: { payoutIds: [pw.id] } });
    expect(
      (await inject('GET', finance.cookie, '/api/finance/payout-batches')).json().batches.filter((x: { payoutIds: string[] }) => x.payoutIds.includes(pa.id)),
    ).toEqual([]);

    const created = await inject('POST', finance.cookie, '/api/finance/payout-batches', { channel: 'bank', payoutIds: [pa.id, pb.id] });
    expect(created.statusCode).toBe(201);
    const batch = created.json().batch;
    expect(batch).toMatchObject({ channel: 'bank', status: 'approved', totalFen: 173_456, exportedAt: null });
    expect([...batch.payoutIds].sort()).toEqual([pa.id, pb.id].sort());
    // Already batched: a second batch over it is refused whole.
    expect((await inject('POST', finance.cookie, '/api/finance/payout-batches', { channel: 'bank', payoutIds: [pb.id] })).statusCode).toBe(409);

    // A request made while the batch is exported never joins it.
    const [csvRes, late] = await Promise.all([
      inject('POST', finance.cookie, `/api/finance/payout-batches/${batch.id}/export.csv`),
      inject('POST', a.cookie, '/api/me/payouts', bank(10_000)),
    ]);
    expect(csvRes.statusCode).toBe(200);
    expect(csvRes.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csvRes.headers['content-disposition']).toMatch(/^attachment; filename="paike-bank-[0-9a-f]{8}\.csv"$/);
    const csv = csvRes.body;
    expect(csv.startsWith('\uFEFF序号,收款人姓名,收款账号,开户行,金额(元),用途\r\n')).toBe(true);
    const lines = csv.slice(1).trimEnd().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['1', '2']);
    const body = lines.slice(1).map((l) => l.slice(2));
    expect(body).toContain(`李四,62220212345678901234,中国工商银行成都分行,1234.56,拍客稿酬-${pa.id.slice(0, 8)}`);
    expect(body).toContain(`"'=HYPERLINK(""x"")",6217000010012345678,中国工商银行成都分行,500.00,拍客稿酬-${pb.id.slice(0, 8)}`);
    expect(late.json().payout.status).toBe('requested');
    const batches = (await inject('GET', finance.cookie, '/api/finance/payout-batches')).json().batches;
    const exported = batches.find((x: { id: string }) => x.id === batch.id);
    expect(exported).toMatchObject({ status: 'exported', exportedAt: clock.now().toISOString() });
    expect(exported.payoutIds).not.toContain(late.json().payout.id);
    // An exported payout cannot be batched again.
    expect((await inject('POST', finance.cookie, '/api/finance/payout-batches', { channel: 'bank', payoutIds: [pa.id] })).json().error.code).toBe(
      'payout.not_batchable',
    );
    // A requested payout cannot be marked.
    expect((await inject('POST', finance.cookie, `/api/finance/payouts/${late.json().payout.id}/mark`, { status: 'paid' })).json().error.code).toBe(
      'payout.not_markable',
    );

    // Paid twice: one settlement.
    const paid = await Promise.all([1, 2].map(() => inject('POST', finance.cookie, `/api/finance/payouts/${pa.id}/mark`, { status: 'paid' })));
    expect(paid.map((r) => r.statusCode)).toEqual([200, 200]);
    expect(paid[0]!.json().payout).toMatchObject({ status: 'paid', paidAt: clock.now().toISOString() });
    expect(await countKeys(`payout-paid:${pa.id}`)).toBe(1);
    expect((await inject('POST', finance.cookie, `/api/finance/payouts/${pa.id}/mark`, { status: 'failed' })).statusCode).toBe(409);
    expect(await balance(a.cookie)).toBe(200_000 - 123_456 - 10_000);

    // Failed (twice): the funds come back once.
    const before = await balance(b.cookie);
    for (let i = 0; i < 2; i++) {
      const f = await inject('POST', finance.cookie, `/api/finance/payouts/${pb.id}/mark`, { status: 'failed', reason: '户名与账号不符' });
      expect(f.json().payout).toMatchObject({ status: 'failed', failureReason: '户名与账号不符' });
    }
    expect(await balance(b.cookie)).toBe(before + 50_000);
    expect(await countKeys(`payout-failed:${pb.id}`)).toBe(1);
    expect((await inject('POST', finance.cookie, `/api/finance/payouts/${pb.id}/mark`, { status: 'paid' })).statusCode).toBe(409);

    // Every payout settled: the batch closes; a repeat download lists nothing left to pay.
    expect((await inject('GET', finance.cookie, '/api/finance/payout-batches')).json().batches.find((x: { id: string }) => x.id === batch.id).status).toBe(
      'closed',
    );
    const again = await inject('POST', finance.cookie, `/api/finance/payout-batches/${batch.id}/export.csv`);
    expect(again.body.slice(1).trimEnd().split('\r\n')).toHaveLength(1);

    const r = await reconcile();
    expect(r.ok).toBe(true);
    const statement = (await inject('GET', b.cookie, '/api/me/ledger')).json();
    expect(statement.entries.slice(0, 1).map((e: { kind: string; amountFen: number }) => [e.kind, e.amountFen])).toEqual([['reversal', 50_000]]);

    const audit = (await inject('GET', (await staff(ctx, ['admin'])).cookie, '/api/audit?limit=50')).json().entries as {
      action: string;
      objectId: string;
      actorId: string;
      actorName: string;
    }[];
    const actions = audit.filter((e) => e.objectId === batch.id || e.objectId === pa.id || e.objectId === pb.id).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['payout_batch.create', 'payout_batch.export', 'payout.mark_paid', 'payout.mark_failed', 'payout.request']));
    expect(audit.find((e) => e.action === 'payout_batch.export')).toMatchObject({ actorId: finance.user.id, actorName: 'Staff' });
  });

  it('exports only through a POST that no other site, same-site included, can send; a GET is gone', async () => {
    const u = await contributorWith(100_000);
    const p = (await inject('POST', u.cookie, '/api/me/payouts', wechat(10_000))).json().payout;
    const b = (await inject('POST', finance.cookie, '/api/finance/payout-batches', { channel: 'wechat', payoutIds: [p.id] })).json().batch;
    const url = `/api/finance/payout-batches/${b.id}/export.csv`;
    const as = (method: 'GET' | 'POST', headers: Record<string, string>) =>
      ctx.app.inject({ method, url, headers: { cookie: finance.cookie, 'accept-language': 'en', ...headers } });
    for (const headers of <Record<string, string>[]>[
      { 'sec-fetch-site': 'same-site', origin: 'https://blog.paike.test' },
      { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
      { origin: 'https://evil.example' },
    ]) {
      const refused = await as('POST', headers);
      expect(refused.statusCode, JSON.stringify(headers)).toBe(403);
      expect(refused.json().error.code).toBe('request.cross_site');
    }
    // A link or an <img> on any page can send a GET: it no longer exports anything.
    expect((await as('GET', { 'sec-fetch-site': 'same-site' })).statusCode).toBe(404);
    expect((await as('GET', {})).statusCode).toBe(404);
    const listed = async () => (await inject('GET', finance.cookie, '/api/finance/payout-batches')).json().batches.find((x: { id: string }) => x.id === b.id);
    expect(await listed()).toMatchObject({ status: 'approved', exportedAt: null });
    // The finance page's own request (same origin) exports.
    const ok = await as('POST', { 'sec-fetch-site': 'same-origin', origin: 'http://paike.test' });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain(',张三丰,100.00,');
    expect(await listed()).toMatchObject({ status: 'exported' });
  });

  it('exports WeChat Pay and Alipay files in their own columns', async () => {
    const u = await contributorWith(100_000);
    const w = (await inject('POST', u.cookie, '/api/me/payouts', wechat(10_001))).json().payout;
    const al = (await inject('POST', u.cookie, '/api/me/payouts', { ...wechat(20_000), method: 'alipay', account: '13800138000' })).json().payout;
    const wb = (await inject('POST', finance.cookie, '/api/finance/payout-batches', { channel: 'wechat', payoutIds: [w.id] })).json().batch;
    const ab = (await inject('POST', finance.cookie, '/api/finance/payout-batches', { channel: 'alipay', payoutIds: [al.id] })).json().batch;
    const wcsv = (await inject('POST', finance.cookie, `/api/finance/payout-batches/${wb.id}/export.csv`)).body;
    expect(wcsv).toBe(
      `\uFEFF商家明细单号,收款用户openid,收款用户姓名,转账金额(元),转账备注,appid\r\n${w.id.replace(/-/g, '')},${openidOf(u.user.id)},张三丰,100.01,拍客稿酬,${MP_APP_ID}\r\n`,
    );
    const acsv = (await inject('POST', finance.cookie, `/api/finance/payout-batches/${ab.id}/export.csv`)).body;
    expect(acsv).toBe(
      `\uFEFF商户流水号,收款人支付宝账号,收款人姓名,付款金额(元),付款理由\r\n${al.id.replace(/-/g, '')},13800138000,张三丰,200.00,拍客稿酬\r\n`,
    );
    expect(al.account).toBe('138****8000');
    // Marking straight from batched (before export) is allowed too.
    expect((await inject('POST', finance.cookie, `/api/finance/payouts/${w.id}/mark`, { status: 'paid' })).statusCode).toBe(200);
  });
});

describe('GET /api/audit', () => {
  it('pages newest first for chief editors and admins only', async () => {
    const u = await contributorWith(0);
    expect((await inject('GET', u.cookie, '/api/audit')).statusCode).toBe(403);
    expect((await inject('GET', finance.cookie, '/api/audit')).statusCode).toBe(403);
    const first = (await inject('GET', chief.cookie, '/api/audit?limit=2')).json().entries as { id: number }[];
    expect(first).toHaveLength(2);
    expect(first[0]!.id).toBeGreaterThan(first[1]!.id);
    const next = (await inject('GET', chief.cookie, `/api/audit?limit=2&before=${first[1]!.id}`)).json().entries as { id: number }[];
    expect(next[0]!.id).toBeLessThan(first[1]!.id);
  });
});
