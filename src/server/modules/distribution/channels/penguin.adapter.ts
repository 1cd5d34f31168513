import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import {
  ChannelError,
  type ChannelAdapter,
  type ChannelCredentials,
  type ChannelErrorClass,
  type Checkpoint,
  type MetricsSample,
  type PublishInput,
  type PublishResult,
  type PublishedRef,
} from './channel.js';
import { callPlatform, fileBlob, type AdapterOptions, type ChannelRequest } from './http.js';

/**
 * Penguin (腾讯内容开放平台 / 企鹅号, om.qq.com) as a "third-party service" app: an admin grants
 * Paike access to one 企鹅号 account through OAuth (auth.om.qq.com), then Paike uploads the video
 * in chunks, attaches the cover, publishes a video article and reads its statistics
 * (api.om.qq.com). Every API call carries access_token and openid in the query string, as the
 * platform's documentation and every public client do, even for POSTs. See docs/channels/penguin.md
 * for the endpoints, the error-code table and the assumptions made where the public docs are thin.
 */

/** Production API root; the lead puts it in config. */
export const PENGUIN_API_BASE_URL = 'https://api.om.qq.com';
/** Production OAuth root (a second host); derived from the API root when not given. */
export const PENGUIN_AUTH_BASE_URL = 'https://auth.om.qq.com';

/** Video article title limit (characters, a Chinese character counts as one). */
export const PENGUIN_TITLE_MAX = 30;
/** Video description limit (assumed; see the doc). */
export const PENGUIN_DESC_MAX = 200;
/** Tags per video (space separated on the wire). */
export const PENGUIN_TAGS_MAX = 5;
/** Largest video Paike sends (assumed; the single-request upload documents 100 MB, chunked more). */
export const PENGUIN_VIDEO_MAX_BYTES = 1024 * 1024 * 1024;
/** Chunk size used by the public clients (4 MiB). */
export const PENGUIN_CHUNK_BYTES = 4 * 1024 * 1024;
/** Cover limit documented for /video/authvideopic. */
export const PENGUIN_COVER_MAX_BYTES = 5 * 1024 * 1024;
/** 社会百态 in the platform's video category table: citizen news fits it best. */
export const PENGUIN_DEFAULT_CATEGORY = 1102;

/**
 * The platform's error codes as Paike classifies them. The public pages do not publish the
 * table, so these numbers are Paike's assumption (mirrored by the fake) and the place to fix
 * when the official list is at hand. Codes below zero are system-level and retried.
 */
export const PENGUIN_ERROR_CLASSES: Record<number, ChannelErrorClass> = {
  [-1]: 'transient', // 系统繁忙
  10001: 'content_rejected', // 参数错误 / 缺少参数: retrying the same request cannot help
  10002: 'auth_expired', // client_id 或 client_secret 错误
  10003: 'auth_expired', // 授权码无效或已过期
  10004: 'auth_expired', // access_token 无效
  10005: 'auth_expired', // access_token 已过期
  10006: 'auth_expired', // refresh_token 无效或已过期
  10007: 'auth_expired', // 用户已取消授权
  10008: 'auth_expired', // openid 与 access_token 不匹配
  10009: 'rate_limited', // 接口调用频率超限
  20001: 'content_rejected', // 标题长度不合法
  20002: 'content_rejected', // 简介或标签不合法
  20003: 'content_rejected', // 内容包含敏感词
  20004: 'content_rejected', // 视频大小超过限制
  20005: 'content_rejected', // 分片不合法
  20006: 'transient', // start_offset 与平台已收到的字节数不一致 (handled: resumes from the platform's offset)
  20007: 'transient', // 事务不存在或已过期 (handled: restarts the upload)
  20008: 'transient', // 视频文件校验失败 (handled: restarts the upload next attempt)
  20009: 'content_rejected', // vid 不存在或尚未上传完成
  20010: 'content_rejected', // 封面图片不合法
  20011: 'content_rejected', // 分类不存在
  20012: 'content_rejected', // 文章不存在
};

const CODE = { offsetMismatch: 20006, noTransaction: 20007, checksum: 20008 } as const;

/** Transaction states as the platform spells them. */
const TX_OK = '成功';
const TX_FAILED = '失败';
/** article_pub_flag values; only 发布成功 is seen in public examples, the others are assumed. */
const FLAG_LIVE = '发布成功';
const FLAG_REJECTED = ['审核未通过', '发布失败'];

const POLL_AFTER_SECONDS = 60;
/** How far back the retry looks for a post it may already have made (authlist caps limit at 10). */
const LOOKUP_PAGES = 5;
const LOOKUP_PAGE_SIZE = 10;

export interface PenguinOptions {
  /** OAuth root; by default the API root with `api.` replaced by `auth.`, or the same root (fake). */
  authBaseUrl?: string;
  chunkBytes?: number;
  /** Video category id (`cat`); creds.extra.cat overrides per account. */
  category?: number;
}

type Body = Record<string, unknown>;

interface Session {
  accessToken: string;
  openid: string;
  secrets: string[];
}

export function createPenguinAdapter(opts: AdapterOptions, more: PenguinOptions = {}): ChannelAdapter {
  const now = opts.now ?? (() => new Date());
  const authOpts: AdapterOptions = { ...opts, baseUrl: more.authBaseUrl ?? deriveAuthBase(opts.baseUrl) };
  const chunkBytes = more.chunkBytes ?? PENGUIN_CHUNK_BYTES;

  /** One call, returning the body whatever its result code (for the codes a step handles itself). */
  async function raw(label: string, req: ChannelRequest, target = opts): Promise<Body> {
    const { status, body } = await callPlatform(target, req);
    if (body.code === undefined) throw new ChannelError('transient', `企鹅号 ${label}: HTTP ${status} without a result code`);
    return body;
  }

  async function call(label: string, req: ChannelRequest, secrets: string[], target = opts): Promise<Body> {
    const body = await raw(label, req, target);
    if (Number(body.code) !== 0) throw platformError(label, body, secrets);
    return body;
  }

  /** Calls an API endpoint; the platform wants the token and the account in the query string. */
  function api(label: string, s: Session, req: ChannelRequest): Promise<Body> {
    return call(label, withSession(s, req), s.secrets);
  }

  function tokensToCredentials(creds: ChannelCredentials, data: Body): ChannelCredentials {
    const accessToken = str(data.access_token);
    const expiresIn = Number(data.expires_in);
    if (!accessToken || !Number.isFinite(expiresIn)) throw new ChannelError('transient', '企鹅号 token: the answer has no access_token/expires_in');
    return {
      ...creds,
      accessToken,
      accessTokenExpiresAt: new Date(now().getTime() + expiresIn * 1000).toISOString(),
      refreshToken: str(data.refresh_token) || creds.refreshToken,
      accountId: str(data.openid) || creds.accountId,
    };
  }

  async function lookupByVid(s: Session, vid: string): Promise<Body | null> {
    for (let page = 1; page <= LOOKUP_PAGES; page += 1) {
      const body = await api('authlist', s, { method: 'GET', path: '/article/authlist', query: { page, limit: LOOKUP_PAGE_SIZE } });
      const data = obj(body.data);
      const articles = Array.isArray(data.articles) ? (data.articles as unknown[]).map(obj) : [];
      const hit = articles.find((a) => str(obj(a.article_video_info).vid) === vid);
      if (hit) return hit;
      if (articles.length < LOOKUP_PAGE_SIZE || page * LOOKUP_PAGE_SIZE >= Number(data.total ?? 0)) return null;
    }
    return null;
  }

  /** Turns a found article (from authlist or a transaction's article_info) into a result. */
  async function articleResult(cp: Checkpoint, article: Body): Promise<PublishResult> {
    const flag = str(article.article_pub_flag);
    if (FLAG_REJECTED.some((f) => flag.startsWith(f))) throw new ChannelError('content_rejected', `企鹅号 审核: ${flag}`);
    const articleId = str(article.article_id);
    const url = str(article.article_url) || null;
    if (articleId) await cp.save({ articleId, url: url ?? '' });
    if (flag === FLAG_LIVE && articleId) return { kind: 'live', externalId: articleId, url };
    return { kind: 'pending', pollAfterSeconds: POLL_AFTER_SECONDS };
  }

  /** Asks where the publish transaction (or, without one, the article found by vid) stands. */
  async function settle(s: Session, cp: Checkpoint): Promise<PublishResult> {
    const { publishTxn, vid } = cp.state;
    if (publishTxn) {
      const body = await api('infoauth', s, { method: 'GET', path: '/transaction/infoauth', query: { transaction_id: String(publishTxn) } });
      const data = obj(body.data);
      const status = str(data.transaction_status);
      const article = obj(data.article_info);
      if (status === TX_FAILED) {
        const reason = str(article.article_pub_flag) || str(data.transaction_msg) || TX_FAILED;
        throw new ChannelError('content_rejected', `企鹅号 发布: ${reason}`, { platformCode: status });
      }
      if (status === TX_OK && str(article.article_id)) return articleResult(cp, { ...article, article_pub_flag: article.article_pub_flag || FLAG_LIVE });
      if (status === TX_OK && vid) {
        const found = await lookupByVid(s, String(vid));
        if (found) return articleResult(cp, found);
      }
      return { kind: 'pending', pollAfterSeconds: POLL_AFTER_SECONDS };
    }
    if (vid) {
      const found = await lookupByVid(s, String(vid));
      if (found) return articleResult(cp, found);
    }
    throw new ChannelError('content_rejected', '企鹅号: nothing was submitted for this publication yet');
  }

  /**
   * Chunked upload (authuploadready → authuploadtrunk… → infoauth for the vid). The transaction id,
   * the file's md5 and every acknowledged offset are checkpointed, so a retry sends only the bytes
   * the platform has not confirmed; a retry with a different file (a new rendition) starts over.
   */
  async function upload(s: Session, input: PublishInput, cp: Checkpoint): Promise<string> {
    const video = await input.video({ maxBytes: PENGUIN_VIDEO_MAX_BYTES });
    if (video.bytes > PENGUIN_VIDEO_MAX_BYTES) {
      throw new ChannelError('content_rejected', `企鹅号: the video is ${video.bytes} bytes, over the ${PENGUIN_VIDEO_MAX_BYTES}-byte limit`);
    }
    const { md5, sha1 } = await hashFile(video.path);
    let restarted = false;
    for (;;) {
      let txn = String(cp.state.uploadTxn ?? '');
      let offset = Number(cp.state.uploadedBytes ?? 0);
      if (!txn || cp.state.uploadMd5 !== md5 || Number(cp.state.uploadSize) !== video.bytes) {
        const ready = await api('authuploadready', s, { method: 'POST', path: '/video/authuploadready', query: { size: video.bytes, md5, sha: sha1 } });
        txn = str(obj(ready.data).transaction_id);
        if (!txn) throw new ChannelError('transient', '企鹅号 authuploadready: no transaction_id in the answer');
        offset = 0;
        await cp.save({ uploadTxn: txn, uploadMd5: md5, uploadSize: video.bytes, uploadedBytes: 0 });
      }
      try {
        // Bounded: each round either advances the offset or adopts the platform's, never loops idle.
        for (let rounds = 0; offset < video.bytes; rounds += 1) {
          if (rounds > Math.ceil(video.bytes / chunkBytes) * 2 + 4) throw new ChannelError('transient', '企鹅号 authuploadtrunk: the upload makes no progress');
          const end = Math.min(offset + chunkBytes, video.bytes);
          const form = new FormData();
          form.append('mediatrunk', await fileBlob(video.path, 'application/octet-stream', { start: offset, end }), 'mediatrunk');
          const body = await raw(
            'authuploadtrunk',
            withSession(s, { method: 'POST', path: '/video/authuploadtrunk', query: { transaction_id: txn, start_offset: offset }, form, upload: true }),
          );
          const data = obj(body.data);
          let next: number;
          if (Number(body.code) === CODE.offsetMismatch && Number.isInteger(num(data.start_offset))) {
            // The platform holds more (or less) than the checkpoint says: a chunk it accepted before a
            // crash, or one that was lost. It says where it stands; continue from there.
            next = Number(data.start_offset);
          } else if (Number(body.code) !== 0) {
            throw platformError('authuploadtrunk', body, s.secrets);
          } else {
            next = Number(data.end_offset);
            if (!Number.isInteger(next) || next <= offset) throw new ChannelError('transient', '企鹅号 authuploadtrunk: the answer has no usable end_offset');
          }
          if (next < 0 || next > video.bytes) throw new ChannelError('transient', '企鹅号 authuploadtrunk: the platform reports an offset outside the file');
          offset = next;
          await cp.save({ uploadedBytes: offset });
        }
        const info = await api('infoauth', s, { method: 'GET', path: '/transaction/infoauth', query: { transaction_id: txn } });
        const data = obj(info.data);
        const vid = str(data.vid);
        if (str(data.transaction_status) === TX_FAILED) {
          await cp.save({ uploadTxn: '', uploadedBytes: 0 });
          throw new ChannelError('transient', '企鹅号 视频上传失败; the next attempt uploads again', { platformCode: TX_FAILED });
        }
        if (!vid) throw new ChannelError('transient', '企鹅号: the uploaded video has no vid yet');
        await cp.save({ vid });
        return vid;
      } catch (err) {
        const code = err instanceof ChannelError ? err.details.platformCode : undefined;
        if (code === CODE.noTransaction || code === CODE.checksum) {
          // The platform dropped the transaction (expired, or the bytes did not match): start over.
          await cp.save({ uploadTxn: '', uploadedBytes: 0 });
          if (code === CODE.noTransaction && !restarted) {
            restarted = true;
            continue;
          }
        }
        throw err;
      }
    }
  }

  async function uploadCover(s: Session, input: PublishInput, cp: Checkpoint, vid: string): Promise<void> {
    if (cp.state.coverDone) return;
    const cover = await input.cover();
    if (cover) {
      if (cover.bytes > PENGUIN_COVER_MAX_BYTES) {
        throw new ChannelError('content_rejected', `企鹅号: the cover is ${cover.bytes} bytes, over the 5 MB limit`);
      }
      const { md5 } = await hashFile(cover.path);
      const form = new FormData();
      form.append('media', await fileBlob(cover.path, cover.mime), cover.mime === 'image/png' ? 'cover.png' : 'cover.jpg');
      await api('authvideopic', s, { method: 'POST', path: '/video/authvideopic', query: { md5, vid }, form, upload: true });
    }
    await cp.save({ coverDone: 1 });
  }

  return {
    channel: 'penguin',
    // Article statistics are aggregated by the platform, not live counters: hourly is plenty (assumed).
    metricsIntervalMinutes: 60,

    authorizeUrl(creds, redirectUri, state) {
      const url = new URL(`${authOpts.baseUrl}/omoauth2/authorize`);
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('client_id', creds.appId);
      url.searchParams.set('redirect_uri', redirectUri);
      url.searchParams.set('state', state);
      return url.toString();
    },

    async exchangeCode(creds, code) {
      // The platform's token exchange takes everything in the query string and no redirect_uri.
      const body = await call(
        'accesstoken',
        {
          method: 'POST',
          path: '/omoauth2/accesstoken',
          query: { grant_type: 'authorization_code', client_id: creds.appId, client_secret: creds.appSecret, code },
        },
        [creds.appSecret, code],
        authOpts,
      );
      return tokensToCredentials(creds, obj(body.data));
    },

    async refreshCredentials(creds) {
      if (!creds.refreshToken) throw new ChannelError('auth_expired', '企鹅号: no refresh token; reconnect the account');
      const body = await call(
        'refreshtoken',
        {
          method: 'POST',
          path: '/omoauth2/refreshtoken',
          query: { grant_type: 'refreshtoken', client_id: creds.appId, refresh_token: creds.refreshToken, openid: creds.accountId },
        },
        secretsOf(creds),
        authOpts,
      );
      return tokensToCredentials(creds, obj(body.data));
    },

    async publish(input, creds, cp) {
      const s = session(creds, now());
      if (cp.state.live && cp.state.articleId) {
        return { kind: 'live', externalId: String(cp.state.articleId), url: cp.state.url ? String(cp.state.url) : null };
      }
      if (cp.state.publishTxn) return remember(cp, await settle(s, cp));
      if (cp.state.creating && cp.state.vid) {
        // The last create's outcome is unknown (a crash or a lost answer): the platform may already
        // hold the article. Look it up by the vid recorded before creating; only if it is not there
        // is creating again safe.
        const found = await lookupByVid(s, String(cp.state.vid));
        if (found) return remember(cp, await articleResult(cp, found));
      }
      const vid = cp.state.vid ? String(cp.state.vid) : await upload(s, input, cp);
      await uploadCover(s, input, cp, vid);

      const text = composeText(input);
      const cat = Number(creds.extra?.cat ?? more.category ?? PENGUIN_DEFAULT_CATEGORY);
      await cp.save({ creating: 1 });
      const body = await api('authpubvideo', s, {
        method: 'POST',
        path: '/article/authpubvideo',
        query: { title: text.title, tags: text.tags, cat, desc: text.desc, vid },
      });
      const publishTxn = str(obj(body.data).transaction_id);
      if (!publishTxn) throw new ChannelError('transient', '企鹅号 authpubvideo: no transaction_id in the answer');
      await cp.save({ publishTxn });
      return remember(cp, await settle(s, cp));
    },

    async checkStatus(creds, cp) {
      return remember(cp, await settle(session(creds, now()), cp));
    },

    async update() {
      throw new ChannelError('content_rejected', '企鹅号开放平台没有修改已发布视频文章的接口：请在 om.qq.com 的内容管理里手动修改');
    },

    async unpublish(_ref: PublishedRef) {
      // No public endpoint deletes or withdraws an article; the desk shows this and an editor
      // takes it down by hand. Throwing the same answer every time keeps it idempotent.
      throw new ChannelError('content_rejected', '企鹅号开放平台没有删除或撤回文章的接口：请登录 om.qq.com，在内容管理里手动删除这篇视频文章');
    },

    async fetchMetrics(ref, creds): Promise<MetricsSample> {
      const s = session(creds, now());
      const body = await api('statsauth', s, { method: 'GET', path: '/article/statsauth', query: { article_id: ref.externalId } });
      const data = obj(body.data);
      const extra: Record<string, number> = {};
      for (const key of ['read_count', 'collect_count']) {
        const v = num(data[key]);
        if (v !== null) extra[key] = v;
      }
      return {
        views: num(data.play_count),
        likes: num(data.like_count),
        shares: num(data.share_count),
        comments: num(data.comment_count),
        extra,
      };
    },
  };
}

/** Marks a live result in the checkpoint so a later call answers without asking the platform. */
async function remember(cp: Checkpoint, result: PublishResult): Promise<PublishResult> {
  if (result.kind === 'live') await cp.save({ articleId: result.externalId, url: result.url ?? '', live: 1 });
  return result;
}

function session(creds: ChannelCredentials, now: Date): Session {
  if (!creds.accessToken || !creds.accountId) {
    throw new ChannelError('auth_expired', '企鹅号: the account is not connected (no access token or openid)');
  }
  // The service refreshes before expiry; a token already past it was not refreshable, and the
  // platform would only answer 10005.
  if (creds.accessTokenExpiresAt && Date.parse(creds.accessTokenExpiresAt) <= now.getTime()) {
    throw new ChannelError('auth_expired', '企鹅号: the access token has expired; refresh or reconnect the account');
  }
  return { accessToken: creds.accessToken, openid: creds.accountId, secrets: secretsOf(creds) };
}

function secretsOf(creds: ChannelCredentials): string[] {
  return [creds.accessToken, creds.refreshToken, creds.appSecret].filter((v): v is string => !!v);
}

function withSession(s: Session, req: ChannelRequest): ChannelRequest {
  return { ...req, query: { access_token: s.accessToken, openid: s.openid, ...req.query } };
}

function deriveAuthBase(baseUrl: string): string {
  const url = new URL(baseUrl);
  if (!url.hostname.startsWith('api.')) return baseUrl;
  url.hostname = `auth.${url.hostname.slice(4)}`;
  return url.toString().replace(/\/$/, '');
}

function platformError(label: string, body: Body, secrets: string[]): ChannelError {
  const code = Number(body.code);
  const errorClass = PENGUIN_ERROR_CLASSES[code] ?? (code < 0 ? 'transient' : 'content_rejected');
  let msg = str(body.msg) || 'unknown error';
  // Platforms sometimes echo parameters back; a token must never reach the desk or a log.
  for (const secret of secrets) if (secret.length >= 6) msg = msg.split(secret).join('***');
  return new ChannelError(errorClass, `企鹅号 ${label}: ${msg} (code ${String(body.code)})`, {
    platformCode: Number.isFinite(code) ? code : String(body.code),
  });
}

/** Title ≤ 30 and description ≤ 200 characters (code points), tags space separated, at most 5. */
export function composeText(input: Pick<PublishInput, 'headline' | 'summary' | 'tags' | 'credit'>): { title: string; desc: string; tags: string } {
  const title = clip(input.headline.trim().replace(/\s+/g, ' '), PENGUIN_TITLE_MAX);
  const credit = input.credit.trim() ? `（拍客：${input.credit.trim()}）` : '';
  const summary = input.summary.trim();
  const desc = [...credit].length >= PENGUIN_DESC_MAX ? clip(summary, PENGUIN_DESC_MAX) : clip(summary, PENGUIN_DESC_MAX - [...credit].length) + credit;
  const tags = [...new Set(input.tags.map((t) => t.replace(/[\s#]+/g, '')).filter(Boolean))].slice(0, PENGUIN_TAGS_MAX);
  // The platform requires at least one tag.
  return { title, desc, tags: (tags.length ? tags : ['拍客']).join(' ') };
}

function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

async function hashFile(path: string): Promise<{ md5: string; sha1: string }> {
  const md5 = createHash('md5');
  const sha1 = createHash('sha1');
  for await (const chunk of createReadStream(path)) {
    md5.update(chunk as Buffer);
    sha1.update(chunk as Buffer);
  }
  return { md5: md5.digest('hex'), sha1: sha1.digest('hex') };
}

function obj(v: unknown): Body {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Body) : {};
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

/** The platform writes counts as numbers or numeric strings. */
function num(v: unknown): number | null {
  if (v === null || v === undefined || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}
