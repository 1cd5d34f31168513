import {
  ChannelError,
  type ArticlePost,
  type ChannelAdapter,
  type ChannelCredentials,
  type Checkpoint,
  type MetricsSample,
  type PublishedRef,
  type PublishInput,
  type PublishResult,
} from './channel.js';
import { callPlatform, fileBlob, type AdapterOptions, type ChannelRequest } from './http.js';

/**
 * WeChat Official Account (微信公众号): a video goes out as a one-article post. The video and the
 * cover become permanent materials, the article becomes a draft, and freepublish submits it;
 * WeChat decides asynchronously, so publish returns `pending` and checkStatus polls. Figures
 * come from datacube, one day behind. Step by step, endpoints and assumptions:
 * docs/channels/wechat.md.
 */

/** The production API root, for config. */
export const WECHAT_API_BASE_URL = 'https://api.weixin.qq.com';

/** add_material: video 10 MB (MP4), image 10 MB. */
export const WECHAT_VIDEO_MAX_BYTES = 10 * 1024 * 1024;
const IMAGE_MAX_BYTES = 10 * 1024 * 1024;
/** draft_add limits, in characters: title 32, author 16, digest 128; content under 20,000 and 1 MB; source URL 1 KB. */
export const WECHAT_TEXT_LIMITS = { title: 32, author: 16, digest: 128 } as const;
const CONTENT_MAX_CHARS = 20_000;
const SOURCE_URL_MAX_BYTES = 1024;

/** Any of these on a call means the token is dead: fetch a fresh one once, then give up. */
const TOKEN_ERRORS = new Set([40001, 40014, 41001, 42001]);
/** Failures only an admin can fix (credentials, whitelist, account status): the desk shows a reconnect prompt. */
const ADMIN_FIXES: Record<number, string> = {
  40001: 'the AppSecret is wrong or the access_token was replaced; check the AppSecret in the admin page',
  40013: 'the AppID is not valid',
  40125: 'the AppSecret is not valid (it may have been reset in the MP backend); enter the current AppSecret',
  40164: "this server's IP is not on the account's API IP whitelist; add it in the MP backend (设置与开发 → 基本配置)",
  40243: 'the AppSecret is frozen in the MP backend; unfreeze it',
  41002: 'no AppID is configured',
  41004: 'no AppSecret is configured',
  48001: 'the account is not authorized for this API (freepublish needs a verified account)',
  50002: 'the account is restricted',
  50007: 'the account is frozen',
  89503: 'this IP needs the account admin to confirm API access',
  89506: 'the account admin refused this IP; try again in 24 hours after talking to the admin',
  89507: 'the account admin refused this IP; try again in 1 hour after talking to the admin',
};
/** freepublish/get publish_status for failures, with the platform's own words. */
const PUBLISH_FAILURES: Record<number, string> = {
  2: '原创失败 (original-content declaration failed)',
  3: '常规失败 (general failure)',
  4: '平台审核不通过 (rejected by platform review)',
  5: '成功后用户删除所有文章 (deleted in the MP backend after publishing)',
  6: '成功后系统封禁所有文章 (blocked by the platform after publishing)',
};

/** A submit whose outcome is unknown gets this long to show up before the draft box is consulted. */
const SUBMIT_SETTLE_MS = 5 * 60_000;
/** A draft that left the box was submitted; its post gets this long to appear before the publish counts as failed. */
const SUBMITTED_GIVE_UP_MS = 24 * 3_600_000;
/** freepublish/batchget pages (20 each) searched for a post whose submit reply was lost. */
const LOOKUP_PAGES = 10;
const TOKEN_MIN_LEFT_MS = 60_000;
const DAY_MS = 86_400_000;
const BEIJING_OFFSET_MS = 8 * 3_600_000;

type Json = Record<string, unknown>;
interface Session {
  creds: ChannelCredentials;
  token: string | null;
  /** Set once a call was refused for its token, so the stored one is not used again. */
  renewed: boolean;
}
interface Article {
  title: string;
  author: string;
  digest: string;
  content: string;
  sourceUrl: string;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const num = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() ? Number(v) : NaN);
const beijingDate = (ms: number) => new Date(ms + BEIJING_OFFSET_MS).toISOString().slice(0, 10);

/** Cuts to `max` characters (code points, as WeChat counts a Chinese character as one). */
function fit(text: string, max: number): string {
  const cps = [...text.replace(/\s+/g, ' ').trim()];
  return cps.length <= max ? cps.join('') : `${cps.slice(0, max - 1).join('')}…`;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** media/uploadimg: "图片仅支持jpg/png格式，大小必须在1MB以下". */
const CONTENT_IMAGE_MAX_BYTES = 1024 * 1024;

/**
 * A kitchen story's article body: the cover (uploaded with media/uploadimg, the only image host
 * WeChat shows inside content), the sanitised body without its own images (WeChat filters
 * images from outside hosts), and a link to each embedded video with its contributor's credit.
 */
export function composeStoryArticleContent(article: Pick<ArticlePost, 'bodyHtml' | 'videos' | 'sourceUrl'>, coverUrl: string): string {
  const body = article.bodyHtml.replace(/<img\b[^>]*>/gi, '').replace(/<figure>\s*(?:<figcaption>[\s\S]*?<\/figcaption>)?\s*<\/figure>/gi, '');
  const videos = article.videos.map(
    (v) => `<p>▶ 观看视频：<a href="${escapeHtml(v.url)}">${escapeHtml(v.title)}</a>${v.credit ? `（拍客：${escapeHtml(v.credit)}）` : ''}</p>`,
  );
  return [coverUrl ? `<p><img src="${escapeHtml(coverUrl)}" /></p>` : '', body, ...videos, '<p>点击“阅读原文”阅读全文。</p>'].join('');
}

/** The article for one video, within WeChat's limits whatever the package allowed. */
function composeArticle(input: PublishInput, creds: ChannelCredentials): Article {
  const sourceUrl = input.pageUrl;
  if (Buffer.byteLength(sourceUrl) > SOURCE_URL_MAX_BYTES || !/^https?:\/\//i.test(sourceUrl)) {
    throw new ChannelError('content_rejected', 'WeChat: the video page URL must be an http(s) URL of at most 1 KB (阅读原文)');
  }
  const title = fit(input.headline, WECHAT_TEXT_LIMITS.title);
  const author = fit(input.credit || creds.extra?.author || '', WECHAT_TEXT_LIMITS.author);
  const digest = fit(input.summary, WECHAT_TEXT_LIMITS.digest);
  // The draft API has no documented way to embed a video material in `content`, and WeChat filters
  // outside links and images; the video page is linked as 阅读原文 (content_source_url) and in text.
  const tags = input.tags.filter(Boolean).map((t) => `#${escapeHtml(t)}`);
  const parts = [
    `<p>${escapeHtml(input.summary)}</p>`,
    `<p>▶ 观看视频：<a href="${escapeHtml(sourceUrl)}">${escapeHtml(input.headline)}</a></p>`,
    `<p>点击“阅读原文”观看完整视频。</p>`,
    input.credit ? `<p>拍客：${escapeHtml(input.credit)}</p>` : '',
    tags.length ? `<p>${tags.join(' ')}</p>` : '',
  ];
  const content = parts.join('');
  if ([...content].length >= CONTENT_MAX_CHARS) throw new ChannelError('content_rejected', 'WeChat: the article body must stay under 20,000 characters');
  return { title, author, digest, content, sourceUrl };
}

/** Seconds to the next 00:00 in Beijing, when WeChat's daily API quota resets. */
function secondsToBeijingMidnight(now: Date): number {
  const local = now.getTime() + BEIJING_OFFSET_MS;
  return Math.max(1, Math.ceil((Math.floor(local / DAY_MS + 1) * DAY_MS - local) / 1000));
}

export function createWechatAdapter(opts: AdapterOptions): ChannelAdapter {
  const now = () => (opts.now ? opts.now() : new Date());

  /** Error text for the desk: the platform's code and message, never a token or the secret. */
  function redact(text: string, session?: Session): string {
    let out = text;
    for (const s of [session?.token, session?.creds.accessToken, session?.creds.appSecret]) {
      if (s && s.length >= 6) out = out.split(s).join('***');
    }
    return out;
  }

  /** Classifies a refused call by its errcode (the table in docs/channels/wechat.md). */
  function classify(path: string, body: Json, status: number, session?: Session): ChannelError {
    const code = num(body.errcode);
    const errmsg = str(body.errmsg);
    const msg = redact(Number.isFinite(code) ? `WeChat ${path}: errcode ${code} ${errmsg}`.trim() : `WeChat ${path}: HTTP ${status}`, session);
    const details = { platformCode: Number.isFinite(code) ? code : status };
    if (code === -1) return new ChannelError('transient', `${msg} (system busy)`, details);
    // "retry next minute": the minute quota.
    if (code === 45011) return new ChannelError('rate_limited', msg, { ...details, retryAfterSeconds: 60 });
    // The daily quota resets at midnight Beijing time.
    if (code === 45009) return new ChannelError('rate_limited', msg, { ...details, retryAfterSeconds: secondsToBeijingMidnight(now()) });
    if (code === 53501) return new ChannelError('rate_limited', msg, details);
    // From stable_token itself a 40001 means the AppSecret is wrong, not the token.
    if (TOKEN_ERRORS.has(code) && path !== '/cgi-bin/stable_token') {
      return new ChannelError('auth_expired', `${msg}: a freshly issued access_token was refused; reconnect the account`, details);
    }
    const fix = ADMIN_FIXES[code];
    if (fix) return new ChannelError('auth_expired', `${msg}: ${fix}`, details);
    return new ChannelError('content_rejected', msg, details);
  }

  async function fetchToken(creds: ChannelCredentials): Promise<{ token: string; expiresAt: Date }> {
    if (!creds.appId || !creds.appSecret) throw new ChannelError('auth_expired', 'WeChat: AppID and AppSecret must be entered on the admin page');
    // stable_token in normal mode: the same token while it has over 5 minutes left, so several
    // workers asking at once never invalidate each other's token (force_refresh would).
    const res = await callPlatform(opts, {
      method: 'POST',
      path: '/cgi-bin/stable_token',
      json: { grant_type: 'client_credential', appid: creds.appId, secret: creds.appSecret, force_refresh: false },
    });
    const code = num(res.body.errcode);
    const token = str(res.body.access_token);
    const expiresIn = num(res.body.expires_in);
    if ((Number.isFinite(code) && code !== 0) || !token || !(expiresIn > 0)) {
      throw classify('/cgi-bin/stable_token', res.body, res.status, { creds, token: null, renewed: false });
    }
    return { token, expiresAt: new Date(now().getTime() + expiresIn * 1000) };
  }

  async function token(session: Session): Promise<string> {
    if (session.token) return session.token;
    const { accessToken, accessTokenExpiresAt } = session.creds;
    if (!session.renewed && accessToken && accessTokenExpiresAt && Date.parse(accessTokenExpiresAt) - now().getTime() > TOKEN_MIN_LEFT_MS) {
      session.token = accessToken;
    } else {
      session.token = (await fetchToken(session.creds)).token;
    }
    return session.token;
  }

  /**
   * One API call with the session's token. A token error gets one fresh token and one retry.
   * `accept` lists errcodes the caller handles itself (their body is returned).
   */
  async function api(session: Session, build: () => ChannelRequest | Promise<ChannelRequest>, accept: number[] = []): Promise<Json> {
    for (let attempt = 0; ; attempt++) {
      const access = await token(session);
      const req = await build();
      const res = await callPlatform(opts, { method: 'POST', ...req, query: { ...req.query, access_token: access } });
      const code = num(res.body.errcode);
      if (res.status < 400 && (!Number.isFinite(code) || code === 0)) return res.body;
      if (accept.includes(code)) return res.body;
      if (TOKEN_ERRORS.has(code) && attempt === 0) {
        session.token = null;
        session.renewed = true;
        continue;
      }
      throw classify(req.path, res.body, res.status, session);
    }
  }

  const mustId = (body: Json, key: string, path: string): string => {
    const v = str(body[key]);
    if (!v) throw new ChannelError('transient', `WeChat ${path}: the reply has no ${key}`);
    return v;
  };

  async function uploadMaterial(session: Session, args: { type: 'video' | 'image'; path: string; mime: string; filename: string; description?: Json }) {
    const body = await api(session, async () => {
      const form = new FormData();
      form.append('media', await fileBlob(args.path, args.mime), args.filename);
      if (args.description) form.append('description', JSON.stringify(args.description));
      return { path: '/cgi-bin/material/add_material', query: { type: args.type }, form, upload: true };
    });
    return mustId(body, 'media_id', '/cgi-bin/material/add_material');
  }

  /** Finds the published post of this checkpoint: by the cover media id recorded before creating, or by link and title. */
  async function findPublished(session: Session, state: Checkpoint['state']): Promise<{ articleId: string; url: string } | null> {
    const thumb = str(state.thumbMediaId);
    const matchUrl = str(state.matchUrl);
    const matchTitle = str(state.matchTitle);
    for (let page = 0; page < LOOKUP_PAGES; page++) {
      const body = await api(session, () => ({ path: '/cgi-bin/freepublish/batchget', json: { offset: page * 20, count: 20, no_content: 1 } }));
      const items = Array.isArray(body.item) ? (body.item as Json[]) : [];
      for (const item of items) {
        const news = ((item.content as Json | undefined)?.news_item ?? []) as Json[];
        const first = news[0];
        if (!first || first.is_deleted === true) continue;
        const byMedia = thumb && str(first.thumb_media_id) === thumb;
        const byText = matchUrl && str(first.content_source_url) === matchUrl && str(first.title) === matchTitle;
        if (byMedia || byText) return { articleId: mustId(item, 'article_id', '/cgi-bin/freepublish/batchget'), url: str(first.url) };
      }
      if (items.length < 20) break;
    }
    return null;
  }

  /** A draft of ours left in the draft box by a draft/add whose reply was lost. */
  async function findDraft(session: Session, state: Checkpoint['state']): Promise<string | null> {
    const thumb = str(state.thumbMediaId);
    const matchUrl = str(state.matchUrl);
    for (let page = 0; page < LOOKUP_PAGES; page++) {
      const body = await api(session, () => ({ path: '/cgi-bin/draft/batchget', json: { offset: page * 20, count: 20, no_content: 1 } }));
      const items = Array.isArray(body.item) ? (body.item as Json[]) : [];
      for (const item of items) {
        const first = (((item.content as Json | undefined)?.news_item ?? []) as Json[])[0];
        if (first && str(first.thumb_media_id) === thumb && str(first.content_source_url) === matchUrl) return str(item.media_id) || null;
      }
      if (items.length < 20) break;
    }
    return null;
  }

  async function submit(session: Session, checkpoint: Checkpoint, draftMediaId: string): Promise<PublishResult> {
    // Recorded before the call: if the reply is lost, the retry looks the post up instead of submitting again.
    await checkpoint.save({ creating: 1, creatingAt: now().getTime() });
    const body = await api(session, () => ({ path: '/cgi-bin/freepublish/submit', json: { media_id: draftMediaId } }), [40007]);
    // 40007: the draft is no longer in the draft box — consumed by a submit whose reply we never saw, or deleted.
    if (num(body.errcode) === 40007) return resolveCreating(session, checkpoint);
    const publishId = mustId(body, 'publish_id', '/cgi-bin/freepublish/submit');
    await checkpoint.save({ publishId, msgDataId: str(body.msg_data_id), creating: 0 });
    // errcode 0 only means "submitted"; WeChat checks and publishes in the background.
    return { kind: 'pending', pollAfterSeconds: 10 };
  }

  /**
   * After a submit with an unknown outcome: find the post, or wait. Only a draft still in the
   * draft box after the settle window proves the submit never landed, and only then is it
   * submitted again; a draft that left the box was submitted, so it is never submitted twice.
   */
  async function resolveCreating(session: Session, checkpoint: Checkpoint): Promise<PublishResult> {
    const found = await findPublished(session, checkpoint.state);
    if (found) return live(checkpoint, found.articleId, found.url);
    const draftMediaId = str(checkpoint.state.draftMediaId);
    const age = now().getTime() - num(checkpoint.state.creatingAt);
    if (!(age >= SUBMIT_SETTLE_MS)) return { kind: 'pending', pollAfterSeconds: 30 };
    const draft = draftMediaId ? await api(session, () => ({ path: '/cgi-bin/draft/get', json: { media_id: draftMediaId } }), [40007]) : null;
    if (draft && num(draft.errcode) !== 40007) return submit(session, checkpoint, draftMediaId);
    if (age < SUBMITTED_GIVE_UP_MS) return { kind: 'pending', pollAfterSeconds: 60 };
    // A day on and still no post: the publish failed (or the draft was deleted by hand). A retry starts a new draft.
    await checkpoint.save({ creating: 0, draftMediaId: '', drafting: 0 });
    throw new ChannelError(
      'content_rejected',
      'WeChat: the draft was submitted but no published article appeared within a day; check 发表记录 in the MP backend before retrying',
    );
  }

  async function live(checkpoint: Checkpoint, articleId: string, url: string): Promise<PublishResult> {
    await checkpoint.save({ articleId, articleUrl: url, creating: 0 });
    return { kind: 'live', externalId: articleId, url: url || null };
  }

  async function poll(session: Session, checkpoint: Checkpoint): Promise<PublishResult> {
    const publishId = str(checkpoint.state.publishId);
    const body = await api(session, () => ({ path: '/cgi-bin/freepublish/get', json: { publish_id: publishId } }));
    const status = num(body.publish_status);
    if (status === 0) {
      const items = (((body.article_detail as Json | undefined)?.item ?? []) as Json[]).slice().sort((a, b) => num(a.idx) - num(b.idx));
      return live(checkpoint, mustId(body, 'article_id', '/cgi-bin/freepublish/get'), str(items[0]?.article_url));
    }
    if (status === 1) return { kind: 'pending', pollAfterSeconds: 30 };
    const reason = PUBLISH_FAILURES[status];
    if (!reason) throw new ChannelError('transient', `WeChat /cgi-bin/freepublish/get: unknown publish_status ${str(body.publish_status)}`);
    const failIdx = Array.isArray(body.fail_idx) && body.fail_idx.length ? ` (failed article ${body.fail_idx.join(', ')})` : '';
    // The submitted draft is spent: a retry (after the editor's fix) builds a new one, keeping the uploaded media.
    await checkpoint.save({ publishId: '', msgDataId: '', draftMediaId: '', drafting: 0, creating: 0 });
    throw new ChannelError('content_rejected', `WeChat did not publish: ${reason}, publish_status ${status}${failIdx}`, {
      platformCode: `publish_status_${status}`,
    });
  }

  return {
    channel: 'wechat',
    // datacube reports whole days (yesterday at the latest): more than a few pulls a day add nothing.
    metricsIntervalMinutes: 360,

    async refreshCredentials(creds) {
      const { token: accessToken, expiresAt } = await fetchToken(creds);
      return { ...creds, accessToken, accessTokenExpiresAt: expiresAt.toISOString() };
    },

    async publish(input, creds, checkpoint) {
      const session: Session = { creds, token: null, renewed: false };
      const s = () => checkpoint.state;
      if (str(s().articleId)) return { kind: 'live', externalId: str(s().articleId), url: str(s().articleUrl) || null };
      if (str(s().publishId)) return poll(session, checkpoint);
      if (num(s().creating) === 1) return resolveCreating(session, checkpoint);

      const article = composeArticle(input, creds);

      if (!str(s().videoMediaId)) {
        const video = await input.video({ maxBytes: WECHAT_VIDEO_MAX_BYTES });
        if (video.bytes > WECHAT_VIDEO_MAX_BYTES) {
          throw new ChannelError('content_rejected', `WeChat takes videos of at most 10 MB; the rendition has ${video.bytes} bytes`);
        }
        if (video.mime !== 'video/mp4') throw new ChannelError('content_rejected', `WeChat takes MP4 videos only; got ${video.mime}`);
        const videoMediaId = await uploadMaterial(session, {
          type: 'video',
          path: video.path,
          mime: 'video/mp4',
          filename: `${input.publicationId}.mp4`,
          description: { title: article.title, introduction: article.digest },
        });
        await checkpoint.save({ videoMediaId });
      }

      if (!str(s().thumbMediaId)) {
        const cover = await input.cover();
        if (!cover) throw new ChannelError('content_rejected', 'WeChat articles need a cover image; the package has none');
        if (cover.bytes > IMAGE_MAX_BYTES)
          throw new ChannelError('content_rejected', `WeChat cover images are at most 10 MB; this one has ${cover.bytes} bytes`);
        const ext = cover.mime === 'image/png' ? 'png' : 'jpg';
        // A permanent image material (10 MB) rather than a thumb (64 KB): posters are larger than 64 KB.
        const thumbMediaId = await uploadMaterial(session, {
          type: 'image',
          path: cover.path,
          mime: cover.mime,
          filename: `${input.publicationId}-cover.${ext}`,
        });
        await checkpoint.save({ thumbMediaId });
      }

      let draftMediaId = str(s().draftMediaId);
      if (!draftMediaId && num(s().drafting) === 1) draftMediaId = (await findDraft(session, s())) ?? '';
      if (!draftMediaId) {
        await checkpoint.save({ drafting: 1, matchUrl: article.sourceUrl, matchTitle: article.title });
        const body = await api(
          session,
          () => ({
            path: '/cgi-bin/draft/add',
            json: {
              articles: [
                {
                  article_type: 'news',
                  title: article.title,
                  author: article.author,
                  digest: article.digest,
                  content: article.content,
                  content_source_url: article.sourceUrl,
                  thumb_media_id: str(s().thumbMediaId),
                  need_open_comment: 1,
                  only_fans_can_comment: 0,
                },
              ],
            },
          }),
          [40007],
        );
        if (num(body.errcode) === 40007) {
          // The cover material is gone (deleted in the MP backend): upload it again on the retry.
          await checkpoint.save({ thumbMediaId: '', drafting: 0 });
          throw new ChannelError(
            'transient',
            'WeChat /cgi-bin/draft/add: errcode 40007 invalid media_id (the cover material was deleted); it is uploaded again on retry',
            {
              platformCode: 40007,
            },
          );
        }
        draftMediaId = mustId(body, 'media_id', '/cgi-bin/draft/add');
      }
      await checkpoint.save({ draftMediaId, drafting: 0 });
      return submit(session, checkpoint, draftMediaId);
    },

    async publishArticle(post, creds, checkpoint) {
      const session: Session = { creds, token: null, renewed: false };
      const s = () => checkpoint.state;
      if (str(s().articleId)) return { kind: 'live', externalId: str(s().articleId), url: str(s().articleUrl) || null };
      if (str(s().publishId)) return poll(session, checkpoint);
      if (num(s().creating) === 1) return resolveCreating(session, checkpoint);
      const sourceUrl = post.sourceUrl;
      if (Buffer.byteLength(sourceUrl) > SOURCE_URL_MAX_BYTES || !/^https?:\/\//i.test(sourceUrl)) {
        throw new ChannelError('content_rejected', 'WeChat: the story page URL must be an http(s) URL of at most 1 KB (阅读原文)');
      }
      const title = fit(post.title, WECHAT_TEXT_LIMITS.title);
      const author = fit(post.author || creds.extra?.author || '', WECHAT_TEXT_LIMITS.author);
      const digest = fit(post.digest, WECHAT_TEXT_LIMITS.digest);

      if (!str(s().thumbMediaId) || !str(s().coverUrl)) {
        const cover = await post.cover();
        if (!cover) throw new ChannelError('content_rejected', 'WeChat articles need a cover image; the story has no image or video poster');
        if (cover.mime !== 'image/jpeg' && cover.mime !== 'image/png')
          throw new ChannelError('content_rejected', `WeChat covers are JPEG or PNG; got ${cover.mime}`);
        if (cover.bytes > CONTENT_IMAGE_MAX_BYTES)
          throw new ChannelError('content_rejected', `WeChat images inside an article are at most 1 MB; the cover has ${cover.bytes} bytes`);
        const ext = cover.mime === 'image/png' ? 'png' : 'jpg';
        if (!str(s().thumbMediaId)) {
          const thumbMediaId = await uploadMaterial(session, {
            type: 'image',
            path: cover.path,
            mime: cover.mime,
            filename: `${post.idempotencyKey}-cover.${ext}`,
          });
          await checkpoint.save({ thumbMediaId });
        }
        // The same picture inside the content: media/uploadimg gives the URL WeChat shows there.
        const uploaded = await api(session, async () => {
          const form = new FormData();
          form.append('media', await fileBlob(cover.path, cover.mime), `${post.idempotencyKey}-content.${ext}`);
          return { path: '/cgi-bin/media/uploadimg', form, upload: true };
        });
        await checkpoint.save({ coverUrl: mustId(uploaded, 'url', '/cgi-bin/media/uploadimg') });
      }
      const content = composeStoryArticleContent(post, str(s().coverUrl));
      if ([...content].length >= CONTENT_MAX_CHARS) throw new ChannelError('content_rejected', 'WeChat: the article body must stay under 20,000 characters');

      let draftMediaId = str(s().draftMediaId);
      if (!draftMediaId && num(s().drafting) === 1) draftMediaId = (await findDraft(session, s())) ?? '';
      if (!draftMediaId) {
        await checkpoint.save({ drafting: 1, matchUrl: sourceUrl, matchTitle: title });
        const body = await api(
          session,
          () => ({
            path: '/cgi-bin/draft/add',
            json: {
              articles: [
                {
                  article_type: 'news',
                  title,
                  author,
                  digest,
                  content,
                  content_source_url: sourceUrl,
                  thumb_media_id: str(s().thumbMediaId),
                  need_open_comment: 1,
                  only_fans_can_comment: 0,
                },
              ],
            },
          }),
          [40007],
        );
        if (num(body.errcode) === 40007) {
          await checkpoint.save({ thumbMediaId: '', coverUrl: '', drafting: 0 });
          throw new ChannelError(
            'transient',
            'WeChat /cgi-bin/draft/add: errcode 40007 invalid media_id (the cover material was deleted); it is uploaded again on retry',
            {
              platformCode: 40007,
            },
          );
        }
        draftMediaId = mustId(body, 'media_id', '/cgi-bin/draft/add');
      }
      await checkpoint.save({ draftMediaId, drafting: 0 });
      return submit(session, checkpoint, draftMediaId);
    },

    async checkStatus(creds, checkpoint) {
      const session: Session = { creds, token: null, renewed: false };
      const s = checkpoint.state;
      if (str(s.articleId)) return { kind: 'live', externalId: str(s.articleId), url: str(s.articleUrl) || null };
      if (str(s.publishId)) return poll(session, checkpoint);
      if (num(s.creating) === 1) return resolveCreating(session, checkpoint);
      throw new ChannelError('transient', 'WeChat: nothing was submitted yet; publish again');
    },

    async update() {
      throw new ChannelError('content_rejected', 'WeChat does not let a published article be edited through the API; unpublish and publish again');
    },

    async unpublish(ref, creds) {
      const session: Session = { creds, token: null, renewed: false };
      // No index: every article of the post goes, and Paike's posts carry exactly one.
      // 53600 (invalid article_id) answers an id that is already deleted: done either way.
      await api(session, () => ({ path: '/cgi-bin/freepublish/delete', json: { article_id: ref.externalId } }), [53600]);
    },

    async fetchMetrics(ref: PublishedRef, creds): Promise<MetricsSample> {
      const empty: MetricsSample = { views: null, likes: null, shares: null, comments: null };
      const state = ref.checkpoint.state;
      const url = ref.url ?? str(state.articleUrl);
      // datacube names an article `<msg_data_id>_<index>`; the permanent link carries the same id as `mid`.
      const mid = str(state.msgDataId) || (URL.canParse(url) ? (new URL(url).searchParams.get('mid') ?? '') : '');
      const published = beijingDate(ref.publishedAt.getTime());
      const yesterday = beijingDate(now().getTime() - DAY_MS);
      if (published > yesterday) return empty;
      const session: Session = { creds, token: null, renewed: false };
      // One publishing day per request, yesterday at the latest. The day before is asked too when the post
      // is not on its day: publishedAt is when Paike saw it live, which can be just after midnight.
      for (const day of [published, beijingDate(Date.parse(`${published}T00:00:00Z`) - DAY_MS)]) {
        const body = await api(session, () => ({ path: '/datacube/getarticletotaldetail', json: { begin_date: day, end_date: day } }));
        const list = Array.isArray(body.list) ? (body.list as Json[]) : [];
        const item = list.find((i) => (mid && str(i.msgid) === `${mid}_1`) || (url && str(i.content_url) === url));
        if (!item) continue;
        const details = Array.isArray(item.detail_list) ? (item.detail_list as Json[]) : [];
        const latest = details
          .slice()
          .sort((a, b) => str(a.stat_date).localeCompare(str(b.stat_date)))
          .at(-1);
        if (!latest) return empty;
        const n = (k: string) => (typeof latest[k] === 'number' ? (latest[k] as number) : null);
        const extra: Record<string, number> = {};
        for (const [k, v] of Object.entries(latest)) {
          if (typeof v === 'number' && !['read_user', 'like_user', 'share_user', 'comment_count'].includes(k)) extra[k] = v;
        }
        // Reported as WeChat gives them, even when lower than before: the metrics service decides.
        return { views: n('read_user'), likes: n('like_user'), shares: n('share_user'), comments: n('comment_count'), extra };
      }
      return empty;
    },
  };
}
