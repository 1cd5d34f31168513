import { createHash, randomBytes } from 'node:crypto';
import { startFakePlatform, type FakePlatform, type FakeReply, type FakeRequest, type FakeRoute } from './fake-platform.js';

/**
 * A local WeChat Official Account API (api.weixin.qq.com) for contract tests. It checks every
 * request against the documented shapes and limits and answers with WeChat's own errcodes and
 * messages, so a wrong adapter fails here rather than in production. See docs/channels/wechat.md
 * for the endpoints and for the behaviours the public docs leave open (marked "assumed" below).
 */

export interface WechatFakeOptions {
  /** The platform's clock (token expiry, datacube "yesterday"); share it with the adapter. */
  now?: () => Date;
}

/** The figures datacube/getarticletotaldetail reports for one article (cumulative since publishing). */
export interface WechatFigures {
  read_user: number;
  share_user: number;
  like_user: number;
  zaikan_user: number;
  comment_count: number;
  collection_user: number;
}

export interface WechatMaterial {
  mediaId: string;
  appId: string;
  type: 'image' | 'video' | 'thumb' | 'voice';
  bytes: number;
  sha256: string;
  filename: string;
  description: { title?: string; introduction?: string } | null;
}

export interface WechatArticleInput {
  article_type: string;
  title: string;
  author: string;
  digest: string;
  content: string;
  content_source_url: string;
  thumb_media_id: string;
  need_open_comment: number;
  only_fans_can_comment: number;
}

export interface WechatDraft {
  mediaId: string;
  appId: string;
  articles: WechatArticleInput[];
  updateTime: number;
}

export interface WechatPublishJob {
  publishId: string;
  msgDataId: string;
  appId: string;
  draftMediaId: string;
  articles: WechatArticleInput[];
  /** 0 success, 1 publishing, 4 review rejected, 5 deleted after success (freepublish/get). */
  status: 0 | 1 | 4 | 5;
  failIdx: number[];
  articleId: string | null;
}

export interface WechatArticle {
  articleId: string;
  publishId: string;
  msgDataId: string;
  appId: string;
  items: (WechatArticleInput & { url: string; isDeleted: boolean })[];
  publishedAt: Date;
  /** Cumulative figures by datacube stat_date (Beijing date), as set by the test. */
  figures: Map<string, WechatFigures>;
}

export interface WechatFake extends FakePlatform {
  /** An Official Account with API access: AppID/AppSecret; `verified` accounts may use freepublish (48001 otherwise). */
  registerApp(app: { appId: string; secret: string; verified?: boolean }): void;
  /** The access_token stable_token would hand out now, if one is live. */
  currentToken(appId: string): { value: string; expiresAt: Date } | null;
  /** Every token of the app passes its expiry: calls answer 42001 until a new one is fetched. */
  expireTokens(appId: string): void;
  /** Every token of the app stops working (as after a force_refresh elsewhere): 40001. */
  invalidateTokens(appId: string): void;
  /** The AppSecret is reset in the MP backend: tokens die and the old secret gets 40125. */
  revokeAccess(appId: string): void;
  /** Take this machine's IP off (or back onto) the account's API IP whitelist: 40164. */
  setIpWhitelisted(appId: string, whitelisted: boolean): void;
  /** Review rejects (publish_status 4) any article whose title, digest or content contains `word`. */
  rejectWord(word: string): void;
  /** After `after` more API calls (stable_token excluded), every call gets `errcode` until cleared. */
  rateLimitAfter(after: number, opts?: { errcode?: 45009 | 45011; path?: string }): void;
  clearRateLimit(): void;
  /** While held, submitted publish jobs stay at publish_status 1 until `finishPublishing`. */
  holdPublishing(hold: boolean): void;
  finishPublishing(publishId?: string): void;
  /** The next `n` requests to `path` are fully served, then the reply is lost (HTTP 502). */
  loseResponseAfterAccept(path: string, n?: number): void;
  /** Set an article's cumulative figures as of the latest datacube day (may go down). */
  setFigures(articleId: string, figures: Partial<WechatFigures>): void;
  /** Delete a draft from the draft box, as an editor would in the MP backend. */
  deleteDraft(mediaId: string): void;
  readonly materials: readonly WechatMaterial[];
  /** The draft box as it is now (drafts leave it when submitted). */
  readonly drafts: readonly WechatDraft[];
  /** Every draft ever created, including those since submitted. */
  readonly draftsCreated: number;
  readonly publishJobs: readonly WechatPublishJob[];
  readonly articles: readonly WechatArticle[];
  /** Images uploaded with media/uploadimg for use inside article content. */
  readonly contentImages: readonly { appId: string; url: string; bytes: number }[];
}

type Json = Record<string, unknown>;

// Documented limits (draft_add, add_material, stable_token pages).
const TITLE_MAX = 32;
const AUTHOR_MAX = 16;
const DIGEST_MAX = 128;
const CONTENT_MAX_CHARS = 20_000;
const CONTENT_MAX_BYTES = 1024 * 1024;
const SOURCE_URL_MAX_BYTES = 1024;
const VIDEO_MAX = 10 * 1024 * 1024;
const IMAGE_MAX = 10 * 1024 * 1024;
const THUMB_MAX = 64 * 1024;
/** media/uploadimg (上传图文消息内的图片获取URL): jpg/png under 1 MB. */
const CONTENT_IMAGE_MAX = 1024 * 1024;
const TOKEN_TTL_S = 7200;
/** Normal mode hands out a new token in the last 5 minutes, and the old one keeps working meanwhile. */
const ROTATE_WINDOW_S = 300;
const FORCE_REFRESH_GAP_S = 30;
const FORCE_REFRESH_PER_DAY = 20;
const DAY_MS = 86_400_000;
const BEIJING_OFFSET_MS = 8 * 3_600_000;
/** datacube keeps counting a published article for 30 days (getarticletotaldetail). */
const STATS_WINDOW_DAYS = 30;

const beijingDate = (ms: number) => new Date(ms + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
const dayMs = (date: string) => Date.parse(`${date}T00:00:00Z`);
const rid = () => `${randomBytes(4).toString('hex')}-${randomBytes(4).toString('hex')}-${randomBytes(4).toString('hex')}`;
const id64 = () => randomBytes(48).toString('base64url');
const chars = (s: string) => [...s].length;

function err(errcode: number, errmsg: string): FakeReply {
  // WeChat answers errors with HTTP 200 and a JSON body; errmsg carries a request id hint.
  return { json: { errcode, errmsg: `${errmsg} rid: ${rid()}` } };
}

const ZERO_FIGURES: WechatFigures = { read_user: 0, share_user: 0, like_user: 0, zaikan_user: 0, comment_count: 0, collection_user: 0 };

export async function startWechatFake(opts: WechatFakeOptions = {}): Promise<WechatFake> {
  const now = () => (opts.now ? opts.now() : new Date()).getTime();
  const apps = new Map<
    string,
    { appId: string; secret: string; verified: boolean; ipOk: boolean; current: string | null; lastForce: number; forceDay: string; forceCount: number }
  >();
  const tokens = new Map<string, { appId: string; expiresAt: number; revoked: boolean }>();
  const materials: WechatMaterial[] = [];
  const contentImages: { appId: string; url: string; bytes: number }[] = [];
  const drafts: WechatDraft[] = [];
  const jobs: WechatPublishJob[] = [];
  const articles: WechatArticle[] = [];
  const bannedWords: string[] = [];
  const lost: { path: string; left: number }[] = [];
  const state = { hold: false, draftsCreated: 0, seq: 0, rate: null as null | { left: number; errcode: 45009 | 45011; path?: string } };

  function issueToken(appId: string): string {
    const value = `fake-at-${randomBytes(24).toString('hex')}`;
    tokens.set(value, { appId, expiresAt: now() + TOKEN_TTL_S * 1000, revoked: false });
    const app = apps.get(appId);
    if (app) app.current = value;
    return value;
  }

  /** Parses a JSON body strictly: WeChat answers 47001 to anything that is not a JSON object. */
  function body(req: FakeRequest): Json | null {
    try {
      const v: unknown = JSON.parse(req.body.toString('utf8'));
      return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : null;
    } catch {
      return null;
    }
  }

  /** The access_token check every API but stable_token makes, then IP whitelist and quota. */
  function authorize(req: FakeRequest): { appId: string } | FakeReply {
    const value = req.query.get('access_token');
    if (!value) return err(41001, 'access_token missing');
    const token = tokens.get(value);
    if (!token || token.revoked) return err(40001, 'invalid credential, access_token is invalid or not latest');
    if (token.expiresAt <= now()) return err(42001, 'access_token expired');
    const app = apps.get(token.appId);
    if (!app) return err(40001, 'invalid credential, access_token is invalid or not latest');
    if (!app.ipOk) return err(40164, 'invalid ip 127.0.0.1 ipv6 ::ffff:127.0.0.1, not in whitelist');
    const rate = state.rate;
    if (rate && (!rate.path || rate.path === req.path)) {
      if (rate.left <= 0) {
        return rate.errcode === 45009
          ? err(45009, 'reach max api daily quota limit')
          : err(45011, 'api minute-quota reach limit  mustslower  retry next minute');
      }
      rate.left -= 1;
    }
    return { appId: app.appId };
  }

  type Handler = (req: FakeRequest, appId: string) => FakeReply | Promise<FakeReply>;

  /** A POST-only API behind the access_token; a GET gets 43002 as on the real platform. */
  function api(routes: Record<string, FakeRoute>, path: string, handler: Handler, opts: { verifiedOnly?: boolean } = {}) {
    routes[`GET ${path}`] = () => err(43002, 'require POST method');
    routes[`POST ${path}`] = async (req) => {
      const auth = authorize(req);
      if (!('appId' in auth)) return auth;
      // freepublish is only for verified (认证) accounts: 48001 otherwise.
      if (opts.verifiedOnly && !apps.get(auth.appId)?.verified) return err(48001, 'api unauthorized');
      const reply = await handler(req, auth.appId);
      const loss = lost.find((l) => l.left > 0 && l.path === path);
      if (loss) {
        loss.left -= 1;
        return { status: 502, text: 'Bad Gateway' };
      }
      return reply;
    };
  }

  function stableToken(req: FakeRequest): FakeReply {
    const b = body(req);
    if (!b) return err(47001, 'data format error');
    if (b.grant_type !== 'client_credential') return err(40002, 'invalid grant_type');
    if (typeof b.appid !== 'string' || !b.appid) return err(41002, 'appid missing');
    if (typeof b.secret !== 'string' || !b.secret) return err(41004, 'appsecret missing');
    if (b.force_refresh !== undefined && typeof b.force_refresh !== 'boolean') return err(40097, 'invalid args');
    const app = apps.get(b.appid);
    if (!app) return err(40013, 'invalid appid');
    if (!app.ipOk) return err(40164, 'invalid ip 127.0.0.1 ipv6 ::ffff:127.0.0.1, not in whitelist');
    if (b.secret !== app.secret) return err(40125, 'invalid appsecret');
    const t = now();
    const current = app.current ? tokens.get(app.current) : undefined;
    const live = current && !current.revoked && current.expiresAt > t ? current : undefined;
    if (b.force_refresh === true) {
      const today = beijingDate(t);
      if (app.forceDay !== today) {
        app.forceDay = today;
        app.forceCount = 0;
      }
      if (app.forceCount >= FORCE_REFRESH_PER_DAY) return err(45009, 'reach max api daily quota limit');
      // "连续使用该模式时，请保证调用时间隔至少为30s，否则不会刷新": too soon returns the current token.
      if (!(live && t - app.lastForce < FORCE_REFRESH_GAP_S * 1000)) {
        app.forceCount += 1;
        app.lastForce = t;
        if (current) current.revoked = true;
        const value = issueToken(app.appId);
        return { json: { access_token: value, expires_in: TOKEN_TTL_S } };
      }
    }
    if (live && app.current && live.expiresAt - t > ROTATE_WINDOW_S * 1000) {
      return { json: { access_token: app.current, expires_in: Math.floor((live.expiresAt - t) / 1000) } };
    }
    // Within the last 5 minutes (or none live): a new token; the old one stays valid to its expiry.
    const value = issueToken(app.appId);
    return { json: { access_token: value, expires_in: TOKEN_TTL_S } };
  }

  const isMp4 = (b: Buffer) => b.length >= 12 && b.subarray(4, 8).toString('latin1') === 'ftyp';
  const isJpeg = (b: Buffer) => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
  const isPng = (b: Buffer) => b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const isGif = (b: Buffer) => b.length >= 6 && b.subarray(0, 3).toString('latin1') === 'GIF';
  const isBmp = (b: Buffer) => b.length >= 2 && b.subarray(0, 2).toString('latin1') === 'BM';

  async function addMaterial(req: FakeRequest, appId: string): Promise<FakeReply> {
    const type = req.query.get('type');
    if (type !== 'image' && type !== 'video' && type !== 'thumb' && type !== 'voice') return err(40004, 'invalid media type');
    if (!String(req.headers['content-type'] ?? '').startsWith('multipart/form-data')) return err(41005, 'media data missing');
    let form: FormData;
    try {
      form = await req.form();
    } catch {
      return err(41005, 'media data missing');
    }
    const media = form.get('media');
    if (!(media instanceof Blob)) return err(41005, 'media data missing');
    const bytes = Buffer.from(await media.arrayBuffer());
    if (bytes.length === 0) return err(44001, 'empty media data');
    const filename = media instanceof File ? media.name : '';
    let description: WechatMaterial['description'] = null;
    if (type === 'video') {
      if (!isMp4(bytes)) return err(40005, 'invalid file type');
      // Assumed: oversize media get 40006 "invalid media size" (what thumbs over 64 KB get in practice).
      if (bytes.length > VIDEO_MAX) return err(40006, 'invalid media size');
      // The video's description part (title, introduction) is required for video materials.
      const raw = form.get('description');
      if (typeof raw !== 'string') return err(40035, 'invalid args');
      try {
        const d: unknown = JSON.parse(raw);
        if (!d || typeof d !== 'object' || Array.isArray(d)) return err(40035, 'invalid args');
        const { title, introduction } = d as Json;
        if ((title !== undefined && typeof title !== 'string') || (introduction !== undefined && typeof introduction !== 'string'))
          return err(40035, 'invalid args');
        description = { title: title as string | undefined, introduction: introduction as string | undefined };
      } catch {
        return err(40035, 'invalid args');
      }
    } else if (type === 'image') {
      if (!(isJpeg(bytes) || isPng(bytes) || isGif(bytes) || isBmp(bytes))) return err(40005, 'invalid file type');
      if (bytes.length > IMAGE_MAX) return err(40006, 'invalid media size');
    } else if (type === 'thumb') {
      if (!isJpeg(bytes)) return err(40005, 'invalid file type');
      if (bytes.length > THUMB_MAX) return err(40006, 'invalid media size');
    }
    const material: WechatMaterial = {
      mediaId: id64(),
      appId,
      type,
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      filename,
      description,
    };
    materials.push(material);
    if (type === 'image')
      return { json: { media_id: material.mediaId, url: `http://mmbiz.qpic.cn/mmbiz_jpg/${randomBytes(12).toString('hex')}/0?wx_fmt=jpeg` } };
    return { json: { media_id: material.mediaId } };
  }

  /** Checks one draft_add article; returns the errcode reply or the normalized article. */
  function checkArticle(a: unknown, appId: string): { error: FakeReply } | { article: WechatArticleInput } {
    const fail = (errcode: number, errmsg: string) => ({ error: err(errcode, errmsg) });
    if (!a || typeof a !== 'object' || Array.isArray(a)) return fail(47001, 'data format error');
    const x = a as Json;
    const type = x.article_type ?? 'news';
    if (type !== 'news' && type !== 'newspic') return fail(40035, 'invalid args');
    for (const k of ['title', 'author', 'digest', 'content', 'content_source_url', 'thumb_media_id'] as const) {
      if (x[k] !== undefined && typeof x[k] !== 'string') return fail(47001, 'data format error');
    }
    for (const k of ['need_open_comment', 'only_fans_can_comment'] as const) {
      if (x[k] !== undefined && x[k] !== 0 && x[k] !== 1) return fail(40035, 'invalid args');
    }
    const title = (x.title as string | undefined) ?? '';
    const author = (x.author as string | undefined) ?? '';
    const digest = (x.digest as string | undefined) ?? '';
    const content = (x.content as string | undefined) ?? '';
    const source = (x.content_source_url as string | undefined) ?? '';
    const thumb = (x.thumb_media_id as string | undefined) ?? '';
    if (!title.trim()) return fail(40227, 'invalid title');
    if (chars(title) > TITLE_MAX) return fail(45003, 'title size out of limit');
    if (chars(author) > AUTHOR_MAX) return fail(45110, 'author size out of limit');
    if (chars(digest) > DIGEST_MAX) return fail(45004, 'description size out of limit');
    if (!content.trim()) return fail(44004, 'empty content');
    if (chars(content) >= CONTENT_MAX_CHARS || Buffer.byteLength(content) >= CONTENT_MAX_BYTES) return fail(45002, 'content size out of limit');
    if (Buffer.byteLength(source) > SOURCE_URL_MAX_BYTES) return fail(45005, 'url size out of limit');
    if (source && !/^https?:\/\/[^\s]+$/i.test(source)) return fail(40048, 'invalid url');
    if (type === 'news') {
      // The cover must be a permanent image/thumb material of this account.
      const m = materials.find((mm) => mm.mediaId === thumb && mm.appId === appId);
      if (!thumb || !m || (m.type !== 'image' && m.type !== 'thumb')) return fail(40007, 'invalid media_id');
    }
    return {
      article: {
        article_type: type,
        title,
        author,
        digest,
        content,
        content_source_url: source,
        thumb_media_id: thumb,
        need_open_comment: (x.need_open_comment as number | undefined) ?? 0,
        only_fans_can_comment: (x.only_fans_can_comment as number | undefined) ?? 0,
      },
    };
  }

  /** media/uploadimg: an image for use inside article content; answers its mmbiz URL (not a material). */
  async function uploadImg(req: FakeRequest, appId: string): Promise<FakeReply> {
    if (!String(req.headers['content-type'] ?? '').startsWith('multipart/form-data')) return err(41005, 'media data missing');
    let form: FormData;
    try {
      form = await req.form();
    } catch {
      return err(41005, 'media data missing');
    }
    const media = form.get('media');
    if (!(media instanceof Blob)) return err(41005, 'media data missing');
    const bytes = Buffer.from(await media.arrayBuffer());
    if (bytes.length === 0) return err(44001, 'empty media data');
    if (!(isJpeg(bytes) || isPng(bytes))) return err(40005, 'invalid file type');
    if (bytes.length > CONTENT_IMAGE_MAX) return err(40006, 'invalid media size');
    const url = `http://mmbiz.qpic.cn/mmbiz_jpg/${createHash('sha256').update(appId).update(bytes).digest('hex').slice(0, 32)}/0`;
    contentImages.push({ appId, url, bytes: bytes.length });
    return { json: { url } };
  }

  function draftAdd(req: FakeRequest, appId: string): FakeReply {
    const b = body(req);
    if (!b || !Array.isArray(b.articles)) return err(47001, 'data format error');
    if (b.articles.length === 0) return err(44003, 'empty news data');
    if (b.articles.length > 8) return err(45008, 'article size out of limit');
    const list: WechatArticleInput[] = [];
    for (const a of b.articles) {
      const checked = checkArticle(a, appId);
      if ('error' in checked) return checked.error;
      list.push(checked.article);
    }
    const draft: WechatDraft = { mediaId: id64(), appId, articles: list, updateTime: Math.floor(now() / 1000) };
    drafts.push(draft);
    state.draftsCreated += 1;
    return { json: { media_id: draft.mediaId } };
  }

  const newsItem = (a: WechatArticleInput, extra: Json, noContent: boolean): Json => {
    const item: Json = { ...a, ...extra };
    if (noContent) delete item.content;
    return item;
  };

  /** offset/count paging shared by draft/batchget and freepublish/batchget (count 1–20). */
  function paging(b: Json | null): { error: FakeReply } | { offset: number; count: number; noContent: boolean } {
    if (!b) return { error: err(47001, 'data format error') };
    const { offset, count, no_content } = b;
    const bad = { error: err(40097, 'invalid args') };
    if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) return bad;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 20) return bad;
    if (no_content !== undefined && no_content !== 0 && no_content !== 1) return bad;
    return { offset, count, noContent: no_content === 1 };
  }

  function draftBatchget(req: FakeRequest, appId: string): FakeReply {
    const p = paging(body(req));
    if ('error' in p) return p.error;
    const { offset, count, noContent } = p;
    const mine = drafts.filter((d) => d.appId === appId).reverse();
    const page = mine.slice(offset, offset + count);
    return {
      json: {
        total_count: mine.length,
        item_count: page.length,
        item: page.map((d) => ({
          media_id: d.mediaId,
          content: {
            news_item: d.articles.map((a) => newsItem(a, { url: `https://mp.weixin.qq.com/s?__biz=MzFake&tempkey=${d.mediaId.slice(0, 8)}` }, noContent)),
          },
          update_time: d.updateTime,
        })),
      },
    };
  }

  function draftGet(req: FakeRequest, appId: string): FakeReply {
    const b = body(req);
    if (!b) return err(47001, 'data format error');
    const d = drafts.find((dd) => dd.mediaId === b.media_id && dd.appId === appId);
    if (!d) return err(40007, 'invalid media_id');
    return { json: { news_item: d.articles.map((a) => newsItem(a, {}, false)) } };
  }

  function settle(job: WechatPublishJob) {
    if (job.status !== 1) return;
    const hit = job.articles.findIndex((a) => bannedWords.some((w) => `${a.title}\n${a.digest}\n${a.content}`.includes(w)));
    if (hit >= 0) {
      job.status = 4;
      job.failIdx = [hit + 1];
      return;
    }
    const articleId = id64().slice(0, 43);
    const sn = randomBytes(16).toString('hex');
    articles.push({
      articleId,
      publishId: job.publishId,
      msgDataId: job.msgDataId,
      appId: job.appId,
      items: job.articles.map((a, i) => ({
        ...a,
        url: `https://mp.weixin.qq.com/s?__biz=MzFake==&mid=${job.msgDataId}&idx=${i + 1}&sn=${sn}`,
        isDeleted: false,
      })),
      publishedAt: new Date(now()),
      figures: new Map(),
    });
    job.status = 0;
    job.articleId = articleId;
  }

  function submit(req: FakeRequest, appId: string): FakeReply {
    const b = body(req);
    if (!b) return err(47001, 'data format error');
    if (typeof b.media_id !== 'string' || !b.media_id) return err(40007, 'invalid media_id');
    const i = drafts.findIndex((d) => d.mediaId === b.media_id && d.appId === appId);
    // A submitted draft leaves the draft box ("上传到草稿箱中的素材被群发或发布后，该素材将从草稿箱中移除"),
    // so submitting the same media_id again finds nothing. Assumed: this happens at submit time.
    if (i < 0) return err(40007, 'invalid media_id');
    const [draft] = drafts.splice(i, 1);
    if (!draft) return err(40007, 'invalid media_id');
    state.seq += 1;
    const job: WechatPublishJob = {
      publishId: String(2_247_483_000 + state.seq * 2),
      msgDataId: String(2_247_483_001 + state.seq * 2),
      appId,
      draftMediaId: draft.mediaId,
      articles: draft.articles,
      status: 1,
      failIdx: [],
      articleId: null,
    };
    jobs.push(job);
    if (!state.hold) settle(job);
    return { json: { errcode: 0, errmsg: 'ok', publish_id: job.publishId, msg_data_id: job.msgDataId } };
  }

  function publishGet(req: FakeRequest, appId: string): FakeReply {
    const b = body(req);
    if (!b) return err(47001, 'data format error');
    const job = jobs.find((j) => j.publishId === String(b.publish_id ?? '') && j.appId === appId);
    if (!job) return err(40002, 'invalid argument');
    const article = job.articleId ? articles.find((a) => a.articleId === job.articleId) : undefined;
    const status = article && article.items.every((it) => it.isDeleted) ? 5 : job.status;
    // publish_id comes back as a number here (a string from submit), as seen in the field.
    const out: Json = { publish_id: Number(job.publishId), publish_status: status, fail_idx: status === 4 ? job.failIdx : [] };
    if (status === 0 && article) {
      out.article_id = article.articleId;
      out.article_detail = { count: article.items.length, item: article.items.map((it, i) => ({ idx: i + 1, article_url: it.url })) };
    }
    return { json: out };
  }

  function publishBatchget(req: FakeRequest, appId: string): FakeReply {
    const p = paging(body(req));
    if ('error' in p) return p.error;
    const { offset, count, noContent } = p;
    const mine = articles.filter((a) => a.appId === appId).reverse();
    const page = mine.slice(offset, offset + count);
    return {
      json: {
        total_count: mine.length,
        item_count: page.length,
        item: page.map((a) => ({
          article_id: a.articleId,
          content: { news_item: a.items.map(({ isDeleted, url, ...it }) => newsItem(it, { url, is_deleted: isDeleted }, noContent)) },
          update_time: Math.floor(a.publishedAt.getTime() / 1000),
        })),
      },
    };
  }

  function getArticle(req: FakeRequest, appId: string): FakeReply {
    const b = body(req);
    if (!b) return err(47001, 'data format error');
    const a = articles.find((x) => x.articleId === b.article_id && x.appId === appId);
    if (!a) return err(53600, 'Article ID 无效');
    return { json: { news_item: a.items.map(({ isDeleted, url, ...it }) => newsItem(it, { url, is_deleted: isDeleted }, false)) } };
  }

  function publishDelete(req: FakeRequest, appId: string): FakeReply {
    const b = body(req);
    if (!b) return err(47001, 'data format error');
    if (typeof b.article_id !== 'string' || !b.article_id) return err(40035, 'invalid args');
    if (b.index !== undefined && (typeof b.index !== 'number' || !Number.isInteger(b.index) || b.index < 0)) return err(40060, 'invalid article_idx');
    const a = articles.find((x) => x.articleId === b.article_id && x.appId === appId);
    // Assumed: an id that is unknown, or whose articles are all deleted already, gets 53600.
    if (!a || a.items.every((it) => it.isDeleted)) return err(53600, 'Article ID 无效');
    const index = (b.index as number | undefined) ?? 0;
    if (index > a.items.length) return err(40060, 'invalid article_idx');
    a.items.forEach((it, i) => {
      if (index === 0 || index === i + 1) it.isDeleted = true;
    });
    return { json: { errcode: 0, errmsg: 'ok' } };
  }

  function articleTotalDetail(req: FakeRequest, appId: string): FakeReply {
    const b = body(req);
    if (!b) return err(47001, 'data format error');
    const { begin_date, end_date } = b;
    const dateRe = /^\d{4}-\d{2}-\d{2}$/;
    if (typeof begin_date !== 'string' || typeof end_date !== 'string' || !dateRe.test(begin_date) || !dateRe.test(end_date)) {
      return err(61500, 'date format error');
    }
    const yesterday = beijingDate(now() - DAY_MS);
    // end_date may be yesterday at the latest, and one request covers one publishing day.
    if (end_date > yesterday || begin_date !== end_date) return err(61501, 'date range error');
    const list = articles
      .filter((a) => a.appId === appId && beijingDate(a.publishedAt.getTime()) === begin_date)
      .flatMap((a) =>
        a.items.map((it, i) => ({
          ref_date: begin_date,
          msgid: `${a.msgDataId}_${i + 1}`,
          title: it.title,
          publish_type: 1,
          content_url: it.url,
          detail_list: [...a.figures.entries()]
            .filter(([statDate]) => statDate <= yesterday)
            .sort(([x], [y]) => x.localeCompare(y))
            .map(([statDate, f]) => ({ stat_date: statDate, ...f })),
        })),
      );
    return { json: { list, is_delay: false } };
  }

  const routes: Record<string, FakeRoute> = {
    'GET /cgi-bin/stable_token': () => err(43002, 'require POST method'),
    'POST /cgi-bin/stable_token': stableToken,
  };
  api(routes, '/cgi-bin/material/add_material', addMaterial);
  api(routes, '/cgi-bin/media/uploadimg', uploadImg);
  api(routes, '/cgi-bin/draft/add', draftAdd);
  api(routes, '/cgi-bin/draft/get', draftGet);
  api(routes, '/cgi-bin/draft/batchget', draftBatchget);
  api(routes, '/cgi-bin/freepublish/submit', submit, { verifiedOnly: true });
  api(routes, '/cgi-bin/freepublish/get', publishGet, { verifiedOnly: true });
  api(routes, '/cgi-bin/freepublish/batchget', publishBatchget, { verifiedOnly: true });
  api(routes, '/cgi-bin/freepublish/getarticle', getArticle, { verifiedOnly: true });
  api(routes, '/cgi-bin/freepublish/delete', publishDelete, { verifiedOnly: true });
  api(routes, '/datacube/getarticletotaldetail', articleTotalDetail);

  const base = await startFakePlatform(routes);

  const controls = {
    registerApp(app: { appId: string; secret: string; verified?: boolean }) {
      apps.set(app.appId, {
        appId: app.appId,
        secret: app.secret,
        verified: app.verified ?? true,
        ipOk: true,
        current: null,
        lastForce: 0,
        forceDay: '',
        forceCount: 0,
      });
    },
    currentToken(appId: string) {
      const app = apps.get(appId);
      const t = app?.current ? tokens.get(app.current) : undefined;
      if (!app?.current || !t || t.revoked || t.expiresAt <= now()) return null;
      return { value: app.current, expiresAt: new Date(t.expiresAt) };
    },
    expireTokens(appId: string) {
      for (const t of tokens.values()) if (t.appId === appId) t.expiresAt = Math.min(t.expiresAt, now() - 1000);
    },
    invalidateTokens(appId: string) {
      for (const t of tokens.values()) if (t.appId === appId) t.revoked = true;
    },
    revokeAccess(appId: string) {
      controls.invalidateTokens(appId);
      const app = apps.get(appId);
      if (app) app.secret = `reset-${randomBytes(16).toString('hex')}`;
    },
    setIpWhitelisted(appId: string, whitelisted: boolean) {
      const app = apps.get(appId);
      if (app) app.ipOk = whitelisted;
    },
    rejectWord(word: string) {
      bannedWords.push(word);
    },
    rateLimitAfter(after: number, o: { errcode?: 45009 | 45011; path?: string } = {}) {
      state.rate = { left: after, errcode: o.errcode ?? 45011, path: o.path };
    },
    clearRateLimit() {
      state.rate = null;
    },
    holdPublishing(hold: boolean) {
      state.hold = hold;
    },
    finishPublishing(publishId?: string) {
      for (const j of jobs) if (!publishId || j.publishId === publishId) settle(j);
    },
    loseResponseAfterAccept(path: string, n = 1) {
      lost.push({ path, left: n });
    },
    setFigures(articleId: string, f: Partial<WechatFigures>) {
      const a = articles.find((x) => x.articleId === articleId);
      if (!a) throw new Error(`no article ${articleId}`);
      // The figures belong to the latest day datacube has: yesterday, within 30 days of publishing.
      const ref = beijingDate(a.publishedAt.getTime());
      const last = beijingDate(dayMs(ref) + (STATS_WINDOW_DAYS - 1) * DAY_MS);
      const yesterday = beijingDate(now() - DAY_MS);
      const statDate = yesterday < last ? yesterday : last;
      if (statDate < ref) throw new Error('datacube has no day for an article published today');
      const latest = [...a.figures.entries()].sort(([x], [y]) => x.localeCompare(y)).at(-1)?.[1] ?? ZERO_FIGURES;
      a.figures.set(statDate, { ...latest, ...f });
    },
    deleteDraft(mediaId: string) {
      const i = drafts.findIndex((d) => d.mediaId === mediaId);
      if (i >= 0) drafts.splice(i, 1);
    },
  };

  return Object.defineProperties(Object.assign(base, controls), {
    materials: { get: () => materials as readonly WechatMaterial[] },
    drafts: { get: () => drafts as readonly WechatDraft[] },
    draftsCreated: { get: () => state.draftsCreated },
    publishJobs: { get: () => jobs as readonly WechatPublishJob[] },
    articles: { get: () => articles as readonly WechatArticle[] },
    contentImages: { get: () => contentImages as readonly { appId: string; url: string; bytes: number }[] },
  }) as WechatFake;
}
