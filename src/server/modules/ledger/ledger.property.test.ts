import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerTransferKind } from '../../../contracts/ledger.js';
import { AppError } from '../../lib/errors.js';
import { createTestContext, type TestContext } from '../../testing/harness.js';
import { ledgerFacts, makeCampaign, makeUser } from './ledger.fixtures.js';
import type { LedgerService, PostTransferInput } from './ledger.service.js';

/** mulberry32: a tiny seeded generator, so a failing sequence can be replayed with LEDGER_SEED. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = process.env.LEDGER_SEED ? Number(process.env.LEDGER_SEED) : Math.floor(Math.random() * 2 ** 32);
const OPS = Number(process.env.LEDGER_OPS ?? 300);
const CHECK_EVERY = 25;

let ctx: TestContext;
let ledger: LedgerService;
beforeAll(async () => {
  ctx = await createTestContext();
  ledger = ctx.runtime.services.ledger;
});
afterAll(async () => {
  await ctx?.close();
});

interface Posted {
  id: string;
  input: PostTransferInput;
  reversed: boolean;
}

describe('ledger property test', () => {
  it(`random operations keep every invariant (seed ${SEED}; replay with LEDGER_SEED=${SEED})`, async () => {
    const rand = mulberry32(SEED);
    const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

    const campaigns = [await makeCampaign(ctx), await makeCampaign(ctx)];
    const treasury = (await ledger.systemAccount('treasury')).id;
    const clearing = (await ledger.systemAccount('payouts_clearing')).id;
    const budgets = await Promise.all(campaigns.map(async (c) => (await ledger.systemAccount('campaign_budget', c)).id));
    const contributors: string[] = [];
    for (let i = 0; i < 4; i++) contributors.push((await ledger.ensureContributorAccount(await makeUser(ctx))).id);
    const nonNegative = new Set(contributors);

    // The model: what the ledger should hold.
    const balance = new Map<string, number>();
    const funded = new Map<string, number>(budgets.map((b) => [b, 0]));
    const byKey = new Map<string, Posted>();
    const posted: Posted[] = [];
    const bal = (id: string) => balance.get(id) ?? 0;
    const apply = (entries: PostTransferInput['entries']) => {
      for (const e of entries) balance.set(e.accountId, bal(e.accountId) + e.amountFen);
    };
    const wouldGoNegative = (entries: PostTransferInput['entries']) => {
      const net = new Map<string, number>();
      for (const e of entries) net.set(e.accountId, (net.get(e.accountId) ?? 0) + e.amountFen);
      return [...net].some(([id, n]) => nonNegative.has(id) && n < 0 && bal(id) + n < 0);
    };
    const outcome = async (p: Promise<{ id: string; created: boolean }>) =>
      p.then(
        (t) => ({ ok: true as const, t }),
        (err: unknown) => {
          if (err instanceof AppError) return { ok: false as const, code: err.code };
          throw err;
        },
      );

    /** Posts and checks the outcome against the model's prediction. */
    async function post(input: PostTransferInput) {
      const expectRefusal = wouldGoNegative(input.entries);
      const r = await outcome(ledger.post(input));
      if (expectRefusal) {
        expect(r).toEqual({ ok: false, code: 'ledger.insufficient_funds' });
        return;
      }
      expect(r.ok, `post ${input.kind} ${input.idempotencyKey}: ${r.ok ? '' : r.code}`).toBe(true);
      if (!r.ok) return;
      expect(r.t.created).toBe(true);
      apply(input.entries);
      if (input.kind === 'budget_funding')
        for (const e of input.entries) if (funded.has(e.accountId)) funded.set(e.accountId, funded.get(e.accountId)! + e.amountFen);
      const p = { id: r.t.id, input, reversed: false };
      byKey.set(input.idempotencyKey, p);
      posted.push(p);
    }

    const stats: Record<string, number> = {};
    const ops: [number, string, () => Promise<void>][] = [
      [
        3,
        'fund',
        async () => {
          const b = pick(budgets);
          const x = int(1, 500_000);
          await post({
            idempotencyKey: randomUUID(),
            kind: 'budget_funding',
            entries: [
              { accountId: treasury, amountFen: -x },
              { accountId: b, amountFen: x },
            ],
          });
        },
      ],
      [
        5,
        'reward',
        async () => {
          const i = int(0, budgets.length - 1);
          const kind = pick<LedgerTransferKind>(['adoption_reward', 'grade_correction', 'cumulative_bonus', 'weekly_prize', 'grand_prize']);
          const x = int(1, 200_000);
          await post({
            idempotencyKey: randomUUID(),
            kind,
            entries: [
              { accountId: budgets[i]!, amountFen: -x },
              { accountId: pick(contributors), amountFen: x },
            ],
            refs: { campaignId: campaigns[i], n: int(0, 9) },
          });
        },
      ],
      [
        4,
        'payout',
        async () => {
          const c = pick(contributors);
          // Half within the balance, half possibly beyond it.
          const x = rand() < 0.5 ? Math.max(1, int(0, bal(c))) : int(1, 300_000);
          await post({
            idempotencyKey: randomUUID(),
            kind: 'payout',
            entries: [
              { accountId: c, amountFen: -x },
              { accountId: clearing, amountFen: x },
            ],
          });
        },
      ],
      [
        1,
        'split',
        async () => {
          // Several entries, one account twice: a red packet shared by two contributors.
          const [a, b] = [pick(contributors), pick(contributors)];
          const [x, y] = [int(1, 999), int(1, 999)];
          await post({
            idempotencyKey: randomUUID(),
            kind: 'red_packet',
            entries: [
              { accountId: treasury, amountFen: -x },
              { accountId: treasury, amountFen: -y },
              { accountId: a, amountFen: x },
              { accountId: b, amountFen: y },
            ],
          });
        },
      ],
      [
        2,
        'reverse',
        async () => {
          if (!posted.length) return;
          const p = pick(posted);
          const key = randomUUID();
          const mirror = p.input.entries.map((e) => ({ accountId: e.accountId, amountFen: -e.amountFen }));
          const r = await outcome(ledger.reverse(p.id, { idempotencyKey: key }));
          if (p.input.kind === 'reversal') return expect(r).toEqual({ ok: false, code: 'ledger.not_reversible' });
          if (p.reversed) return expect(r).toEqual({ ok: false, code: 'ledger.already_reversed' });
          if (wouldGoNegative(mirror)) return expect(r).toEqual({ ok: false, code: 'ledger.insufficient_funds' });
          expect(r.ok).toBe(true);
          if (!r.ok) return;
          p.reversed = true;
          apply(mirror);
          if (p.input.kind === 'budget_funding')
            for (const e of mirror) if (funded.has(e.accountId)) funded.set(e.accountId, funded.get(e.accountId)! + e.amountFen);
          const rp = { id: r.t.id, input: { idempotencyKey: key, kind: 'reversal' as const, entries: mirror, reversesTransferId: p.id }, reversed: false };
          byKey.set(key, rp);
          posted.push(rp);
          // Retrying the same reversal returns it.
          expect(await ledger.reverse(p.id, { idempotencyKey: key })).toMatchObject({ id: r.t.id, created: false });
        },
      ],
      [
        3,
        'retry',
        async () => {
          const p = posted.length ? pick(posted.filter((x) => x.input.kind !== 'reversal')) : undefined;
          if (!p) return;
          // A retry, sometimes several at once, returns the original and changes nothing.
          const n = rand() < 0.3 ? 5 : 1;
          const rs = await Promise.all(Array.from({ length: n }, () => ledger.post(p.input)));
          for (const r of rs) expect(r).toMatchObject({ id: p.id, created: false });
        },
      ],
      [
        1,
        'conflict',
        async () => {
          const p = posted.length ? pick(posted.filter((x) => x.input.kind !== 'reversal')) : undefined;
          if (!p) return;
          const [first, second, ...rest] = p.input.entries;
          const altered = { ...p.input, entries: [{ ...first!, amountFen: first!.amountFen - 1 }, { ...second!, amountFen: second!.amountFen + 1 }, ...rest] };
          expect(await outcome(ledger.post(altered))).toEqual({ ok: false, code: 'ledger.idempotency_conflict' });
        },
      ],
      [
        2,
        'invalid',
        async () => {
          const c = pick(contributors);
          const bad: PostTransferInput[] = [
            {
              idempotencyKey: randomUUID(),
              kind: 'adoption_reward',
              entries: [
                { accountId: budgets[0]!, amountFen: -100 },
                { accountId: c, amountFen: 99 },
              ],
            },
            { idempotencyKey: randomUUID(), kind: 'adoption_reward', entries: [{ accountId: c, amountFen: 100 }] },
            {
              idempotencyKey: randomUUID(),
              kind: 'adoption_reward',
              entries: [
                { accountId: budgets[0]!, amountFen: 0 },
                { accountId: c, amountFen: 0 },
              ],
            },
            {
              idempotencyKey: randomUUID(),
              kind: 'adoption_reward',
              entries: [
                { accountId: budgets[0]!, amountFen: -0.5 },
                { accountId: c, amountFen: 0.5 },
              ],
            },
            {
              idempotencyKey: randomUUID(),
              kind: 'reversal',
              entries: [
                { accountId: budgets[0]!, amountFen: -1 },
                { accountId: c, amountFen: 1 },
              ],
            },
          ];
          const input = pick(bad);
          expect(await outcome(ledger.post(input))).toEqual({ ok: false, code: 'ledger.invalid_transfer' });
          expect(
            await outcome(
              ledger.post({
                idempotencyKey: randomUUID(),
                kind: 'payout',
                entries: [
                  { accountId: randomUUID(), amountFen: -1 },
                  { accountId: clearing, amountFen: 1 },
                ],
              }),
            ),
          ).toEqual({
            ok: false,
            code: 'ledger.account_not_found',
          });
        },
      ],
    ];
    const totalWeight = ops.reduce((s, [w]) => s + w, 0);
    const choose = () => {
      let r = rand() * totalWeight;
      for (const op of ops) if ((r -= op[0]) < 0) return op;
      return ops[0]!;
    };

    async function checkInvariants(at: number) {
      const facts = await ledgerFacts(ctx);
      expect(facts.totalFen, `all entries sum to zero (after op ${at})`).toBe(0);
      expect(facts.unbalanced, 'every transfer sums to zero').toEqual([]);
      expect(facts.negative, 'no contributor negative').toEqual([]);
      for (const [key, p] of byKey) expect(facts.keys.get(key), `key ${key}`).toBe(p.id);
      const ours = new Set(posted.map((p) => p.id));
      expect([...facts.keys.values()].filter((id) => ours.has(id)).length).toBe(posted.length);
      for (const id of [treasury, clearing, ...budgets, ...contributors]) expect(facts.balances.get(id) ?? 0, `balance of ${id}`).toBe(bal(id));
      const rec = await ledger.reconcile();
      expect(rec.totalFen).toBe(0);
      expect(rec.negativeContributorAccounts).toEqual([]);
      expect(rec.unbalancedTransfers).toEqual([]);
      for (const b of budgets) {
        const c = rec.campaigns.find((x) => x.campaignId === campaigns[budgets.indexOf(b)]);
        expect(c, 'budget listed').toBeDefined();
        expect(c!.remainingFen).toBe(bal(b));
        expect(c!.budgetFen).toBe(funded.get(b));
      }
    }

    let i = 0;
    try {
      for (; i < OPS; i++) {
        const [, name, run] = choose();
        stats[name] = (stats[name] ?? 0) + 1;
        await run();
        if ((i + 1) % CHECK_EVERY === 0) await checkInvariants(i);
      }
      await checkInvariants(i);
    } catch (err) {
      console.error(`ledger property test failed at operation ${i} with LEDGER_SEED=${SEED}`);
      throw err;
    }
    expect(posted.length).toBeGreaterThan(OPS / 3);
    expect(stats.reverse).toBeGreaterThan(0);
  });
});
