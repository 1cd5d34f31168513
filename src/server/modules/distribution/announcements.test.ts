import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestContext, fixedClock, staff, type TestContext } from '../../testing/harness.js';
import { propagationFixtures } from '../propagation/charts.fixtures.js';
import { startWeiboFake, type WeiboFake } from './channels/fakes/weibo.fake.js';

// The frozen weekly chart goes out as a Weibo status exactly once: the real freeze, the real
// Weibo adapter against the local Weibo fake, connected through the admin's OAuth flow.

const PUBLIC_URL = 'https://paike.test';
const clock = fixedClock('2026-12-23T12:00:00+08:00');
const APP = { appKey: '3198245571', appSecret: '0d1e3f5a7c8e1f0c3b5a7d9e2f4a6c8b' };
const UID = '6102398845';
let weibo: WeiboFake;
let ctx: TestContext;

beforeAll(async () => {
  weibo = await startWeiboFake({ now: () => clock.now(), tokenLifetimeSeconds: 90 * 86_400 });
  weibo.registerApp({ ...APP, secureDomain: 'paike.test', redirectUri: `${PUBLIC_URL}/api/admin/channels/weibo/callback` });
  weibo.registerAccount({ uid: UID, screenName: '拍客新闻' });
  ctx = await createTestContext({ clock, env: { WEIBO_API_URL: weibo.url, PUBLIC_URL } });
  // An admin connects Weibo: app key and secret, then the platform's consent page and back.
  const admin = await staff(ctx, ['admin']);
  const put = await ctx.app.inject({
    method: 'PUT',
    url: '/api/admin/channels/weibo',
    headers: { cookie: admin.cookie },
    payload: { appId: APP.appKey, appSecret: APP.appSecret, accountId: UID, extra: { rip: '203.0.113.7' } },
  });
  expect(put.statusCode).toBe(200);
  const { url } = (await ctx.app.inject({ method: 'POST', url: '/api/admin/channels/weibo/authorize', headers: { cookie: admin.cookie } })).json();
  const consent = await fetch(url, { redirect: 'manual' });
  const back = new URL(consent.headers.get('location')!);
  const cb = await ctx.app.inject({ method: 'GET', url: `${back.pathname}${back.search}`, headers: { cookie: admin.cookie } });
  expect(cb.statusCode).toBe(302);
});
afterAll(async () => {
  await ctx?.close();
  await weibo?.close();
});

it('freezing a week posts its chart to Weibo once, with the link to the chart page, however often the jobs run', async () => {
  const s = ctx.runtime.services;
  const fx = propagationFixtures(s);
  const campaignId = (await fx.campaign({ startsAt: '2026-12-07T00:00:00+08:00', endsAt: '2027-03-01T00:00:00+08:00' })).id;
  const u = await fx.user('王小明');
  const v = await fx.video({ campaignId, userId: u.id, adoptedAt: '2026-12-08T10:00:00+08:00', title: '暴雨中撑伞的外卖小哥' });
  const p = await fx.publication(v, 'app');
  await fx.sample(p, '2026-12-16T10:00:00+08:00', { views: 30_000, likes: 900 });

  const sends: { name: string; data: unknown }[] = [];
  const send = s.jobs.send.bind(s.jobs);
  s.jobs.send = (async (name: string, data: never, opts?: never) => {
    sends.push({ name, data });
    return send(name as never, data, opts);
  }) as typeof s.jobs.send;
  await Promise.all([s.charts.freezeDue(), s.charts.freezeDue()]);
  s.jobs.send = send;

  const jobs = sends.filter((j) => j.name === 'distribution.announce').map((j) => j.data as { campaignId: string; week: string; channel: 'weibo' });
  expect(jobs.filter((j) => j.campaignId === campaignId).map((j) => `${j.week}:${j.channel}`)).toEqual(['2026-W51:weibo']);
  const key = jobs.find((j) => j.campaignId === campaignId)!;

  // The platform is down: the job fails (for its retry) and nothing is posted.
  weibo.down = true;
  await expect(s.announcements.post(key)).rejects.toThrow();
  weibo.down = false;
  // Two copies of the job, then a late third: one status.
  await Promise.all([s.announcements.post(key), s.announcements.post(key)]);
  await s.announcements.post(key);
  const posted = weibo.statuses.filter((x) => x.status.includes('风云榜'));
  expect(posted).toHaveLength(1);
  expect(posted[0]!.status).toContain('2026-W51');
  expect(posted[0]!.status).toContain('暴雨中撑伞的外卖小哥');
  expect(posted[0]!.status).toContain(`${PUBLIC_URL}/charts/${campaignId}?week=2026-W51`);
  const [row] = await s.announcements.list(campaignId, '2026-W51');
  expect(row).toMatchObject({ channel: 'weibo', status: 'live' });
  expect(row!.url).toMatch(new RegExp(`^https://weibo\\.com/${UID}/`));
});
