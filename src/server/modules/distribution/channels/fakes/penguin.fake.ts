import { createHash, randomBytes } from 'node:crypto';
import { startFakePlatform, type FakePlatform, type FakeReply, type FakeRequest, type FakeRoute } from './fake-platform.js';

/**
 * A local 企鹅号 (腾讯内容开放平台) for contract tests: the OAuth host (auth.om.qq.com paths) and the
 * API host (api.om.qq.com paths) on one server, since their paths do not collide. It checks each
 * request the way the platform does — required query parameters, client credentials, token
 * validity/expiry/revocation and the openid it belongs to, upload sizes, chunk sizes and order,
 * file checksums, cover format and size, title/description/tag rules — and answers in the
 * platform's envelope ({code, msg, data}; "0" as a string on the OAuth host, 0 as a number on
 * the API host, as public examples show). Error codes follow docs/channels/penguin.md.
 */

export interface PenguinFakeOptions {
  now?: () => Date;
  /** Largest chunk /video/authuploadtrunk accepts (tests use small ones to get several chunks). */
  maxChunkBytes?: number;
  maxVideoBytes?: number;
  accessTokenTtlSeconds?: number;
}

export interface PenguinFigures {
  read_count: number;
  play_count: number;
  like_count: number;
  comment_count: number;
  share_count: number;
  collect_count: number;
}

export interface PenguinPost {
  articleId: string;
  openid: string;
  transactionId: string;
  title: string;
  desc: string;
  tags: string[];
  cat: number;
  vid: string;
  video: Buffer;
  cover: Buffer | null;
  status: '审核中' | '发布成功' | '审核未通过';
}

export interface PenguinChunkReceipt {
  transactionId: string;
  start: number;
  bytes: number;
  accepted: boolean;
}

export interface PenguinFake extends FakePlatform {
  registerApp(clientId: string, clientSecret: string): void;
  /** A 企鹅号 account (media) that can grant apps access. */
  addAccount(openid: string, nick?: string): void;
  /** The account that approves on the authorize page; null = nobody logs in. */
  consentAs(openid: string | null): void;
  /** Grants access directly (the browser step done), returning fresh tokens. */
  grant(clientId: string, openid: string): { accessToken: string; refreshToken: string; expiresIn: number };
  /** Every access token of the account expires now. */
  expireAccessTokens(openid: string): void;
  expireRefreshTokens(openid: string): void;
  /** The account owner cancels the app's authorization: all its tokens stop working. */
  revoke(openid: string): void;
  /** Sets a post's statistics; lower than before is allowed (figures that go backwards). */
  setFigures(articleId: string, figures: Partial<PenguinFigures>): void;
  rejectWord(word: string): void;
  /** After `calls` more accepted calls, every call is refused until clearRateLimit(). */
  rateLimitAfter(calls: number, opts?: { http429?: boolean; retryAfterSeconds?: number }): void;
  clearRateLimit(): void;
  /** The next `n` requests to `path` are fully processed, then answered 502 (the answer is lost). */
  failAfterAccept(path: string, n?: number): void;
  /** Review: the first `polls` transaction queries answer 处理中, then it passes or is rejected. */
  setReview(review: { polls: number; rejectReason?: string }): void;
  posts(): PenguinPost[];
  chunks(): PenguinChunkReceipt[];
}

/** Platform limits the fake enforces (mirrors penguin.adapter.ts; assumptions are in the doc). */
const TITLE_MAX = 30;
const DESC_MAX = 200;
const TAGS_MAX = 5;
const COVER_MAX_BYTES = 5 * 1024 * 1024;
const COVER_MIN = { width: 640, height: 360 };
const LIST_LIMIT_MAX = 10;
const CODE_TTL_MS = 10 * 60_000;

/** The platform's video category ids (top-level groups and their sub-categories). */
// prettier-ignore
const CATEGORY_RANGES: [number, number][] = [
  [100, 107], [200, 205], [300, 303], [400, 403], [500, 501], [600, 603], [700, 709], [800, 808], [900, 903],
  [1000, 1004], [1100, 1108], [1200, 1202], [1300, 1306], [1400, 1404], [1500, 1507], [1600, 1607], [1700, 1712],
  [1800, 1804], [1900, 1903], [2000, 2003], [2100, 2104], [2200, 2206], [2300, 2303], [2400, 2411], [2500, 2509],
  [2600, 2601], [2700, 2703], [2800, 2808],
];

interface Token {
  clientId: string;
  openid: string;
  expiresAt: number;
  revoked: boolean;
}

interface Upload {
  openid: string;
  size: number;
  md5: string;
  sha: string;
  parts: Buffer[];
  received: number;
  status: '处理中' | '成功' | '失败';
  vid?: string;
  ctime: number;
}

interface Article extends PenguinPost {
  ctime: number;
  pollsLeft: number;
  rejectReason?: string;
  figures: PenguinFigures;
}

const ok = (data: unknown): FakeReply => ({ json: { code: 0, msg: 'SUCCESS', data } });
const fail = (code: number, msg: string, data: unknown = {}): FakeReply => ({ json: { code, msg, data } });
const oauthOk = (data: unknown): FakeReply => ({ json: { code: '0', msg: 'success', data } });
const oauthFail = (code: number, msg: string): FakeReply => ({ json: { code: String(code), msg, data: {} } });

export async function startPenguinFake(opts: PenguinFakeOptions = {}): Promise<PenguinFake> {
  const now = () => (opts.now ?? (() => new Date()))().getTime();
  const maxChunk = opts.maxChunkBytes ?? 4 * 1024 * 1024;
  const maxVideo = opts.maxVideoBytes ?? 1024 * 1024 * 1024;
  const ttl = opts.accessTokenTtlSeconds ?? 7200;

  const apps = new Map<string, string>();
  const accounts = new Map<string, { nick: string }>();
  const codes = new Map<string, { clientId: string; openid: string; expiresAt: number; used: boolean }>();
  const accessTokens = new Map<string, Token>();
  const refreshTokens = new Map<string, Token>();
  const uploads = new Map<string, Upload>();
  const videos = new Map<string, { openid: string; bytes: Buffer; cover: Buffer | null }>();
  const articles: Article[] = [];
  const articleTx = new Map<string, Article>();
  const chunkLog: PenguinChunkReceipt[] = [];
  const rejectWords: string[] = [];
  const afterAccept = new Map<string, number>();
  let consenting: string | null = null;
  let review: { polls: number; rejectReason?: string } = { polls: 0 };
  let limit: { left: number; http429: boolean; retryAfterSeconds?: number } | null = null;
  let seq = 0;

  const token = () => randomBytes(16).toString('hex');
  const nextTx = () => String(7265967800000000000n + BigInt((seq += 1)));
  const nextVid = () => `p${(seq += 1).toString(36).padStart(10, '0')}`;
  const nextArticleId = () => {
    const d = new Date(now() + 8 * 3600_000).toISOString().slice(0, 10).replace(/-/g, '');
    return `${d}A0${(seq += 1).toString(36).toUpperCase().padStart(4, '0')}00`;
  };
  const ctime = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');

  function issueTokens(clientId: string, openid: string) {
    const accessToken = token();
    const refreshToken = token();
    accessTokens.set(accessToken, { clientId, openid, expiresAt: now() + ttl * 1000, revoked: false });
    refreshTokens.set(refreshToken, { clientId, openid, expiresAt: Number.POSITIVE_INFINITY, revoked: false });
    return { accessToken, refreshToken, expiresIn: ttl };
  }

  /** Rate limiting counts accepted calls per server (one app per test); refused ones do not count. */
  function limited(): FakeReply | null {
    if (!limit) return null;
    if (limit.left > 0) {
      limit.left -= 1;
      return null;
    }
    if (limit.http429) {
      const headers: Record<string, string> = limit.retryAfterSeconds ? { 'retry-after': String(limit.retryAfterSeconds) } : {};
      return { status: 429, headers, json: { code: 10009, msg: '接口调用频率超限，请稍后再试', data: {} } };
    }
    return fail(10009, '接口调用频率超限，请稍后再试');
  }

  function finish(path: string, reply: FakeReply): FakeReply {
    const left = afterAccept.get(path) ?? 0;
    if (left <= 0) return reply;
    afterAccept.set(path, left - 1);
    return { status: 502, text: 'Bad Gateway' };
  }

  type Who = { clientId: string; openid: string };
  /** An API endpoint: token and openid in the query, checked before anything else. */
  function apiRoute(path: string, handler: (req: FakeRequest, who: Who) => FakeReply | Promise<FakeReply>): FakeRoute {
    return async (req) => {
      const accessToken = req.query.get('access_token');
      const openid = req.query.get('openid');
      if (!accessToken) return fail(10001, '缺少参数access_token');
      if (!openid) return fail(10001, '缺少参数openid');
      const t = accessTokens.get(accessToken);
      if (!t) return fail(10004, 'access_token无效');
      if (t.revoked) return fail(10007, '用户已取消授权');
      if (t.expiresAt <= now()) return fail(10005, 'access_token已过期');
      if (t.openid !== openid) return fail(10008, 'openid与access_token不匹配');
      const refused = limited();
      if (refused) return refused;
      const reply = await handler(req, { clientId: t.clientId, openid });
      return isOk(reply) ? finish(path, reply) : reply;
    };
  }

  function oauthRoute(path: string, handler: (req: FakeRequest) => FakeReply | Promise<FakeReply>): FakeRoute {
    return async (req) => {
      const refused = limited();
      if (refused) return refused;
      const reply = await handler(req);
      return isOk(reply) ? finish(path, reply) : reply;
    };
  }

  function blocked(...texts: string[]): string | undefined {
    return rejectWords.find((w) => texts.some((t) => t.includes(w)));
  }

  function articleInfo(a: Article | undefined) {
    return {
      article_id: a?.articleId ?? '',
      article_title: a?.title ?? '',
      article_type: a ? '视频文章' : '',
      article_abstract: a?.desc ?? '',
      article_imgurl: a?.cover ? `https://inews.gtimg.com/newsapp_ls/0/${a.vid}/0` : '',
      article_pub_flag: a?.status ?? '',
      article_pub_time: a ? ctime(a.ctime) : '',
      article_url: a && a.status === '发布成功' ? `https://kuaibao.qq.com/s/${a.articleId}` : '',
      article_video_info: { vid: a?.vid ?? '', title: a?.title ?? '', desc: a?.desc ?? '', type: a ? 'video' : '' },
    };
  }

  const routes: Record<string, FakeRoute> = {
    // https://auth.om.qq.com/omoauth2/authorize: the page where the account owner approves.
    'GET /omoauth2/authorize': (req) => {
      const clientId = req.query.get('client_id');
      const redirectUri = req.query.get('redirect_uri');
      if (req.query.get('response_type') !== 'code') return { status: 400, ...oauthFail(10001, 'response_type必须为code') };
      if (!clientId || !apps.has(clientId)) return { status: 400, ...oauthFail(10002, 'client_id不存在') };
      if (!redirectUri) return { status: 400, ...oauthFail(10001, '缺少参数redirect_uri') };
      if (!consenting) return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, text: '<p>请登录企鹅号并授权</p>' };
      const code = token();
      codes.set(code, { clientId, openid: consenting, expiresAt: now() + CODE_TTL_MS, used: false });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      const state = req.query.get('state');
      if (state) back.searchParams.set('state', state);
      return { status: 302, headers: { location: back.toString() }, text: '' };
    },

    'POST /omoauth2/accesstoken': oauthRoute('/omoauth2/accesstoken', (req) => {
      const q = req.query;
      if (q.get('grant_type') !== 'authorization_code') return oauthFail(10001, 'grant_type错误');
      for (const p of ['client_id', 'client_secret', 'code']) if (!q.get(p)) return oauthFail(10001, `缺少参数${p}`);
      const clientId = q.get('client_id') ?? '';
      if (apps.get(clientId) !== q.get('client_secret')) return oauthFail(10002, 'client_id或client_secret错误');
      const code = codes.get(q.get('code') ?? '');
      if (!code || code.used || code.clientId !== clientId || code.expiresAt <= now()) return oauthFail(10003, '授权码code无效或已过期');
      code.used = true;
      const t = issueTokens(clientId, code.openid);
      return oauthOk({ access_token: t.accessToken, expires_in: t.expiresIn, refresh_token: t.refreshToken, openid: code.openid, scope: 'all' });
    }),

    'POST /omoauth2/refreshtoken': oauthRoute('/omoauth2/refreshtoken', (req) => {
      const q = req.query;
      if (q.get('grant_type') !== 'refreshtoken') return oauthFail(10001, 'grant_type错误');
      for (const p of ['client_id', 'refresh_token']) if (!q.get(p)) return oauthFail(10001, `缺少参数${p}`);
      const clientId = q.get('client_id') ?? '';
      if (!apps.has(clientId)) return oauthFail(10002, 'client_id不存在');
      const r = refreshTokens.get(q.get('refresh_token') ?? '');
      if (!r || r.clientId !== clientId) return oauthFail(10006, 'refresh_token无效');
      if (r.revoked) return oauthFail(10007, '用户已取消授权');
      if (r.expiresAt <= now()) return oauthFail(10006, 'refresh_token已过期');
      const openid = q.get('openid');
      if (openid && openid !== r.openid) return oauthFail(10008, 'openid与refresh_token不匹配');
      const accessToken = token();
      accessTokens.set(accessToken, { clientId, openid: r.openid, expiresAt: now() + ttl * 1000, revoked: false });
      return oauthOk({ access_token: accessToken, expires_in: ttl, refresh_token: q.get('refresh_token'), openid: r.openid, scope: 'all' });
    }),

    'POST /video/authuploadready': apiRoute('/video/authuploadready', (req, who) => {
      const q = req.query;
      for (const p of ['size', 'md5', 'sha']) if (!q.get(p)) return fail(10001, `缺少参数${p}`);
      const size = Number(q.get('size'));
      if (!Number.isInteger(size) || size <= 0) return fail(10001, 'size参数错误');
      if (!/^[0-9a-f]{32}$/i.test(q.get('md5') ?? '')) return fail(10001, 'md5参数错误');
      if (!/^[0-9a-f]{40}$/i.test(q.get('sha') ?? '')) return fail(10001, 'sha参数错误');
      if (size > maxVideo) return fail(20004, '视频大小超过限制');
      const transactionId = nextTx();
      uploads.set(transactionId, {
        openid: who.openid,
        size,
        md5: (q.get('md5') ?? '').toLowerCase(),
        sha: (q.get('sha') ?? '').toLowerCase(),
        parts: [],
        received: 0,
        status: '处理中',
        ctime: now(),
      });
      return ok({ transaction_id: transactionId });
    }),

    'POST /video/authuploadtrunk': apiRoute('/video/authuploadtrunk', async (req, who) => {
      const q = req.query;
      const transactionId = q.get('transaction_id') ?? '';
      if (!transactionId) return fail(10001, '缺少参数transaction_id');
      const startText = q.get('start_offset');
      if (startText === null || !/^\d+$/.test(startText)) return fail(10001, 'start_offset参数错误');
      const start = Number(startText);
      const up = uploads.get(transactionId);
      if (!up || up.openid !== who.openid || up.status === '失败') return fail(20007, '事务不存在或已过期');
      let part: Buffer;
      try {
        const file = (await req.form()).get('mediatrunk');
        if (!file || typeof file === 'string') return fail(10001, '缺少参数mediatrunk');
        part = Buffer.from(await file.arrayBuffer());
      } catch {
        return fail(10001, '缺少参数mediatrunk');
      }
      const receipt = { transactionId, start, bytes: part.length, accepted: false };
      chunkLog.push(receipt);
      if (part.length > maxChunk) return fail(20005, `分片大小不能超过${maxChunk}字节`);
      if (start !== up.received) {
        return fail(20006, 'start_offset与已上传大小不一致', { transaction_id: transactionId, start_offset: up.received, end_offset: up.received });
      }
      if (start + part.length > up.size) return fail(20005, '分片超出文件大小');
      if (part.length === 0 && start !== up.size) return fail(20005, '分片为空');
      receipt.accepted = true;
      up.parts.push(part);
      up.received += part.length;
      if (up.received === up.size && up.status === '处理中') {
        const all = Buffer.concat(up.parts);
        if (createHash('md5').update(all).digest('hex') !== up.md5 || createHash('sha1').update(all).digest('hex') !== up.sha) {
          up.status = '失败';
          return fail(20008, '视频文件校验失败，md5或sha与上传内容不一致');
        }
        up.status = '成功';
        up.vid = nextVid();
        videos.set(up.vid, { openid: who.openid, bytes: all, cover: null });
      }
      return ok({ transaction_id: transactionId, start_offset: start, end_offset: start + part.length });
    }),

    'GET /transaction/infoauth': apiRoute('/transaction/infoauth', (req, who) => {
      const transactionId = req.query.get('transaction_id');
      if (!transactionId) return fail(10001, '缺少参数transaction_id');
      const up = uploads.get(transactionId);
      if (up && up.openid === who.openid) {
        return ok({
          transaction_id: transactionId,
          transaction_status: up.status,
          transaction_ctime: ctime(up.ctime),
          transaction_type: '视频',
          vid: up.vid ?? '',
        });
      }
      const a = articleTx.get(transactionId);
      if (!a || a.openid !== who.openid) return fail(20007, '事务不存在或已过期');
      if (a.status === '审核中') {
        if (a.pollsLeft > 0) a.pollsLeft -= 1;
        else a.status = a.rejectReason ? '审核未通过' : '发布成功';
      }
      const status = a.status === '发布成功' ? '成功' : a.status === '审核中' ? '处理中' : '失败';
      const info = articleInfo(a);
      if (a.status === '审核未通过' && a.rejectReason) info.article_pub_flag = `审核未通过：${a.rejectReason}`;
      return ok({ transaction_id: transactionId, transaction_status: status, transaction_ctime: ctime(a.ctime), transaction_type: '文章', article_info: info });
    }),

    'POST /video/authvideopic': apiRoute('/video/authvideopic', async (req, who) => {
      const q = req.query;
      for (const p of ['md5', 'vid']) if (!q.get(p)) return fail(10001, `缺少参数${p}`);
      const video = videos.get(q.get('vid') ?? '');
      if (!video || video.openid !== who.openid) return fail(20009, 'vid不存在');
      let image: Buffer;
      try {
        const file = (await req.form()).get('media');
        if (!file || typeof file === 'string') return fail(10001, '缺少参数media');
        image = Buffer.from(await file.arrayBuffer());
      } catch {
        return fail(10001, '缺少参数media');
      }
      if (createHash('md5').update(image).digest('hex') !== (q.get('md5') ?? '').toLowerCase()) return fail(20010, '图片md5校验失败');
      if (image.length > COVER_MAX_BYTES) return fail(20010, '封面图片不能超过5MB');
      const size = imageSize(image);
      if (!size) return fail(20010, '封面图片格式仅支持jpg、jpeg、png');
      if (size.width < COVER_MIN.width || size.height < COVER_MIN.height) return fail(20010, '封面图片尺寸不能小于640x360');
      video.cover = image;
      return ok({ transaction_id: nextTx() });
    }),

    'POST /article/authpubvideo': apiRoute('/article/authpubvideo', (req, who) => {
      const q = req.query;
      for (const p of ['title', 'tags', 'cat', 'vid']) if (!q.get(p)) return fail(10001, `缺少参数${p}`);
      const title = q.get('title') ?? '';
      const desc = q.get('desc') ?? '';
      const tags = (q.get('tags') ?? '').split(' ').filter(Boolean);
      const cat = Number(q.get('cat'));
      const vid = q.get('vid') ?? '';
      const apply = q.get('apply');
      // A Chinese character counts as one: the limits are in characters, not bytes.
      const titleChars = [...title.trim()].length;
      if (titleChars < 1 || [...title].length > TITLE_MAX) return fail(20001, `标题长度需在1-${TITLE_MAX}个字之间`);
      if ([...desc].length > DESC_MAX) return fail(20002, `视频简介不能超过${DESC_MAX}个字`);
      if (tags.length < 1 || tags.length > TAGS_MAX) return fail(20002, `标签数量需在1-${TAGS_MAX}个之间，以空格分隔`);
      if (!CATEGORY_RANGES.some(([lo, hi]) => cat >= lo && cat <= hi)) return fail(20011, '分类cat不存在');
      if (apply !== null && apply !== '0' && apply !== '1') return fail(10001, 'apply参数错误');
      const video = videos.get(vid);
      if (!video || video.openid !== who.openid) return fail(20009, 'vid不存在或视频尚未上传完成');
      const word = blocked(title, desc, ...tags);
      if (word) return fail(20003, `内容包含敏感词：${word}`);
      const transactionId = nextTx();
      const article: Article = {
        articleId: nextArticleId(),
        openid: who.openid,
        transactionId,
        title,
        desc,
        tags,
        cat,
        vid,
        video: video.bytes,
        cover: video.cover,
        status: review.polls > 0 ? '审核中' : review.rejectReason ? '审核未通过' : '发布成功',
        ctime: now(),
        pollsLeft: review.polls,
        rejectReason: review.rejectReason,
        figures: { read_count: 0, play_count: 0, like_count: 0, comment_count: 0, share_count: 0, collect_count: 0 },
      };
      articles.unshift(article);
      articleTx.set(transactionId, article);
      return ok({ transaction_id: transactionId });
    }),

    'GET /article/authlist': apiRoute('/article/authlist', (req, who) => {
      const page = Number(req.query.get('page'));
      const limitN = Number(req.query.get('limit') ?? 10);
      if (!Number.isInteger(page) || page < 1) return fail(10001, 'page参数错误');
      if (!Number.isInteger(limitN) || limitN < 1 || limitN > LIST_LIMIT_MAX) return fail(10001, `limit取值范围1-${LIST_LIMIT_MAX}`);
      const mine = articles.filter((a) => a.openid === who.openid);
      const slice = mine.slice((page - 1) * limitN, page * limitN);
      return ok({ articles: slice.map(articleInfo), limit: String(limitN), page: String(page), total: String(mine.length) });
    }),

    'GET /article/statsauth': apiRoute('/article/statsauth', (req, who) => {
      const articleId = req.query.get('article_id');
      if (!articleId) return fail(10001, '缺少参数article_id');
      const a = articles.find((x) => x.articleId === articleId);
      if (!a || a.openid !== who.openid) return fail(20012, '文章不存在');
      return ok({ article_id: articleId, ...a.figures });
    }),
  };

  const base = await startFakePlatform(routes);
  const controls = {
    registerApp: (clientId: string, clientSecret: string) => void apps.set(clientId, clientSecret),
    addAccount: (openid: string, nick = '拍客测试号') => void accounts.set(openid, { nick }),
    consentAs(openid: string | null) {
      if (openid && !accounts.has(openid)) throw new Error(`no such account: ${openid}`);
      consenting = openid;
    },
    grant(clientId: string, openid: string) {
      if (!apps.has(clientId) || !accounts.has(openid)) throw new Error('register the app and the account first');
      return issueTokens(clientId, openid);
    },
    expireAccessTokens(openid: string) {
      for (const t of accessTokens.values()) if (t.openid === openid) t.expiresAt = now() - 1;
    },
    expireRefreshTokens(openid: string) {
      for (const t of refreshTokens.values()) if (t.openid === openid) t.expiresAt = now() - 1;
    },
    revoke(openid: string) {
      for (const t of [...accessTokens.values(), ...refreshTokens.values()]) if (t.openid === openid) t.revoked = true;
    },
    setFigures(articleId: string, figures: Partial<PenguinFigures>) {
      const a = articles.find((x) => x.articleId === articleId);
      if (!a) throw new Error(`no such article: ${articleId}`);
      a.figures = { ...a.figures, ...figures };
    },
    rejectWord: (word: string) => void rejectWords.push(word),
    rateLimitAfter(calls: number, o: { http429?: boolean; retryAfterSeconds?: number } = {}) {
      limit = { left: calls, http429: o.http429 ?? false, retryAfterSeconds: o.retryAfterSeconds };
    },
    clearRateLimit: () => void (limit = null),
    failAfterAccept: (path: string, n = 1) => void afterAccept.set(path, (afterAccept.get(path) ?? 0) + n),
    setReview: (r: { polls: number; rejectReason?: string }) => void (review = r),
    posts: (): PenguinPost[] =>
      articles.map((a) => ({
        articleId: a.articleId,
        openid: a.openid,
        transactionId: a.transactionId,
        title: a.title,
        desc: a.desc,
        tags: a.tags,
        cat: a.cat,
        vid: a.vid,
        video: a.video,
        cover: a.cover,
        status: a.status,
      })),
    chunks: () => chunkLog.map((c) => ({ ...c })),
  };
  return Object.assign(base, controls);
}

function isOk(reply: FakeReply): boolean {
  const code = (reply.json as { code?: unknown } | undefined)?.code;
  return (reply.status ?? 200) < 300 && Number(code) === 0;
}

/** Width and height of a JPEG (from its SOF marker) or PNG (IHDR); null for anything else. */
function imageSize(b: Buffer): { width: number; height: number } | null {
  if (b.length > 24 && b.readUInt32BE(0) === 0x89504e47) return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return null;
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1] ?? 0;
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    const len = b.readUInt16BE(i + 2);
    // SOF0–SOF15 carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
    }
    i += 2 + len;
  }
  return null;
}
