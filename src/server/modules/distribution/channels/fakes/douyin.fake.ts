import { createHash, randomBytes } from 'node:crypto';
import { startFakePlatform, type FakePlatform, type FakeReply, type FakeRequest, type FakeRoute } from './fake-platform.js';

/**
 * A local stand-in for ByteDance's open platform (open.douyin.com), the way Paike's "Toutiao"
 * channel publishes. It checks every request the way the documented endpoints do (headers,
 * content types, required parameters, token validity and expiry, scopes, part sizes and order,
 * text length, daily limits) and answers with the platform's envelopes and error codes, so an
 * adapter that gets any of it wrong fails its contract tests. docs/channels/douyin.md lists what
 * is documented and what this fake had to choose.
 */

const MiB = 1024 * 1024;
const DAY_MS = 86_400_000;

export const DOUYIN_FAKE_LIMITS = {
  minPartBytes: 5 * MiB,
  maxPartBytes: 100 * MiB,
  maxVideoBytes: 4 * 1024 * MiB,
  maxDurationSeconds: 15 * 60,
  textMaxChars: 1000,
  listMaxCount: 20,
  dataMaxItems: 10,
  postsPerDay: 75,
  accessTokenSeconds: 15 * 86_400,
  refreshTokenSeconds: 30 * 86_400,
  codeSeconds: 600,
  maxRenewals: 5,
  itemDataDays: 30,
} as const;

/** Every scope the fake knows; each endpoint requires one of them. */
const KNOWN_SCOPES = new Set([
  'user_info',
  'video.create.bind',
  'video.list.bind',
  'video.data.bind',
  'video.delete',
  'data.external.item',
  'renew_refresh_token',
]);
const ALL_SCOPES = ['user_info', 'video.create.bind', 'video.list.bind', 'video.data.bind', 'video.delete', 'data.external.item'];

export interface DouyinFigures {
  play: number;
  like: number;
  comment: number;
  share: number;
  forward: number;
  download: number;
  /** Seconds, as /data/external/item/base/ reports it. */
  avgPlayDuration: number;
}

export interface DouyinFakeItem {
  itemId: string;
  videoId: string;
  openId: string;
  clientKey: string;
  text: string;
  privateStatus: number;
  createdAt: Date;
  shareUrl: string;
  deleted: boolean;
  figures: DouyinFigures;
}

export interface DouyinFakeVideo {
  videoId: string;
  openId: string;
  bytes: number;
  sha256: string;
  width: number;
  height: number;
  durationSeconds: number;
}

export interface DouyinFakePart {
  uploadId: string;
  partNumber: number;
  bytes: number;
}

export interface DouyinFake extends FakePlatform {
  /** An app registered on the console (client_key / client_secret), with or without the renew_refresh_token permission. */
  registerApp(app: { clientKey: string; clientSecret: string; canRenewRefreshToken?: boolean }): void;
  /** A Douyin user; the last one registered is who "scans the QR code" on the connect page. */
  registerAccount(openId: string): void;
  /** Tokens as if the account had authorised the app just now (skips the connect page). */
  issueTokens(opts: { clientKey: string; openId: string; scopes?: string[] }): {
    accessToken: string;
    refreshToken: string;
    accessTokenExpiresAt: Date;
    refreshTokenExpiresAt: Date;
  };
  grant(openId: string): { accessToken: string; refreshToken: string; scopes: string[]; renewals: number; revoked: boolean } | undefined;
  expireAccessToken(openId: string): void;
  expireRefreshToken(openId: string): void;
  /** The user cancels the authorisation in the app (授权管理): tokens die at once. */
  revoke(openId: string): void;
  /** Sets a post's figures; lower than before is allowed (figures that go backwards). */
  setFigures(itemId: string, figures: Partial<DouyinFigures>): void;
  /** create_video refuses text containing the word (命中敏感词). */
  rejectWord(word: string): void;
  /**
   * After `calls` more requests, every request is refused: with `errorCode` in the body (default
   * 28003018 请求频率过高), or with HTTP 429 and Retry-After when `retryAfterSeconds` is given.
   */
  rateLimitAfter(calls: number, how?: { errorCode?: number; retryAfterSeconds?: number }): void;
  clearRateLimit(): void;
  /** The next `times` create_video calls create the post and then answer 504 (a crash after acceptance). */
  failAfterCreate(times?: number): void;
  readonly items: readonly DouyinFakeItem[];
  video(videoId: string): DouyinFakeVideo | undefined;
  /** Every part accepted, in arrival order. */
  readonly parts: readonly DouyinFakePart[];
}

interface App {
  clientKey: string;
  clientSecret: string;
  canRenew: boolean;
}

interface Grant {
  clientKey: string;
  openId: string;
  scopes: Set<string>;
  accessToken: string;
  accessExpiresAt: number;
  refreshToken: string;
  refreshExpiresAt: number;
  renewals: number;
  revoked: boolean;
}

interface Upload {
  uploadId: string;
  openId: string;
  parts: Map<number, Buffer>;
  videoId?: string;
}

const RATE_DESCRIPTIONS: Record<number, string> = {
  28003018: '请求频率过高',
  28003017: 'quota 已用完',
  2190001: 'quota已用完',
};

function logid(): string {
  return randomBytes(12).toString('hex').toUpperCase();
}

export async function startDouyinFake(opts: { now?: () => Date } = {}): Promise<DouyinFake> {
  const clock = () => (opts.now ? opts.now() : new Date()).getTime();
  const apps = new Map<string, App>();
  const accounts: string[] = [];
  const grants = new Map<string, Grant>();
  const byAccess = new Map<string, Grant>();
  const byRefresh = new Map<string, Grant>();
  const codes = new Map<string, { clientKey: string; openId: string; scopes: Set<string>; expiresAt: number; used: boolean }>();
  const uploads = new Map<string, Upload>();
  const videos = new Map<string, DouyinFakeVideo>();
  const items: DouyinFakeItem[] = [];
  const parts: DouyinFakePart[] = [];
  const rejected: string[] = [];
  let rate: { left: number; errorCode: number; retryAfterSeconds?: number } | null = null;
  let failCreates = 0;

  // ---- envelopes ----
  const extra = (code: number, description: string) => ({
    error_code: code,
    description,
    sub_error_code: 0,
    sub_description: '',
    logid: logid(),
    now: clock(),
  });
  const ok = (data: Record<string, unknown> = {}): FakeReply => ({ json: { data: { ...data, error_code: 0, description: '' }, extra: extra(0, '') } });
  const fail = (code: number, description: string): FakeReply => ({ json: { data: { error_code: code, description }, extra: extra(code, description) } });
  const oauthOk = (data: Record<string, unknown>): FakeReply => ({ json: { data: { ...data, error_code: 0, description: '' }, message: 'success' } });
  const oauthFail = (code: number, description: string): FakeReply => ({ json: { data: { error_code: code, description }, message: 'error' } });

  function rateLimited(): FakeReply | null {
    if (!rate) return null;
    if (rate.left > 0) {
      rate.left -= 1;
      return null;
    }
    const description = RATE_DESCRIPTIONS[rate.errorCode] ?? '请求频率过高';
    if (rate.retryAfterSeconds !== undefined) {
      return {
        status: 429,
        headers: { 'retry-after': String(rate.retryAfterSeconds) },
        json: { data: { error_code: rate.errorCode, description }, extra: extra(rate.errorCode, description) },
      };
    }
    return fail(rate.errorCode, description);
  }

  const token = (prefix: string) => `${prefix}.${randomBytes(20).toString('hex')}`;
  const contentType = (req: FakeRequest) => String(req.headers['content-type'] ?? '').toLowerCase();

  function newGrant(clientKey: string, openId: string, scopes: Set<string>): Grant {
    const key = `${clientKey}|${openId}`;
    const old = grants.get(key);
    if (old) {
      byAccess.delete(old.accessToken);
      byRefresh.delete(old.refreshToken);
    }
    const now = clock();
    const g: Grant = {
      clientKey,
      openId,
      scopes,
      accessToken: token('act'),
      accessExpiresAt: now + DOUYIN_FAKE_LIMITS.accessTokenSeconds * 1000,
      refreshToken: token('rft'),
      refreshExpiresAt: now + DOUYIN_FAKE_LIMITS.refreshTokenSeconds * 1000,
      renewals: 0,
      revoked: false,
    };
    grants.set(key, g);
    byAccess.set(g.accessToken, g);
    byRefresh.set(g.refreshToken, g);
    return g;
  }

  const grantOf = (openId: string) => [...grants.values()].find((g) => g.openId === openId);

  /** Reads a form-urlencoded OAuth body, or says which documented rule it breaks. */
  async function oauthForm(req: FakeRequest, required: string[]): Promise<{ form: URLSearchParams } | { reply: FakeReply }> {
    if (!contentType(req).startsWith('application/x-www-form-urlencoded'))
      return { reply: oauthFail(10002, '参数错误: Content-Type 须为 application/x-www-form-urlencoded') };
    const form = new URLSearchParams(req.body.toString('utf8'));
    const missing = required.filter((k) => !form.get(k));
    if (missing.length) return { reply: oauthFail(10005, `缺少参数: ${missing.join(',')}`) };
    return { form };
  }

  // ---- OpenAPI guard: rate limit, access-token header, open_id, scope ----
  interface Ctx {
    grant: Grant;
    openId: string;
  }
  function api(scope: string, handler: (ctx: Ctx, req: FakeRequest) => FakeReply | Promise<FakeReply>): FakeRoute {
    return async (req) => {
      const limited = rateLimited();
      if (limited) return limited;
      // The token travels in the access-token header; one in the query string is not looked at.
      const header = req.headers['access-token'];
      const at = Array.isArray(header) ? header[0] : header;
      const g = at ? byAccess.get(at) : undefined;
      if (!g || g.revoked || g.accessToken !== at) return fail(2190002, 'access_token无效');
      if (clock() >= g.accessExpiresAt) return fail(2190008, 'access_token过期,请刷新或重新授权');
      const openId = req.query.get('open_id');
      if (!openId) return fail(2100005, '参数不合法: 缺少 open_id');
      if (openId !== g.openId) return fail(2190015, '请求参数access_token openid不匹配');
      if (!g.scopes.has(scope)) return fail(2190003, '用户未授权该api');
      return handler({ grant: g, openId }, req);
    };
  }

  function itemJson(i: DouyinFakeItem) {
    return {
      item_id: i.itemId,
      video_id: i.videoId,
      title: i.text,
      create_time: Math.floor(i.createdAt.getTime() / 1000),
      cover: `https://p3-sign.douyinpic.com/fake/${i.videoId}.jpeg`,
      share_url: i.shareUrl,
      is_top: false,
      is_reviewed: true,
      video_status: 1,
      media_type: 4,
      statistics: {
        play_count: i.figures.play,
        digg_count: i.figures.like,
        comment_count: i.figures.comment,
        share_count: i.figures.share,
        forward_count: i.figures.forward,
        download_count: i.figures.download,
      },
    };
  }

  const ownItem = (ctx: Ctx, itemId: unknown) =>
    items.find((i) => i.itemId === itemId && i.openId === ctx.openId && i.clientKey === ctx.grant.clientKey && !i.deleted);

  const routes: Record<string, FakeRoute> = {
    // The page an admin's browser is sent to; the fake consents at once for the signed-in account.
    'GET /platform/oauth/connect/': (req) => {
      const q = req.query;
      const app = apps.get(q.get('client_key') ?? '');
      if (!app) return { status: 400, json: { error_code: 10003, description: '配置无效: client_key' } };
      if (q.get('response_type') !== 'code') return { status: 400, json: { error_code: 10002, description: '参数错误: response_type 须为 code' } };
      const scopes = (q.get('scope') ?? '').split(',').filter(Boolean);
      if (!scopes.length || scopes.some((s) => !KNOWN_SCOPES.has(s))) return { status: 400, json: { error_code: 10002, description: '参数错误: scope' } };
      const redirect = q.get('redirect_uri') ?? '';
      if (!/^https:\/\//.test(redirect)) return { status: 400, json: { error_code: 10006, description: '非法重定向URI' } };
      const openId = accounts.at(-1);
      if (!openId) return { status: 400, text: 'nobody is signed in on the fake connect page (registerAccount first)' };
      const code = randomBytes(16).toString('hex');
      codes.set(code, { clientKey: app.clientKey, openId, scopes: new Set(scopes), expiresAt: clock() + DOUYIN_FAKE_LIMITS.codeSeconds * 1000, used: false });
      const back = new URL(redirect);
      back.searchParams.set('code', code);
      const state = q.get('state');
      if (state) back.searchParams.set('state', state);
      back.searchParams.set('scopes', scopes.join(','));
      return { status: 302, headers: { location: back.toString() } };
    },

    'POST /oauth/access_token/': async (req) => {
      const limited = rateLimited();
      if (limited) return limited;
      const r = await oauthForm(req, ['client_key', 'client_secret', 'code', 'grant_type']);
      if ('reply' in r) return r.reply;
      const f = r.form;
      if (f.get('grant_type') !== 'authorization_code') return oauthFail(10002, '参数错误: grant_type');
      const app = apps.get(f.get('client_key') ?? '');
      if (!app) return oauthFail(10003, '配置无效');
      if (app.clientSecret !== f.get('client_secret')) return oauthFail(10013, 'client_key或者client_secret报错');
      const c = codes.get(f.get('code') ?? '');
      if (!c || c.used || clock() >= c.expiresAt) return oauthFail(10007, '授权码过期');
      if (c.clientKey !== app.clientKey) return oauthFail(10014, 'client_key不匹配');
      c.used = true;
      const g = newGrant(app.clientKey, c.openId, c.scopes);
      return oauthOk({
        access_token: g.accessToken,
        expires_in: DOUYIN_FAKE_LIMITS.accessTokenSeconds,
        refresh_token: g.refreshToken,
        refresh_expires_in: DOUYIN_FAKE_LIMITS.refreshTokenSeconds,
        open_id: g.openId,
        scope: [...g.scopes].join(','),
      });
    },

    'POST /oauth/refresh_token/': async (req) => {
      const limited = rateLimited();
      if (limited) return limited;
      const r = await oauthForm(req, ['client_key', 'grant_type', 'refresh_token']);
      if ('reply' in r) return r.reply;
      const f = r.form;
      if (f.get('grant_type') !== 'refresh_token') return oauthFail(10002, '参数错误: grant_type');
      if (!apps.has(f.get('client_key') ?? '')) return oauthFail(10003, '配置无效');
      const g = byRefresh.get(f.get('refresh_token') ?? '');
      const now = clock();
      if (!g || g.revoked || now >= g.refreshExpiresAt) return oauthFail(10010, 'refresh_token过期');
      if (g.clientKey !== f.get('client_key')) return oauthFail(10014, 'client_key不匹配');
      // Documented: before expiry the same access token gets a new 15 days; after, a new token.
      if (now >= g.accessExpiresAt) {
        byAccess.delete(g.accessToken);
        g.accessToken = token('act');
        byAccess.set(g.accessToken, g);
      }
      g.accessExpiresAt = now + DOUYIN_FAKE_LIMITS.accessTokenSeconds * 1000;
      // The docs' example gives the durations as strings.
      return oauthOk({
        access_token: g.accessToken,
        expires_in: String(DOUYIN_FAKE_LIMITS.accessTokenSeconds),
        refresh_token: g.refreshToken,
        refresh_expires_in: String(Math.floor((g.refreshExpiresAt - now) / 1000)),
        open_id: g.openId,
        scope: [...g.scopes].join(','),
      });
    },

    'POST /oauth/renew_refresh_token/': async (req) => {
      const limited = rateLimited();
      if (limited) return limited;
      const r = await oauthForm(req, ['client_key', 'refresh_token']);
      if ('reply' in r) return r.reply;
      const f = r.form;
      const app = apps.get(f.get('client_key') ?? '');
      if (!app) return oauthFail(10003, '配置无效');
      if (!app.canRenew) return oauthFail(10004, '权限不足');
      const g = byRefresh.get(f.get('refresh_token') ?? '');
      const now = clock();
      if (!g || g.revoked || now >= g.refreshExpiresAt) return oauthFail(10010, 'refresh_token过期');
      if (g.clientKey !== app.clientKey) return oauthFail(10014, 'client_key不匹配');
      if (g.renewals >= DOUYIN_FAKE_LIMITS.maxRenewals) return oauthFail(10020, '超过刷新次数限制');
      // The old refresh token dies; the new one has 30 days.
      byRefresh.delete(g.refreshToken);
      g.refreshToken = token('rft');
      g.refreshExpiresAt = now + DOUYIN_FAKE_LIMITS.refreshTokenSeconds * 1000;
      g.renewals += 1;
      byRefresh.set(g.refreshToken, g);
      return oauthOk({ refresh_token: g.refreshToken, expires_in: String(DOUYIN_FAKE_LIMITS.refreshTokenSeconds) });
    },

    'POST /api/douyin/v1/video/init_video_part_upload/': api('video.create.bind', (ctx) => {
      // Real upload ids carry + / =, which is why the docs insist on encoding them in URLs.
      const uploadId = `@${randomBytes(24).toString('base64')}`;
      uploads.set(uploadId, { uploadId, openId: ctx.openId, parts: new Map() });
      return ok({ upload_id: uploadId });
    }),

    'POST /api/douyin/v1/video/upload_video_part/': api('video.create.bind', async (ctx, req) => {
      const u = uploads.get(req.query.get('upload_id') ?? '');
      if (!u || u.openId !== ctx.openId) return fail(2100005, '参数不合法: upload_id 无效');
      if (u.videoId) return fail(2100005, '参数不合法: 该 upload_id 已完成上传');
      const raw = req.query.get('part_number') ?? '';
      if (!/^[1-9]\d*$/.test(raw)) return fail(2100005, '参数不合法: part_number 须为从 1 开始的整数');
      const n = Number(raw);
      const highest = Math.max(0, ...u.parts.keys());
      if (n > highest + 1) return fail(2100005, `参数不合法: 分片须按序上传, 下一个 part_number 应为 ${highest + 1}`);
      if (!contentType(req).startsWith('multipart/form-data')) return fail(2100005, '参数不合法: Content-Type 须为 multipart/form-data');
      const file = (await req.form()).get('video');
      if (!file || typeof file === 'string') return fail(2100005, '参数不合法: 缺少 video');
      const bytes = Buffer.from(await file.arrayBuffer());
      if (!bytes.length) return fail(2100005, '参数不合法: 分片为空');
      if (bytes.length > DOUYIN_FAKE_LIMITS.maxPartBytes) return fail(2100005, '参数不合法: 分片不能大于100M');
      u.parts.set(n, bytes);
      parts.push({ uploadId: u.uploadId, partNumber: n, bytes: bytes.length });
      return ok();
    }),

    'POST /api/douyin/v1/video/complete_video_part_upload/': api('video.create.bind', (ctx, req) => {
      const u = uploads.get(req.query.get('upload_id') ?? '');
      if (!u || u.openId !== ctx.openId) return fail(2100005, '参数不合法: upload_id 无效');
      const done = u.videoId ? videos.get(u.videoId) : undefined;
      if (done) return ok({ video: { video_id: done.videoId, width: done.width, height: done.height } });
      const last = Math.max(0, ...u.parts.keys());
      if (!last) return fail(2100005, '参数不合法: 没有已上传的分片');
      const chunks: Buffer[] = [];
      for (let n = 1; n <= last; n++) {
        const p = u.parts.get(n);
        if (!p) return fail(2100005, `参数不合法: 缺少分片 ${n}`);
        if (n < last && p.length < DOUYIN_FAKE_LIMITS.minPartBytes) return fail(2100005, `参数不合法: 分片不能小于5M (part_number ${n}, ${p.length} 字节)`);
        chunks.push(p);
      }
      const file = Buffer.concat(chunks);
      if (file.length > DOUYIN_FAKE_LIMITS.maxVideoBytes) return fail(2190005, '视频文件太大了');
      const info = inspectMp4(file);
      if (!info) return fail(2100005, '参数不合法: 视频格式不支持');
      if (info.durationSeconds > DOUYIN_FAKE_LIMITS.maxDurationSeconds) return fail(2190006, '视频时长不能超过15分钟');
      const videoId = `v0200f${randomBytes(13).toString('hex')}`;
      videos.set(videoId, { videoId, openId: ctx.openId, bytes: file.length, sha256: createHash('sha256').update(file).digest('hex'), ...info });
      u.videoId = videoId;
      u.parts.clear();
      return ok({ video: { video_id: videoId, width: info.width, height: info.height } });
    }),

    'POST /api/douyin/v1/video/create_video/': api('video.create.bind', (ctx, req) => {
      if (!contentType(req).startsWith('application/json')) return fail(2100005, '参数不合法: Content-Type 须为 application/json');
      const body = req.json();
      const videoId = body.video_id;
      if (typeof videoId !== 'string' || !videoId) return fail(2100005, '参数不合法: 缺少 video_id');
      const video = videos.get(videoId);
      if (!video || video.openId !== ctx.openId) return fail(2190007, '无效的视频文件id');
      const text = body.text ?? '';
      if (typeof text !== 'string') return fail(2100005, '参数不合法: text');
      if ([...text].length > DOUYIN_FAKE_LIMITS.textMaxChars) return fail(2100005, `参数不合法: text 不能超过${DOUYIN_FAKE_LIMITS.textMaxChars}字`);
      const privateStatus = body.private_status ?? 0;
      if (privateStatus !== 0 && privateStatus !== 1 && privateStatus !== 2) return fail(2100005, '参数不合法: private_status');
      if (rejected.some((w) => text.includes(w))) return fail(2111001, '命中敏感词');
      const now = clock();
      const today = items.filter((i) => i.openId === ctx.openId && i.clientKey === ctx.grant.clientKey && now - i.createdAt.getTime() < DAY_MS);
      if (today.length >= DOUYIN_FAKE_LIMITS.postsPerDay) return fail(2190001, 'quota已用完: 一个用户在一个应用下一天最多发布75个作品');
      const awemeId = String(7_000_000_000_000_000_000n + BigInt(items.length + 1) * 7919n);
      const item: DouyinFakeItem = {
        itemId: `@${randomBytes(30).toString('base64')}`,
        videoId,
        openId: ctx.openId,
        clientKey: ctx.grant.clientKey,
        text,
        privateStatus,
        createdAt: new Date(now),
        shareUrl: `https://www.iesdouyin.com/share/video/${awemeId}/`,
        deleted: false,
        figures: { play: 0, like: 0, comment: 0, share: 0, forward: 0, download: 0, avgPlayDuration: 0 },
      };
      items.push(item);
      if (failCreates > 0) {
        failCreates -= 1;
        return { status: 504, text: 'Gateway Time-out' };
      }
      return ok({ item_id: item.itemId });
    }),

    'GET /api/douyin/v1/video/video_list/': api('video.list.bind', (ctx, req) => {
      const count = Number(req.query.get('count'));
      if (!Number.isInteger(count) || count < 1 || count > DOUYIN_FAKE_LIMITS.listMaxCount) return fail(2100005, '参数不合法: count');
      const cursor = Number(req.query.get('cursor') ?? '0');
      if (!Number.isInteger(cursor) || cursor < 0) return fail(2100005, '参数不合法: cursor');
      const own = items
        .map((i, index) => ({ i, index }))
        .filter(({ i }) => i.openId === ctx.openId && i.clientKey === ctx.grant.clientKey && !i.deleted)
        .sort((a, b) => b.i.createdAt.getTime() - a.i.createdAt.getTime() || b.index - a.index)
        .map(({ i }) => i);
      const page = own.slice(cursor, cursor + count);
      return ok({ list: page.map(itemJson), cursor: cursor + page.length, has_more: cursor + page.length < own.length });
    }),

    'POST /api/douyin/v1/video/video_data/': api('video.data.bind', (ctx, req) => {
      if (!contentType(req).startsWith('application/json')) return fail(2100005, '参数不合法: Content-Type 须为 application/json');
      const ids = req.json().item_ids;
      if (!Array.isArray(ids) || !ids.length || ids.length > DOUYIN_FAKE_LIMITS.dataMaxItems || ids.some((x) => typeof x !== 'string'))
        return fail(2100005, '参数不合法: item_ids');
      const list = ids.map((id) => ownItem(ctx, id)).filter((i): i is DouyinFakeItem => !!i);
      return ok({ list: list.map(itemJson) });
    }),

    'GET /data/external/item/base/': api('data.external.item', (ctx, req) => {
      const item = ownItem(ctx, req.query.get('item_id'));
      if (!item) return fail(2100005, '参数不合法: item_id');
      if (clock() - item.createdAt.getTime() > DOUYIN_FAKE_LIMITS.itemDataDays * DAY_MS) return fail(2100005, '参数不合法: 仅支持查询30天内创建的视频');
      const f = item.figures;
      return ok({ result: { total_play: f.play, total_like: f.like, total_comment: f.comment, total_share: f.share, avg_play_duration: f.avgPlayDuration } });
    }),

    'POST /video/delete/': api('video.delete', (ctx, req) => {
      if (!contentType(req).startsWith('application/json')) return fail(2100005, '参数不合法: Content-Type 须为 application/json');
      const item = ownItem(ctx, req.json().item_id);
      if (!item) return fail(2100005, '参数不合法: item_id');
      item.deleted = true;
      return ok();
    }),
  };

  const platform = await startFakePlatform(routes);

  return Object.assign(platform, {
    registerApp(app: { clientKey: string; clientSecret: string; canRenewRefreshToken?: boolean }) {
      apps.set(app.clientKey, { clientKey: app.clientKey, clientSecret: app.clientSecret, canRenew: app.canRenewRefreshToken ?? true });
    },
    registerAccount(openId: string) {
      accounts.push(openId);
    },
    issueTokens(o: { clientKey: string; openId: string; scopes?: string[] }) {
      if (!apps.has(o.clientKey)) throw new Error(`registerApp(${o.clientKey}) first`);
      const g = newGrant(o.clientKey, o.openId, new Set(o.scopes ?? ALL_SCOPES));
      return {
        accessToken: g.accessToken,
        refreshToken: g.refreshToken,
        accessTokenExpiresAt: new Date(g.accessExpiresAt),
        refreshTokenExpiresAt: new Date(g.refreshExpiresAt),
      };
    },
    grant(openId: string) {
      const g = grantOf(openId);
      return g && { accessToken: g.accessToken, refreshToken: g.refreshToken, scopes: [...g.scopes], renewals: g.renewals, revoked: g.revoked };
    },
    expireAccessToken(openId: string) {
      const g = grantOf(openId);
      if (g) g.accessExpiresAt = clock() - 1;
    },
    expireRefreshToken(openId: string) {
      const g = grantOf(openId);
      if (g) g.refreshExpiresAt = clock() - 1;
    },
    revoke(openId: string) {
      const g = grantOf(openId);
      if (g) g.revoked = true;
    },
    setFigures(itemId: string, figures: Partial<DouyinFigures>) {
      const item = items.find((i) => i.itemId === itemId);
      if (!item) throw new Error(`no item ${itemId}`);
      Object.assign(item.figures, figures);
    },
    rejectWord(word: string) {
      rejected.push(word);
    },
    rateLimitAfter(calls: number, how: { errorCode?: number; retryAfterSeconds?: number } = {}) {
      rate = { left: calls, errorCode: how.errorCode ?? 28003018, retryAfterSeconds: how.retryAfterSeconds };
    },
    clearRateLimit() {
      rate = null;
    },
    failAfterCreate(times = 1) {
      failCreates += times;
    },
    items,
    video: (videoId: string) => videos.get(videoId),
    parts,
  });
}

// ---- MP4 inspection: enough ISO BMFF to refuse what is not a video and read duration/size ----

interface Box {
  type: string;
  start: number;
  header: number;
  end: number;
}

function boxes(buf: Buffer, start: number, end: number): Box[] {
  const out: Box[] = [];
  let at = start;
  while (at + 8 <= end) {
    let size = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    let header = 8;
    if (size === 1) {
      if (at + 16 > end) break;
      size = Number(buf.readBigUInt64BE(at + 8));
      header = 16;
    } else if (size === 0) size = end - at;
    if (size < header || at + size > end) break;
    out.push({ type, start: at, header, end: at + size });
    at += size;
  }
  return out;
}

function inspectMp4(buf: Buffer): { durationSeconds: number; width: number; height: number } | null {
  const top = boxes(buf, 0, buf.length);
  if (top[0]?.type !== 'ftyp') return null;
  const moov = top.find((b) => b.type === 'moov');
  if (!moov) return null;
  const inner = boxes(buf, moov.start + moov.header, moov.end);
  const mvhd = inner.find((b) => b.type === 'mvhd');
  if (!mvhd) return null;
  const p = mvhd.start + mvhd.header;
  const v1 = buf[p] === 1;
  const timescale = buf.readUInt32BE(p + (v1 ? 20 : 12));
  const duration = v1 ? Number(buf.readBigUInt64BE(p + 24)) : buf.readUInt32BE(p + 16);
  let width = 0;
  let height = 0;
  for (const trak of inner.filter((b) => b.type === 'trak')) {
    const tkhd = boxes(buf, trak.start + trak.header, trak.end).find((b) => b.type === 'tkhd');
    if (!tkhd) continue;
    const q = tkhd.start + tkhd.header;
    const at = q + (buf[q] === 1 ? 88 : 76);
    if (at + 8 > tkhd.end) continue;
    const w = buf.readUInt32BE(at) / 65536;
    const h = buf.readUInt32BE(at + 4) / 65536;
    if (w && h) {
      width = Math.round(w);
      height = Math.round(h);
      break;
    }
  }
  return { durationSeconds: timescale ? duration / timescale : 0, width, height };
}
