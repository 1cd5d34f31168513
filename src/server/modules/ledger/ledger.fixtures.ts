import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { demoCampaign } from '../../seed.js';
import type { TestContext } from '../../testing/harness.js';
import { GOOD_PASSWORD, uniqueEmail } from '../../testing/harness.js';

/** A contributor user created directly through the service (no HTTP). */
export async function makeUser(ctx: TestContext): Promise<string> {
  const u = await ctx.runtime.services.accounts.createUser(null, {
    email: uniqueEmail('ledger'),
    password: GOOD_PASSWORD,
    name: 'Ledger Test',
    roles: ['contributor'],
  });
  return u.id;
}

export async function makeCampaign(ctx: TestContext): Promise<string> {
  const { services } = ctx.runtime;
  const c = await services.campaigns.create(null, { ...demoCampaign(services.clock.now()), slug: `ledger-${randomBytes(4).toString('hex')}` });
  return c.id;
}

/** Whole-ledger facts read straight from the tables, independent of the service. */
export async function ledgerFacts(ctx: TestContext) {
  const { db } = ctx.runtime.services.database;
  const rows = <T>(r: unknown) => (r as { rows?: T[] }).rows ?? (r as T[]);
  const [total] = rows<{ total: string | number | null }>(await db.execute(sql`SELECT coalesce(sum(amount_fen), 0)::text AS total FROM ledger_entries`));
  const unbalanced = rows<{ id: string }>(
    await db.execute(
      sql`SELECT t.id FROM ledger_transfers t LEFT JOIN ledger_entries e ON e.transfer_id = t.id GROUP BY t.id HAVING count(e.id) < 2 OR coalesce(sum(e.amount_fen), 0) <> 0`,
    ),
  );
  const negative = rows<{ id: string }>(
    await db.execute(
      sql`SELECT a.id FROM ledger_accounts a JOIN ledger_entries e ON e.account_id = a.id WHERE NOT a.may_go_negative GROUP BY a.id HAVING sum(e.amount_fen) < 0`,
    ),
  );
  const balances = new Map(
    rows<{ id: string; balance: string }>(
      await db.execute(sql`SELECT account_id AS id, sum(amount_fen)::text AS balance FROM ledger_entries GROUP BY account_id`),
    ).map((r) => [r.id, Number(r.balance)]),
  );
  const keys = new Map(rows<{ k: string; id: string }>(await db.execute(sql`SELECT idempotency_key AS k, id FROM ledger_transfers`)).map((r) => [r.k, r.id]));
  return { totalFen: Number(total?.total ?? 0), unbalanced: unbalanced.map((r) => r.id), negative: negative.map((r) => r.id), balances, keys };
}
