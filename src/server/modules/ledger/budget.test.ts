import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCampaign } from '../../seed.js';
import { createTestContext, signUp, staff, type TestContext } from '../../testing/harness.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx?.close();
});

describe('campaign budgets', () => {
  it('finance funds a budget once per request; reconciliation shows budget against spent; contributors cannot', async () => {
    const admin = await staff(ctx, ['admin']);
    const finance = await staff(ctx, ['finance']);
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/admin/campaigns',
      headers: { cookie: admin.cookie },
      payload: { ...demoCampaign(new Date()), slug: 'budget-test' },
    });
    const campaignId = res.json().campaign.id as string;
    const requestId = randomUUID();
    const fund = () =>
      ctx.app.inject({
        method: 'POST',
        url: `/api/finance/campaigns/${campaignId}/budget`,
        headers: { cookie: finance.cookie },
        payload: { requestId, amountFen: 1_000_000 },
      });
    const [a, b] = await Promise.all([fund(), fund()]);
    expect(a.json().transferId).toBe(b.json().transferId);
    const rec = (await ctx.app.inject({ method: 'GET', url: '/api/finance/reconciliation', headers: { cookie: finance.cookie } })).json();
    expect(rec.totalFen).toBe(0);
    expect(rec.campaigns.find((c: { campaignId: string }) => c.campaignId === campaignId)).toMatchObject({ budgetFen: 1_000_000, spentFen: 0 });
    const u = await signUp(ctx.app);
    expect(
      (
        await ctx.app.inject({
          method: 'POST',
          url: `/api/finance/campaigns/${campaignId}/budget`,
          headers: { cookie: u.cookie },
          payload: { requestId: randomUUID(), amountFen: 1 },
        })
      ).statusCode,
    ).toBe(403);
  });
});
