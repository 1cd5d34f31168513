import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, fixedClock, signUp, staff, type TestContext } from '../../testing/harness.js';
import { propagationFixtures } from './charts.fixtures.js';
import { csvCell } from './dashboards.csv.js';
import { propagationIndex } from './propagation.index.js';

const clock = fixedClock('2027-01-10T12:00:00+08:00');
let ctx: TestContext;
type Who = { cookie: string; user: { id: string } };
let editor: Who;
let u1: Who;
let u2: Who;
let u3: Who;
let v1: string;
let v2: string;
let studioFood: string;
let studioTravel: string;
const EVIL = '=HYPERLINK("http://evil.example","点我"),1';

beforeAll(async () => {
  ctx = await createTestContext({ clock });
  const fx = propagationFixtures(ctx.runtime.services);
  editor = await staff(ctx, ['editor']);
  const chief = await staff(ctx, ['chief_editor']);
  const campaignId = (await fx.campaign({ startsAt: '2026-12-01T00:00:00+08:00', endsAt: '2027-03-01T00:00:00+08:00' })).id;
  [u1, u2, u3] = [await signUp(ctx.app, { name: '林勇刚' }), await signUp(ctx.app), await signUp(ctx.app)];
  v1 = await fx.video({ campaignId, userId: u1.user.id, adoptedAt: '2026-12-02T10:00:00+08:00', theme: 'food', title: EVIL });
  v2 = await fx.video({ campaignId, userId: u2.user.id, adoptedAt: '2026-12-02T10:00:00+08:00', theme: 'travel' });
  const [app, weibo, wechat] = [await fx.publication(v1, 'app'), await fx.publication(v1, 'weibo'), await fx.publication(v2, 'wechat')];
  await fx.sample(weibo, '2027-01-06T10:00:00+08:00', { views: 1000 });
  await fx.sample(app, '2027-01-07T09:00:00+08:00', { views: 100 });
  await fx.sample(app, '2027-01-07T20:00:00+08:00', { views: 300 });
  await fx.sample(app, '2027-01-08T10:00:00+08:00', { views: 250 }); // reported lower
  await fx.sample(weibo, '2027-01-08T12:00:00+08:00', { views: 1500, likes: 10, shares: 5 });
  await fx.sample(app, '2027-01-09T10:00:00+08:00', { views: 600 });
  await fx.sample(wechat, '2027-01-08T10:00:00+08:00', { views: 5000, comments: 7 });
  // After the range below: not in it.
  await fx.sample(app, '2027-01-10T10:00:00+08:00', { views: 900 });
  const studio = async (name: string, theme: string, memberIds: string[]) => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/desk/studios',
      headers: { cookie: chief.cookie },
      payload: { name, memberIds, routes: [{ campaignId, theme }] },
    });
    expect(res.statusCode).toBe(201);
    return res.json().studio.id as string;
  };
  studioFood = await studio('美食工作室', 'food', [u3.user.id]);
  studioTravel = await studio('旅行工作室', 'travel', []);
});
afterAll(async () => {
  await ctx?.close();
});

const RANGE = `from=${encodeURIComponent('2027-01-07T00:00:00+08:00')}&to=${encodeURIComponent('2027-01-09T23:00:00+08:00')}`;
const get = (url: string, who?: Who, lang = 'zh-CN') =>
  ctx.app.inject({ method: 'GET', url, headers: { ...(who ? { cookie: who.cookie } : {}), 'accept-language': lang } });

describe('dashboards', () => {
  it('shows a video’s reach per Shanghai day, per channel, never lowered by a lower sample, with its totals and index', async () => {
    const res = await get(`/api/dashboards/videos/${v1}?${RANGE}`, u1);
    expect(res.statusCode).toBe(200);
    const d = res.json().dashboard;
    const day = (s: string) => new Date(`${s}T00:00:00+08:00`).toISOString();
    expect(d.series).toEqual([
      { at: day('2027-01-07'), reach: 1300, byChannel: { app: 300, weibo: 1000 } },
      { at: day('2027-01-08'), reach: 1800, byChannel: { app: 300, weibo: 1500 } },
      { at: day('2027-01-09'), reach: 2100, byChannel: { app: 600, weibo: 1500 } },
    ]);
    const figures = { views: 2100, likes: 10, comments: 0, shares: 5 };
    expect(d).toMatchObject({
      subject: { kind: 'video', id: v1, name: EVIL },
      bucket: 'day',
      timeZone: 'Asia/Shanghai',
      totals: { ...figures, reach: 2100, index: propagationIndex(figures) },
      byChannel: [
        { channel: 'app', views: 600, likes: 0, comments: 0, shares: 0, reach: 600 },
        { channel: 'weibo', views: 1500, likes: 10, comments: 0, shares: 5, reach: 1500 },
      ],
      videos: [{ submissionId: v1, headline: EVIL, reach: 2100, index: propagationIndex(figures) }],
      videoCount: 1,
    });
  });

  it('buckets by the hour too', async () => {
    const q = `bucket=hour&from=${encodeURIComponent('2027-01-07T19:30:00+08:00')}&to=${encodeURIComponent('2027-01-07T21:30:00+08:00')}`;
    const d = (await get(`/api/dashboards/videos/${v1}?${q}`, editor)).json().dashboard;
    expect(d.series.map((p: { at: string; reach: number }) => [p.at, p.reach])).toEqual([
      [new Date('2027-01-07T19:00:00+08:00').toISOString(), 1100],
      [new Date('2027-01-07T20:00:00+08:00').toISOString(), 1300],
      [new Date('2027-01-07T21:00:00+08:00').toISOString(), 1300],
    ]);
  });

  it('covers a contributor’s videos, a studio’s routed videos and a channel', async () => {
    const mine = (await get(`/api/dashboards/contributors/${u1.user.id}?${RANGE}`, u1)).json().dashboard;
    expect(mine.subject).toEqual({ kind: 'contributor', id: u1.user.id, name: '林勇刚' });
    expect(mine.totals.reach).toBe(2100);
    const food = (await get(`/api/dashboards/studios/${studioFood}?${RANGE}`, u3)).json().dashboard;
    expect(food).toMatchObject({ subject: { name: '美食工作室' }, videoCount: 1, totals: { reach: 2100 } });
    const travel = (await get(`/api/dashboards/studios/${studioTravel}?${RANGE}`, editor)).json().dashboard;
    expect(travel).toMatchObject({ videoCount: 1, totals: { reach: 5000, comments: 7 }, byChannel: [{ channel: 'wechat', reach: 5000 }] });
    const weibo = (await get(`/api/dashboards/channels/weibo?${RANGE}`, editor)).json().dashboard;
    expect(weibo).toMatchObject({ subject: { kind: 'channel', id: 'weibo' }, totals: { reach: 1500 }, videoCount: 1 });
    expect(weibo.series.map((p: { reach: number }) => p.reach)).toEqual([1000, 1500, 1500]);
    // Defaults: the last 30 days up to now (the 10 January sample is in).
    expect((await get(`/api/dashboards/videos/${v1}`, u1)).json().dashboard.totals.reach).toBe(2400);
  });

  it('lets a contributor see only their own, a studio’s people their studio, and editors everything', async () => {
    const status = async (url: string, who?: Who) => (await get(url, who)).statusCode;
    expect(await status(`/api/dashboards/videos/${v1}`)).toBe(401);
    expect(await status(`/api/dashboards/videos/${v1}`, u2)).toBe(403);
    expect(await status(`/api/dashboards/contributors/${u1.user.id}`, u2)).toBe(403);
    expect(await status(`/api/dashboards/contributors/${u1.user.id}?format=csv`, u2)).toBe(403);
    expect(await status(`/api/dashboards/videos/${v2}`, u2)).toBe(200);
    expect(await status(`/api/dashboards/studios/${studioTravel}`, u3)).toBe(403);
    expect(await status(`/api/dashboards/studios/${studioFood}`, u2)).toBe(403);
    expect(await status(`/api/dashboards/channels/app`, u1)).toBe(403);
    for (const url of [
      `/api/dashboards/videos/${v1}`,
      `/api/dashboards/contributors/${u2.user.id}`,
      `/api/dashboards/studios/${studioFood}`,
      `/api/dashboards/channels/app`,
    ]) {
      expect(await status(url, editor), url).toBe(200);
    }
    expect(await status(`/api/dashboards/videos/00000000-0000-4000-8000-000000000000`, editor)).toBe(404);
    expect(await status(`/api/dashboards/channels/myspace`, editor)).toBe(400);
  });

  it('exports the same figures as CSV that Excel opens correctly and cannot be tricked into running', async () => {
    const res = await get(`/api/dashboards/videos/${v1}?${RANGE}&format=csv`, u1, 'en');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="paike-video-${v1}-day.csv"`);
    expect(res.body.startsWith('\uFEFF')).toBe(true);
    expect(res.body.endsWith('\r\n')).toBe(true);
    const lines = res.body.slice(1).split('\r\n');
    expect(lines.slice(0, 8)).toEqual([
      `Subject,Video,"'=HYPERLINK(""http://evil.example"",""点我""),1",${v1}`,
      'Range (Asia/Shanghai),2027-01-07 00:00,2027-01-09 23:00,daily',
      '',
      'Time (Asia/Shanghai),Reach,app,weibo',
      '2027-01-07 00:00,1300,300,1000',
      '2027-01-08 00:00,1800,300,1500',
      '2027-01-09 00:00,2100,600,1500',
      '',
    ]);
    expect(lines).toContain('Channel,Views,Likes,Comments,Shares,Reach');
    expect(lines).toContain('weibo,1500,10,0,5,1500');
    expect(lines).toContain('Total,2100,10,0,5,2100');
    expect(lines).toContain(
      `${v1},"'=HYPERLINK(""http://evil.example"",""点我""),1",2100,${propagationIndex({ views: 2100, likes: 10, comments: 0, shares: 5 })}`,
    );
    const zh = await get(`/api/dashboards/videos/${v1}?${RANGE}&format=csv`, u1);
    expect(zh.body.split('\r\n')[3]).toBe('时间 (Asia/Shanghai),传播量,app,weibo');
    for (const [input, out] of [
      ['+1', "'+1"],
      ['-1+2', "'-1+2"],
      ['@SUM(A1)', "'@SUM(A1)"],
      ['\t=1', "'\t=1"],
      ['a "b"', '"a ""b"""'],
      ['line\nbreak', '"line\nbreak"'],
      ['普通标题', '普通标题'],
    ] as const)
      expect(csvCell(input)).toBe(out);
    expect(csvCell(-5)).toBe('-5');
  });

  it('explains a bad range', async () => {
    const backwards = await get(`/api/dashboards/videos/${v1}?from=2027-01-09T00:00:00Z&to=2027-01-08T00:00:00Z`, u1, 'en');
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().error).toEqual({ code: 'dashboard.invalid_range', message: 'Invalid range: “from” must be before “to”.' });
    const long = await get(`/api/dashboards/videos/${v1}?bucket=hour&from=2026-01-01T00:00:00Z&to=2027-01-08T00:00:00Z`, u1);
    expect(long.statusCode).toBe(400);
    expect(long.json().error.code).toBe('dashboard.range_too_long');
    expect((await get(`/api/dashboards/videos/${v1}?bucket=week`, u1)).statusCode).toBe(400);
  });
});
