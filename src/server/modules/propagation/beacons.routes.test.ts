import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, fixedClock, signUp, type TestContext } from '../../testing/harness.js';
import { addressAndNetwork, beaconSecret, issueViewerCookie, notAPerson } from './beacons.service.js';
import { propagationFixtures } from './propagation.fixtures.js';

const clock = fixedClock('2030-07-01T10:20:00Z');
let ctx: TestContext;
let fx: ReturnType<typeof propagationFixtures>;
let campaignId: string;
let userId: string;

const CHROME = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36';
const WECHAT =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.49(0x18003137) NetType/WIFI Language/zh_CN';

beforeAll(async () => {
  ctx = await createTestContext({ clock });
  fx = propagationFixtures(ctx);
  campaignId = await fx.campaign();
  userId = await fx.contributor();
}, 120_000);
afterAll(async () => {
  await ctx?.close();
});

const beacons = () => ctx.runtime.services.beacons;
let ipSeq = 0;
const nextIp = () => `10.9.${(++ipSeq >> 8) & 255}.${ipSeq & 255}`;
/** A viewer id this server issued a day before (as a browser that visited yesterday holds). */
const vid = () => issueViewerCookie(beaconSecret(ctx.config), Math.floor(clock.now().getTime() / 3600_000) - 24);

function beacon(
  body: Record<string, unknown>,
  opts: { cookie?: string; ua?: string | null; ip?: string; headers?: Record<string, string>; contentType?: string; lang?: string } = {},
) {
  // `undefined` makes light-my-request send no User-Agent at all (it adds its own otherwise).
  const headers: Record<string, string | undefined> = { 'accept-language': opts.lang ?? 'zh-CN', ...(opts.headers ?? {}) };
  headers['user-agent'] = opts.ua === null ? undefined : (opts.ua ?? CHROME);
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.contentType) headers['content-type'] = opts.contentType;
  return ctx.app.inject({
    method: 'POST',
    url: '/api/beacons/views',
    headers,
    payload: opts.contentType ? JSON.stringify(body) : body,
    remoteAddress: opts.ip ?? '10.0.0.1',
  });
}

async function liveVideo(channels: ('app' | 'kiosk')[] = ['app']): Promise<string> {
  const v = await fx.video({ userId, campaignId });
  for (const channel of channels) await fx.publication({ submissionId: v, channel });
  return v;
}

async function hoursOf(submissionId: string) {
  const rows = await fx.query<{ hour: Date | string; n: number }>(
    sql`SELECT hour, count(*)::int AS n FROM view_beacons WHERE submission_id = ${submissionId} GROUP BY hour ORDER BY hour`,
  );
  return rows.map((r) => [new Date(r.hour).toISOString(), r.n]);
}

describe('one view per viewer per video per hour', () => {
  it('counts a viewer once an hour, each viewer once, and again the next hour', async () => {
    const v = await liveVideo();
    const [a, b] = [vid(), vid()];
    for (let i = 0; i < 3; i++) expect((await beacon({ submissionId: v }, { cookie: `pk_vid=${a}` })).statusCode).toBe(204);
    await beacon({ submissionId: v }, { cookie: `pk_vid=${b}` });
    expect(await beacons().viewsOf(v, 'app')).toBe(2);
    clock.advance(3600_000);
    await beacon({ submissionId: v }, { cookie: `pk_vid=${a}` });
    await beacon({ submissionId: v }, { cookie: `pk_vid=${a}` });
    expect(await beacons().viewsOf(v, 'app')).toBe(3);
    expect(await hoursOf(v)).toEqual([
      ['2030-07-01T10:00:00.000Z', 2],
      ['2030-07-01T11:00:00.000Z', 1],
    ]);
    clock.advance(-3600_000);
  });

  it('a first visit gets a signed httpOnly pk_vid cookie; without one, the address identifies the viewer for the hour', async () => {
    const v = await liveVideo();
    const first = await beacon({ submissionId: v }, { ip: '10.1.1.1' });
    expect(first.statusCode).toBe(204);
    const set = first.cookies.find((c) => c.name === 'pk_vid');
    expect(set).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(set!.value).toMatch(/^[A-Za-z0-9_-]{22}\.\d+\.[A-Za-z0-9_-]{22}$/);
    // A client that never keeps cookies: one view per hour per address, whatever browser it names.
    await beacon({ submissionId: v }, { ip: '10.1.1.1' });
    await beacon({ submissionId: v }, { ip: '10.1.1.1', ua: WECHAT });
    expect(await beacons().viewsOf(v, 'app')).toBe(1);
    await beacon({ submissionId: v }, { ip: '10.1.1.2' });
    expect(await beacons().viewsOf(v, 'app')).toBe(2);
    // A request that has the cookie is not given another; in the hour it was issued, the first
    // (cookieless) play and a reload with the cookie are one view.
    const again = await beacon({ submissionId: v }, { cookie: `pk_vid=${set!.value}`, ip: '10.1.1.1' });
    expect(again.cookies.find((c) => c.name === 'pk_vid')).toBeUndefined();
    expect(await beacons().viewsOf(v, 'app')).toBe(2);
  });

  it('a signed-in viewer is one viewer on every device', async () => {
    const v = await liveVideo();
    const me = await signUp(ctx.app, { campaignId });
    await beacon({ submissionId: v }, { cookie: `${me.cookie}; pk_vid=${vid()}`, ip: nextIp() });
    await beacon({ submissionId: v }, { cookie: `${me.cookie}; pk_vid=${vid()}`, ip: nextIp(), ua: WECHAT });
    expect(await beacons().viewsOf(v, 'app')).toBe(1);
  });

  it('many viewers at once are all counted, and a burst of one viewer’s duplicates once', async () => {
    const v = await liveVideo();
    const viewers = Array.from({ length: 60 }, () => vid());
    const answers = await Promise.all([
      ...viewers.map((c) => beacon({ submissionId: v }, { cookie: `pk_vid=${c}`, ip: nextIp() })),
      ...Array.from({ length: 20 }, () => beacon({ submissionId: v }, { cookie: `pk_vid=${viewers[0]}` })),
    ]);
    expect(answers.every((r) => r.statusCode === 204)).toBe(true);
    expect(await beacons().viewsOf(v, 'app')).toBe(60);
  });

  it('accepts the text/plain JSON that navigator.sendBeacon sends', async () => {
    const v = await liveVideo();
    const res = await beacon({ submissionId: v }, { cookie: `pk_vid=${vid()}`, contentType: 'text/plain;charset=UTF-8' });
    expect(res.statusCode).toBe(204);
    expect(await beacons().viewsOf(v, 'app')).toBe(1);
    const bad = await ctx.app.inject({
      method: 'POST',
      url: '/api/beacons/views',
      headers: { 'content-type': 'text/plain', 'user-agent': CHROME, 'accept-language': 'en' },
      payload: `{"submissionId": "${v}"`,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('request.malformed_json');
  });
});

describe('forged views', () => {
  const hourNow = () => Math.floor(clock.now().getTime() / 3600_000);
  const rand = () => randomBytes(16).toString('base64url');
  async function flood(n: { submissionId: string; cookies: string[]; ip: (i: number) => string }) {
    const answers = [];
    for (let i = 0; i < n.cookies.length; i += 50) {
      answers.push(
        ...(await Promise.all(n.cookies.slice(i, i + 50).map((c, j) => beacon({ submissionId: n.submissionId }, { cookie: `pk_vid=${c}`, ip: n.ip(i + j) })))),
      );
    }
    return answers;
  }

  it('hundreds of made-up, unsigned and tampered ids from one address are one viewer, answered like any other', async () => {
    const v = await liveVideo();
    const signed = vid();
    const forged = [
      ...Array.from({ length: 150 }, rand), // the unsigned ids Paike issued before, or anything of that shape
      ...Array.from({ length: 100 }, () => `${rand()}.${hourNow() - 24}.${rand()}`), // a made-up signature
      ...Array.from({ length: 100 }, () => `${rand()}${signed.slice(22)}`), // another id under a real signature
      ...Array.from({ length: 50 }, () => `${signed.slice(0, -1)}${signed.endsWith('A') ? 'B' : 'A'}`), // a signature off by one character
    ];
    const answers = await flood({ submissionId: v, cookies: forged, ip: () => '10.77.0.1' });
    expect(answers.every((r) => r.statusCode === 204)).toBe(true);
    // Each is treated as a browser without an id: it is given a real one, and counts as its address.
    expect(answers.every((r) => r.cookies.some((c) => c.name === 'pk_vid'))).toBe(true);
    expect(await beacons().viewsOf(v, 'app')).toBe(1);
    // The real id is a viewer of its own.
    await beacon({ submissionId: v }, { cookie: `pk_vid=${signed}`, ip: '10.77.0.1' });
    expect(await beacons().viewsOf(v, 'app')).toBe(2);
  });

  it('real ids minted in bulk from a handful of addresses count at most the daily cap per address; many people still count', async () => {
    const v = await liveVideo();
    const addresses = ['10.78.0.1', '10.78.0.2', '10.79.5.1'];
    const minted: { ip: string; cookie: string }[] = [];
    for (const ip of addresses) {
      for (let i = 0; i < 80; i++) {
        const r = await beacon({ submissionId: v }, { ip });
        minted.push({ ip, cookie: r.cookies.find((c) => c.name === 'pk_vid')!.value });
      }
    }
    expect(await beacons().viewsOf(v, 'app')).toBe(3);
    // An hour later every minted id is a distinct viewer, but an address counts at most the cap a day.
    clock.advance(3600_000);
    try {
      const answers = await flood({ submissionId: v, cookies: minted.map((m) => m.cookie), ip: (i) => minted[i]!.ip });
      expect(answers.every((r) => r.statusCode === 204)).toBe(true);
      const cap = ctx.config.VIEWS_PER_ADDRESS_PER_DAY;
      expect(cap).toBeLessThan(80);
      expect(await beacons().viewsOf(v, 'app')).toBe(addresses.length * cap);
      // People on many addresses are each counted.
      await flood({ submissionId: v, cookies: Array.from({ length: 40 }, vid), ip: () => nextIp() });
      expect(await beacons().viewsOf(v, 'app')).toBe(addresses.length * cap + 40);
    } finally {
      clock.advance(-3600_000);
    }
  });

  it('caps by network: an IPv4 /24, an IPv6 /48; an IPv6 address is its /64', () => {
    expect(addressAndNetwork('203.0.113.7')).toEqual({ address: '203.0.113.7', network: '203.0.113.0/24' });
    expect(addressAndNetwork('::ffff:203.0.113.7')).toEqual({ address: '203.0.113.7', network: '203.0.113.0/24' });
    expect(addressAndNetwork('2001:db8:aa:bb:1::2')).toEqual({ address: '2001:db8:aa:bb::/64', network: '2001:db8:aa::/48' });
    expect(addressAndNetwork('2001:db8::1')).toEqual({ address: '2001:db8:0:0::/64', network: '2001:db8:0::/48' });
  });
});

describe('bots', () => {
  it('crawlers, preview fetchers, headless browsers, prefetches and requests without a browser are answered 204 and not counted', async () => {
    const v = await liveVideo();
    const bots = [
      'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
      'Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)',
      'Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)',
      'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
      'TelegramBot (like TwitterBot)',
      'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36',
      'curl/8.5.0',
      'python-requests/2.32.3',
    ];
    for (const ua of bots) {
      const res = await beacon({ submissionId: v }, { ua, ip: nextIp() });
      expect(res.statusCode, ua).toBe(204);
      expect(
        res.cookies.find((c) => c.name === 'pk_vid'),
        ua,
      ).toBeUndefined();
    }
    expect((await beacon({ submissionId: v }, { ua: null, ip: nextIp() })).statusCode).toBe(204);
    expect((await beacon({ submissionId: v }, { ip: nextIp(), headers: { 'sec-purpose': 'prefetch;prerender' } })).statusCode).toBe(204);
    expect((await beacon({ submissionId: v }, { ip: nextIp(), headers: { purpose: 'prefetch' } })).statusCode).toBe(204);
    expect(await beacons().viewsOf(v, 'app')).toBe(0);
    // People count, including on phones whose model name has "bot" in it.
    await beacon(
      { submissionId: v },
      { ip: nextIp(), ua: 'Mozilla/5.0 (Linux; Android 9; CUBOT X19) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36' },
    );
    await beacon({ submissionId: v }, { ip: nextIp(), ua: WECHAT });
    expect(await beacons().viewsOf(v, 'app')).toBe(2);
  });

  it('classifies headers without a request', () => {
    expect(notAPerson({ userAgent: CHROME })).toBeNull();
    expect(notAPerson({ userAgent: 'okhttp/4.12.0' })).toBeNull();
    expect(notAPerson({ userAgent: 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)' })).toBe('bot');
    expect(notAPerson({ userAgent: '  ' })).toBe('no_user_agent');
    expect(notAPerson({ userAgent: CHROME, xMoz: 'prefetch' })).toBe('prefetch');
  });
});

describe('late and early plays', () => {
  it('a late play within 48 hours counts in the hour it happened; older ones are refused', async () => {
    const v = await liveVideo();
    const c = vid();
    const late = await beacon({ submissionId: v, occurredAt: '2030-06-30T12:34:56+08:00' }, { cookie: `pk_vid=${c}` });
    expect(late.statusCode).toBe(204);
    // The same late play reported again (a retry) is still one view.
    await beacon({ submissionId: v, occurredAt: '2030-06-30T04:50:00Z' }, { cookie: `pk_vid=${c}` });
    await beacon({ submissionId: v }, { cookie: `pk_vid=${c}` });
    expect(await hoursOf(v)).toEqual([
      ['2030-06-30T04:00:00.000Z', 1],
      ['2030-07-01T10:00:00.000Z', 1],
    ]);

    const old = await beacon({ submissionId: v, occurredAt: '2030-06-29T10:19:00Z' }, { cookie: `pk_vid=${c}`, lang: 'en' });
    expect(old.statusCode).toBe(400);
    expect(old.json().error).toEqual({ code: 'beacon.too_old', message: 'The play is too old: only plays from the last 48 hours are accepted.' });
    const oldZh = await beacon({ submissionId: v, occurredAt: '2030-06-29T10:19:00Z' }, { cookie: `pk_vid=${c}` });
    expect(oldZh.json().error.message).toBe('播放记录太旧：只接受 48 小时内发生的播放。');
    expect(await beacons().viewsOf(v, 'app')).toBe(2);
  });

  it('a clock a little ahead counts now; far ahead is refused', async () => {
    const v = await liveVideo();
    expect((await beacon({ submissionId: v, occurredAt: '2030-07-01T10:24:00Z' }, { cookie: `pk_vid=${vid()}` })).statusCode).toBe(204);
    expect(await hoursOf(v)).toEqual([['2030-07-01T10:00:00.000Z', 1]]);
    const ahead = await beacon({ submissionId: v, occurredAt: '2030-07-01T11:30:00Z' }, { cookie: `pk_vid=${vid()}` });
    expect(ahead.statusCode).toBe(400);
    expect(ahead.json().error.code).toBe('beacon.in_future');
    const bad = await beacon({ submissionId: v, occurredAt: 'yesterday' }, { cookie: `pk_vid=${vid()}` });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('request.invalid');
  });
});

describe('only published videos count', () => {
  it('refuses unknown and unpublished videos with a clear error', async () => {
    const unknown = await beacon({ submissionId: '00000000-0000-4000-8000-00000000abcd' }, { cookie: `pk_vid=${vid()}`, lang: 'en' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toEqual({ code: 'beacon.not_live', message: 'No video with this id is live on that channel.' });

    const notYet = await fx.video({ userId, campaignId });
    await fx.publication({ submissionId: notYet, channel: 'app', status: 'queued' });
    const r = await beacon({ submissionId: notYet }, { cookie: `pk_vid=${vid()}` });
    expect(r.statusCode).toBe(404);
    expect(r.json().error).toEqual({ code: 'beacon.not_live', message: '这条视频不存在或尚未在该渠道发布。' });

    // Live on Weibo only: not a play on Paike's own app.
    const weiboOnly = await fx.video({ userId, campaignId });
    await fx.publication({ submissionId: weiboOnly, channel: 'weibo' });
    expect((await beacon({ submissionId: weiboOnly }, { cookie: `pk_vid=${vid()}` })).statusCode).toBe(404);
    expect(await fx.query(sql`SELECT 1 FROM view_beacons WHERE submission_id IN (${notYet}, ${weiboOnly})`)).toHaveLength(0);
  });

  it('a late play from before a video was taken down still counts; a play after it does not', async () => {
    const v = await fx.video({ userId, campaignId });
    await fx.publication({ submissionId: v, channel: 'app', status: 'unpublished', unpublishedAt: new Date('2030-07-01T08:00:00Z') });
    expect((await beacon({ submissionId: v, occurredAt: '2030-07-01T07:15:00Z' }, { cookie: `pk_vid=${vid()}` })).statusCode).toBe(204);
    expect((await beacon({ submissionId: v }, { cookie: `pk_vid=${vid()}` })).statusCode).toBe(404);
    expect(await hoursOf(v)).toEqual([['2030-07-01T07:00:00.000Z', 1]]);
  });
});

describe('kiosk plays', () => {
  it('need the screen’s key, count once per screen per hour, and only where the video is on kiosks', async () => {
    const screen = await fx.kiosk();
    const other = await fx.kiosk();
    const v = await liveVideo(['kiosk']);
    const none = await beacon({ submissionId: v, channel: 'kiosk' }, { lang: 'en' });
    expect(none.statusCode).toBe(401);
    expect(none.json().error).toEqual({ code: 'beacon.kiosk_key_required', message: 'Kiosk plays need the screen’s key (x-kiosk-key).' });
    const wrong = await beacon({ submissionId: v, channel: 'kiosk' }, { headers: { 'x-kiosk-key': 'not-a-key' } });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().error.code).toBe('beacon.kiosk_key_invalid');

    for (let i = 0; i < 3; i++) {
      const ok = await beacon({ submissionId: v, channel: 'kiosk' }, { ua: 'PaikeKiosk/1.0 (Android 11)', headers: { 'x-kiosk-key': screen.key } });
      expect(ok.statusCode).toBe(204);
      expect(ok.cookies).toHaveLength(0);
    }
    await beacon({ submissionId: v, channel: 'kiosk' }, { ua: 'PaikeKiosk/1.0 (Android 11)', headers: { 'x-kiosk-key': other.key } });
    expect(await beacons().viewsOf(v, 'kiosk')).toBe(2);
    expect(await beacons().viewsOf(v, 'app')).toBe(0);
    // Not on the app: an app play is refused.
    expect((await beacon({ submissionId: v }, { cookie: `pk_vid=${vid()}` })).statusCode).toBe(404);
    const [seen] = await fx.query<{ last_seen_at: Date | null }>(sql`SELECT last_seen_at FROM kiosk_screens WHERE id = ${screen.id}`);
    expect(seen?.last_seen_at).not.toBeNull();
  });
});

describe('rate limit', () => {
  it('limits beacons per client address', async () => {
    const v = await liveVideo();
    const ip = '10.200.0.1';
    const max = ctx.config.BEACON_RATE_PER_IP_PER_MINUTE;
    for (let i = 0; i < max; i += 50) {
      await Promise.all(Array.from({ length: Math.min(50, max - i) }, () => beacon({ submissionId: v }, { ip, ua: 'curl/8' })));
    }
    const over = await beacon({ submissionId: v }, { ip, cookie: `pk_vid=${vid()}` });
    expect(over.statusCode).toBe(429);
    expect(over.json().error.code).toBe('request.rate_limited');
    expect((await beacon({ submissionId: v }, { ip: '10.200.0.2', cookie: `pk_vid=${vid()}` })).statusCode).toBe(204);
  });
});
