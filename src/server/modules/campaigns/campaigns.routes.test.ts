import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCampaign } from '../../seed.js';
import { decodeQrPng } from '../../testing/qr.js';
import { createTestContext, fixedClock, GOOD_PASSWORD, signUp, staff, uniqueEmail, type TestContext } from '../../testing/harness.js';

const clock = fixedClock('2026-11-26T04:00:00Z');
let ctx: TestContext;
let admin: { cookie: string };
beforeAll(async () => {
  ctx = await createTestContext({ clock });
  admin = await staff(ctx, ['admin']);
});
afterAll(async () => {
  await ctx?.close();
});

let n = 0;
function campaignBody(overrides: Record<string, unknown> = {}) {
  n += 1;
  return { ...demoCampaign(clock.now()), slug: `test-campaign-${n}`, ...overrides };
}

async function create(overrides: Record<string, unknown> = {}) {
  const res = await ctx.app.inject({ method: 'POST', url: '/api/admin/campaigns', headers: { cookie: admin.cookie }, payload: campaignBody(overrides) });
  if (res.statusCode !== 201) throw new Error(res.body);
  return res.json().campaign as { id: string; slug: string; joinUrl: string; quota: number };
}

describe('campaign administration', () => {
  it('an admin creates a campaign with every rule; it is listed as open with rewards in fen', async () => {
    const c = await create({ quota: 1000 });
    const list = (await ctx.app.inject({ method: 'GET', url: '/api/campaigns' })).json().campaigns;
    const found = list.find((x: { id: string }) => x.id === c.id);
    expect(found).toMatchObject({
      slug: c.slug,
      status: 'open',
      quota: 1000,
      memberCount: 0,
      title: { 'zh-CN': '全球寻找封面拍客' },
      themes: [{ key: 'food', title: { 'zh-CN': '美食', en: 'Food' } }, { key: 'travel' }, { key: 'way-home', title: { 'zh-CN': '回家的路' } }],
      rules: { minDurationSeconds: 60, maxDurationSeconds: 180, grandPrize: { thresholdReach: 10_000_000, amountFen: 1_000_000 } },
      joinUrl: `http://paike.test/c/${c.slug}/join`,
    });
    expect(found.rules.grades).toContainEqual({ grade: 'S', rewardFen: 1_000_000 });
    expect(found.rules.weeklyPrizes).toHaveLength(10);
  });

  it('defaults the duration bounds to 60–180 s and the grand prize threshold to 10,000,000', async () => {
    const body = campaignBody();
    const rules = { grades: [{ grade: 'A', rewardFen: 500_000 }] };
    const res = await ctx.app.inject({ method: 'POST', url: '/api/admin/campaigns', headers: { cookie: admin.cookie }, payload: { ...body, rules } });
    expect(res.statusCode).toBe(201);
    expect(res.json().campaign.rules).toMatchObject({
      minDurationSeconds: 60,
      maxDurationSeconds: 180,
      weeklyPrizes: [],
      grandPrize: { thresholdReach: 10_000_000 },
    });
  });

  it('refuses rewards outside 100–10,000 yuan, reversed dates, duplicate grades and a taken slug', async () => {
    const bad = async (overrides: Record<string, unknown>) =>
      ctx.app.inject({
        method: 'POST',
        url: '/api/admin/campaigns',
        headers: { cookie: admin.cookie, 'accept-language': 'en' },
        payload: campaignBody(overrides),
      });
    const base = demoCampaign(clock.now()).rules;
    const tooSmall = await bad({ rules: { ...base, grades: [{ grade: 'D', rewardFen: 9_999 }] } });
    expect(tooSmall.statusCode).toBe(400);
    expect(tooSmall.json().error.code).toBe('request.invalid');
    expect((await bad({ rules: { ...base, grades: [{ grade: 'S', rewardFen: 1_000_001 }] } })).statusCode).toBe(400);
    expect((await bad({ rules: { ...base, grades: [{ grade: 'A', rewardFen: 10_000.5 }] } })).statusCode).toBe(400);
    expect(
      (
        await bad({
          rules: {
            ...base,
            grades: [
              { grade: 'A', rewardFen: 20_000 },
              { grade: 'A', rewardFen: 30_000 },
            ],
          },
        })
      ).statusCode,
    ).toBe(400);
    expect((await bad({ startsAt: '2026-12-31T00:00:00+08:00', endsAt: '2026-12-01T00:00:00+08:00' })).statusCode).toBe(400);
    expect((await bad({ rules: { ...base, minDurationSeconds: 200, maxDurationSeconds: 100 } })).statusCode).toBe(400);
    const c = await create();
    const taken = await bad({ slug: c.slug });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error).toEqual({ code: 'campaign.slug_taken', message: 'This campaign slug is already in use.' });
  });

  it('an admin edits a campaign; an edit that would break the rules is refused and changes nothing', async () => {
    const c = await create();
    const ok = await ctx.app.inject({
      method: 'PATCH',
      url: `/api/admin/campaigns/${c.id}`,
      headers: { cookie: admin.cookie },
      payload: { quota: 5, title: { 'zh-CN': '新标题', en: 'New title' } },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().campaign).toMatchObject({ quota: 5, title: { en: 'New title' } });
    const bad = await ctx.app.inject({
      method: 'PATCH',
      url: `/api/admin/campaigns/${c.id}`,
      headers: { cookie: admin.cookie },
      payload: { endsAt: '2020-01-01T00:00:00Z', quota: 9 },
    });
    expect(bad.statusCode).toBe(400);
    const after = (await ctx.app.inject({ method: 'GET', url: `/api/campaigns/${c.id}` })).json().campaign;
    expect(after.quota).toBe(5);
  });

  it('only admins manage campaigns; drafts are hidden from the public', async () => {
    const editor = await staff(ctx, ['editor']);
    const denied = await ctx.app.inject({ method: 'POST', url: '/api/admin/campaigns', headers: { cookie: editor.cookie }, payload: campaignBody() });
    expect(denied.statusCode).toBe(403);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/admin/campaigns', headers: { cookie: editor.cookie } })).statusCode).toBe(403);
    const draft = await create({ published: false });
    expect((await ctx.app.inject({ method: 'GET', url: `/api/campaigns/${draft.slug}` })).statusCode).toBe(404);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/campaigns' })).json().campaigns.map((c: { id: string }) => c.id)).not.toContain(draft.id);
    expect((await ctx.app.inject({ method: 'GET', url: `/api/campaigns/${draft.slug}`, headers: { cookie: admin.cookie } })).statusCode).toBe(200);
    const all = (await ctx.app.inject({ method: 'GET', url: '/api/admin/campaigns', headers: { cookie: admin.cookie } })).json().campaigns;
    expect(all.find((c: { id: string }) => c.id === draft.id).status).toBe('draft');
  });
});

describe('QR join link', () => {
  it('serves a printable QR code (SVG and PNG) that decodes to the campaign join link', async () => {
    const c = await create();
    const svg = await ctx.app.inject({ method: 'GET', url: `/api/campaigns/${c.id}/qr.svg` });
    expect(svg.statusCode).toBe(200);
    expect(svg.headers['content-type']).toContain('image/svg+xml');
    expect(svg.body).toContain('<svg');
    const png = await ctx.app.inject({ method: 'GET', url: `/api/campaigns/${c.id}/qr.png` });
    expect(png.headers['content-type']).toBe('image/png');
    const decoded = decodeQrPng(png.rawPayload);
    expect(decoded.width).toBeGreaterThanOrEqual(512);
    expect(decoded.text).toBe(`http://paike.test/c/${c.slug}/join`);
  });

  it('answers 404 for an unknown campaign', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/campaigns/00000000-0000-4000-8000-000000000000/qr.svg' });
    expect(res.statusCode).toBe(404);
  });
});

describe('joining', () => {
  it('signing up through a campaign joins it; the quota holds under concurrent joins', async () => {
    const c = await create({ quota: 3 });
    const first = await signUp(ctx.app, { campaignId: c.id });
    const mine = (await ctx.app.inject({ method: 'GET', url: '/api/me/campaigns', headers: { cookie: first.cookie } })).json().campaigns;
    expect(mine.map((x: { id: string }) => x.id)).toEqual([c.id]);

    const others = await Promise.all(Array.from({ length: 5 }, () => signUp(ctx.app)));
    const results = await Promise.all(others.map((o) => ctx.app.inject({ method: 'POST', url: `/api/campaigns/${c.id}/join`, headers: { cookie: o.cookie } })));
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes).toEqual([200, 200, 409, 409, 409]);
    expect(results.find((r) => r.statusCode === 409)!.json().error.code).toBe('campaign.full');
    const after = (await ctx.app.inject({ method: 'GET', url: `/api/campaigns/${c.id}` })).json().campaign;
    expect(after.memberCount).toBe(3);
  });

  it('joining twice is harmless', async () => {
    const c = await create({ quota: 2 });
    const u = await signUp(ctx.app);
    for (let i = 0; i < 2; i++)
      expect((await ctx.app.inject({ method: 'POST', url: `/api/campaigns/${c.id}/join`, headers: { cookie: u.cookie } })).statusCode).toBe(200);
    expect((await ctx.app.inject({ method: 'GET', url: `/api/campaigns/${c.id}` })).json().campaign.memberCount).toBe(1);
  });

  it('sign-up into a full campaign is refused whole: no account is left behind', async () => {
    const c = await create({ quota: 1 });
    await signUp(ctx.app, { campaignId: c.id });
    const email = uniqueEmail('late');
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/auth/sign-up/email',
      headers: { 'accept-language': 'zh-CN' },
      payload: { email, password: GOOD_PASSWORD, name: 'Late', campaignId: c.id },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toEqual({ code: 'campaign.full', message: '该活动名额已满（1 人）。' });
    const signIn = await ctx.app.inject({ method: 'POST', url: '/api/auth/sign-in/email', payload: { email, password: GOOD_PASSWORD } });
    expect(signIn.statusCode).toBe(401);
  });

  it('a campaign that has ended or not started cannot be joined', async () => {
    const ended = await create({ startsAt: '2026-01-01T00:00:00+08:00', endsAt: '2026-02-01T00:00:00+08:00' });
    const u = await signUp(ctx.app);
    const res = await ctx.app.inject({ method: 'POST', url: `/api/campaigns/${ended.id}/join`, headers: { cookie: u.cookie } });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('campaign.not_open');
    expect((await ctx.app.inject({ method: 'POST', url: `/api/campaigns/${ended.id}/join` })).statusCode).toBe(401);
  });
});
