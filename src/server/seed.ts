import { randomBytes } from 'node:crypto';
import { DEFAULT_PROPAGATION, type CreateCampaignInput } from '../contracts/campaigns.js';
import type { Services } from './services.js';

export interface SeedResult {
  campaignSlug?: string;
  admin?: { email: string; password: string };
}

/** The demo campaign, modelled on the seed page: 全球寻找封面拍客. */
export function demoCampaign(now: Date): CreateCampaignInput {
  const day = 86_400_000;
  return {
    slug: 'cover-paike',
    title: { 'zh-CN': '全球寻找封面拍客', en: 'Cover News is looking for videographers worldwide' },
    description: {
      'zh-CN':
        '全球征集千名拍客！用手机拍下 1 至 3 分钟的短视频，分享美食、旅行以及回家的路。作品一经采用，根据新闻线索认定给予单条视频 100 元至 10000 元奖励，并在封面新闻客户端、微博、微信、头条号、企鹅号全平台分发。',
      en: 'A thousand citizen videographers wanted, anywhere in the world. Shoot a 1–3 minute video on your phone about food, travel or the way home. Each adopted video earns 100 to 10,000 yuan according to its news value, and is published on every Cover News channel.',
    },
    themes: [
      { key: 'food', title: { 'zh-CN': '美食', en: 'Food' } },
      { key: 'travel', title: { 'zh-CN': '旅行', en: 'Travel' } },
      { key: 'way-home', title: { 'zh-CN': '回家的路', en: 'The way home' } },
    ],
    startsAt: new Date(now.getTime() - day).toISOString(),
    endsAt: new Date(now.getTime() + 90 * day).toISOString(),
    quota: 1000,
    published: true,
    rules: {
      minDurationSeconds: 60,
      maxDurationSeconds: 180,
      maxUploadBytes: 2 * 1024 ** 3,
      grades: [
        { grade: 'D', rewardFen: 10_000 },
        { grade: 'C', rewardFen: 50_000 },
        { grade: 'B', rewardFen: 200_000 },
        { grade: 'A', rewardFen: 500_000 },
        { grade: 'S', rewardFen: 1_000_000 },
      ],
      weeklyPrizes: Array.from({ length: 10 }, (_, i) => ({ rank: i + 1, amountFen: i === 0 ? 200_000 : i < 3 ? 100_000 : 50_000 })),
      bonusTiers: [
        { adoptedCount: 3, bonusFen: 30_000 },
        { adoptedCount: 5, bonusFen: 80_000 },
        { adoptedCount: 10, bonusFen: 200_000 },
      ],
      reachMultipliers: [
        { reachAtLeast: 100_000, multiplierPercent: 120 },
        { reachAtLeast: 1_000_000, multiplierPercent: 150 },
      ],
      grandPrize: { thresholdReach: 10_000_000, amountFen: 1_000_000, holdBackDays: 7 },
      propagation: DEFAULT_PROPAGATION,
    },
  };
}

/**
 * On an empty database: the demo campaign, and a demo admin whose password is returned
 * (and printed once by the caller) unless an admin already exists.
 */
export async function seedDemo(services: Services): Promise<SeedResult> {
  const result: SeedResult = {};
  if ((await services.campaigns.count()) === 0) {
    const c = await services.campaigns.create(null, demoCampaign(services.clock.now()));
    result.campaignSlug = c.slug;
    // A demo budget of 500,000 yuan, so reconciliation shows spending against something.
    const [treasury, budget] = [await services.ledger.systemAccount('treasury'), await services.ledger.systemAccount('campaign_budget', c.id)];
    await services.ledger.post({
      idempotencyKey: `budget:seed:${c.id}`,
      kind: 'budget_funding',
      entries: [
        { accountId: treasury.id, amountFen: -50_000_000 },
        { accountId: budget.id, amountFen: 50_000_000 },
      ],
      refs: { campaignId: c.id },
      memo: 'demo budget',
    });
    if (!(await services.accounts.hasAdmin())) {
      const password = randomBytes(12).toString('base64url');
      const email = 'admin@paike.local';
      await services.accounts.createUser(null, { email, password, name: 'Demo admin', roles: ['admin'], locale: 'zh-CN' });
      result.admin = { email, password };
    }
  }
  return result;
}
