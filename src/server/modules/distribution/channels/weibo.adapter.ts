import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import {
  ChannelError,
  REFRESH_MARGIN_SECONDS,
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
 * Weibo (新浪微博) through its open platform: OAuth2 tokens, the chunked video upload service
 * (upload.api.weibo.com/2/proxy/media/*), `statuses/share` for the post, `statuses/count` for the
 * figures and `statuses/destroy` to take a post down. docs/channels/weibo.md has the endpoints,
 * the error table and every assumption made where Weibo's public pages are silent.
 */

export const WEIBO_API_ROOT = 'https://api.weibo.com';
/** Weibo serves uploads from their own host (the Video/api page). */
export const WEIBO_UPLOAD_ROOT = 'https://upload.api.weibo.com';
/** Video/api: "最大1G，时长15分钟". */
export const WEIBO_MAX_VIDEO_BYTES = 1024 * 1024 * 1024;
export const WEIBO_MAX_VIDEO_SECONDS = 15 * 60;
/** statuses/share: "内容不超过140个汉字", counted the Weibo way (weiboLength). */
export const WEIBO_STATUS_LIMIT = 140;
/** Weibo's own prefix for video objects (page_info.object_id "1034:<fid>", video.weibo.com/show?fid=1034:…). */
const VIDEO_OBJECT_PREFIX = '1034:';

export interface WeiboAdapterOptions extends AdapterOptions {
  /** Where the chunked upload lives; defaults to upload.api.weibo.com for the production root, else `baseUrl` (fakes serve both). */
  uploadBaseUrl?: string;
}

type Json = Record<string, unknown>;

// --- Weibo's text rules -------------------------------------------------------------------

const URL_PATTERN = /https?:\/\/[a-zA-Z0-9]+(?:\.[a-zA-Z0-9]+)+[-A-Za-z0-9_$.+!*()/\\,:;@&=?~#%]*/g;

function byteLength(text: string): number {
  let bytes = 0;
  for (const ch of text) bytes += (ch.codePointAt(0) ?? 0) > 0x7f ? 2 : 1;
  return bytes;
}

/**
 * A status's length as Weibo counts it: a Chinese character is one, two half-width characters are
 * one, and a link counts as the 20-byte t.cn link it becomes (weibo.com links up to 41 bytes count
 * as written; links over 140 bytes pay for the excess). This is the rule of Weibo's own web
 * composer (its STK `kit.extra.count`), extended to https links.
 */
export function weiboLength(text: string): number {
  let urlBytes = 0;
  const rest = text.replace(URL_PATTERN, (url) => {
    // t.cn links are already short: Weibo counts them as written.
    if (/^https?:\/\/t\.cn\//.test(url)) return url;
    const bytes = byteLength(url);
    if (/^https?:\/\/(?:weibo\.com|weibo\.cn)/.test(url)) urlBytes += bytes <= 41 ? bytes : bytes <= 140 ? 20 : bytes - 140 + 20;
    else urlBytes += bytes <= 140 ? 20 : bytes - 140 + 20;
    return '';
  });
  return Math.ceil((urlBytes + byteLength(rest)) / 2);
}

const BASE62 = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

function base62(n: number): string {
  if (n === 0) return '0';
  let out = '';
  for (let v = n; v > 0; v = Math.floor(v / 62)) out = BASE62[v % 62] + out;
  return out;
}

/** The base62 "mid" Weibo uses in post URLs (weibo.com/<uid>/<mid>): the decimal id in 7-digit groups from the right, each group 4 base62 digits. */
export function weiboMid(id: string): string {
  let out = '';
  for (let end = id.length; end > 0; end -= 7) {
    const start = Math.max(0, end - 7);
    const group = base62(Number(id.slice(start, end)));
    out = (start > 0 ? group.padStart(4, '0') : group) + out;
  }
  return out;
}

/** '#' pairs make a topic (#话题#), which statuses/share forbids; full-width ＃ too, to be safe. */
function clean(text: string): string {
  return text.replace(/[#＃]/g, '').replace(/\s+/g, ' ').trim();
}

function cutTo(text: string, keep: number): string {
  const chars = [...text];
  return keep >= chars.length ? text : `${chars.slice(0, Math.max(0, keep)).join('')}…`;
}

/**
 * The status text: 【headline】summary 拍客：credit 「tag」… link. Weibo's share API forbids
 * #话题# and requires a link on the app's secure domain, so tags become 「」 labels and the
 * page link always stays. When over 140, tags go first, then the summary is cut, then the
 * credit, then the headline.
 */
export function composeWeiboStatus(input: Pick<PublishInput, 'headline' | 'summary' | 'tags' | 'credit' | 'pageUrl'>): string {
  const url = input.pageUrl.trim();
  let headline = clean(input.headline);
  let summary = clean(input.summary);
  let credit = clean(input.credit);
  const tags = input.tags.map(clean).filter(Boolean);
  const render = () =>
    [`${headline ? `【${headline}】` : ''}${summary}`, credit ? `拍客：${credit}` : '', tags.map((t) => `「${t}」`).join(''), url].filter(Boolean).join(' ');
  const fits = () => weiboLength(render()) <= WEIBO_STATUS_LIMIT;
  while (!fits() && tags.length > 0) tags.pop();
  for (let keep = [...summary].length - 1; !fits() && summary; keep -= 1) summary = keep > 0 ? cutTo(clean(input.summary), keep) : '';
  if (!fits()) credit = '';
  for (let keep = [...headline].length - 1; !fits() && headline; keep -= 1) headline = keep > 0 ? cutTo(clean(input.headline), keep) : '';
  if (!fits()) throw new ChannelError('content_rejected', `Weibo: the page link alone is over ${WEIBO_STATUS_LIMIT} characters`);
  return render();
}

// --- errors -------------------------------------------------------------------------------

const TRANSIENT_CODES = new Set([10001, 10002, 10003, 10009, 10010, 10011]);
/** 20016 is "Out of limit / 发布内容过于频繁": posting too often, so it backs off like the API limits. */
const RATE_CODES = new Set([10022, 10023, 10024, 20016]);
/** Invalid Weibo user, app lacks the API permission: an admin has to act, like a revoked token. */
const ACCOUNT_CODES = new Set([10013, 10014]);
/** share outcomes that may mean the post exists after all: repeat content, and "posted, server slow". */
const LOOKUP_FIRST_CODES = new Set([20017, 20019, 20032]);

/**
 * Weibo's codes are structured (Error_code page): 1xxxx system level, 2xxxx service level, and
 * 21xxx the OAuth2 module. Known codes get their response; unknown ones fall back by level.
 */
export function classifyWeiboCode(code: number): ChannelErrorClass {
  if (RATE_CODES.has(code)) return 'rate_limited';
  if (TRANSIENT_CODES.has(code)) return 'transient';
  if (ACCOUNT_CODES.has(code) || (code >= 21300 && code < 21400)) return 'auth_expired';
  if (code >= 20000) return 'content_rejected';
  // 10008/10016/10017/10018 …: the request as sent is refused; retrying it unchanged cannot help.
  if ([10005, 10006, 10007, 10008, 10012, 10016, 10017, 10018, 10020, 10021].includes(code)) return 'content_rejected';
  return 'transient';
}

function redact(text: string, secrets: (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('[redacted]');
  return out;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);
const int = (v: unknown): number | null => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? Math.trunc(n) : null;
};

async function fileMd5(path: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

// --- the adapter --------------------------------------------------------------------------

export function createWeiboAdapter(opts: WeiboAdapterOptions): ChannelAdapter {
  const now = opts.now ?? (() => new Date());
  const uploadBaseUrl = opts.uploadBaseUrl ?? (opts.baseUrl === WEIBO_API_ROOT ? WEIBO_UPLOAD_ROOT : opts.baseUrl);
  const uploadOpts: AdapterOptions = { ...opts, baseUrl: uploadBaseUrl };

  interface Call extends ChannelRequest {
    token?: string;
    secrets?: (string | undefined)[];
    host?: 'api' | 'upload';
  }

  /** One call; a Weibo error body becomes a classified ChannelError with the platform's code and text (never a secret). */
  async function call(req: Call): Promise<Json> {
    const { token, secrets = [], host = 'api', ...request } = req;
    // The header form keeps the token out of URLs (and so out of any proxy or access log).
    const headers = token ? { ...request.headers, authorization: `OAuth2 ${token}` } : request.headers;
    const res = await callPlatform(host === 'upload' ? uploadOpts : opts, { ...request, headers });
    const code = int(res.body.error_code);
    if (code === null) {
      if (res.status >= 400) throw new ChannelError('transient', `Weibo ${request.path}: HTTP ${res.status} without an error code`);
      return res.body;
    }
    const text = str(res.body.error_description) ?? str(res.body.error) ?? 'error';
    const message = redact(`Weibo ${code} ${text} (${request.path})`, [token, ...secrets]);
    const errorClass = classifyWeiboCode(code);
    if (errorClass === 'rate_limited' && token) {
      throw new ChannelError(errorClass, message, { platformCode: code, retryAfterSeconds: await secondsToReset(token) });
    }
    throw new ChannelError(errorClass, message, { platformCode: code });
  }

  /** Weibo sends no Retry-After; account/rate_limit_status says when the hourly window resets (and is itself not rate limited). */
  async function secondsToReset(token: string): Promise<number | undefined> {
    try {
      const res = await callPlatform(opts, { path: '/2/account/rate_limit_status.json', headers: { authorization: `OAuth2 ${token}` } });
      const seconds = int(res.body.reset_time_in_seconds);
      return seconds !== null && seconds > 0 ? seconds : undefined;
    } catch {
      return undefined;
    }
  }

  function usableToken(creds: ChannelCredentials): string {
    if (!creds.accessToken) throw new ChannelError('auth_expired', 'Weibo: no access token; connect the Weibo account');
    if (creds.accessTokenExpiresAt && Date.parse(creds.accessTokenExpiresAt) <= now().getTime()) {
      throw new ChannelError('auth_expired', 'Weibo: the access token has expired; reconnect the Weibo account');
    }
    return creds.accessToken;
  }

  function tokenCredentials(creds: ChannelCredentials, body: Json): ChannelCredentials {
    const accessToken = str(body.access_token);
    const expiresIn = int(body.expires_in);
    if (!accessToken || expiresIn === null) throw new ChannelError('transient', 'Weibo /oauth2/access_token: no access_token/expires_in in the reply');
    const refreshToken = str(body.refresh_token);
    return {
      ...creds,
      accessToken,
      accessTokenExpiresAt: new Date(now().getTime() + expiresIn * 1000).toISOString(),
      // Normal web apps get no refresh token: drop a stale one rather than keep trying it.
      refreshToken,
      refreshTokenExpiresAt: refreshToken ? creds.refreshTokenExpiresAt : undefined,
      accountId: str(body.uid) ?? creds.accountId,
    };
  }

  async function refreshWithToken(creds: ChannelCredentials): Promise<ChannelCredentials> {
    const body = await call({
      method: 'POST',
      path: '/oauth2/access_token',
      urlencoded: { client_id: creds.appId, client_secret: creds.appSecret, grant_type: 'refresh_token', refresh_token: creds.refreshToken ?? '' },
      secrets: [creds.appSecret, creds.refreshToken],
    });
    return tokenCredentials(creds, body);
  }

  async function findStatus(token: string, mediaId: string, pageUrl: string, sent?: string): Promise<Json | null> {
    // A text post (announce) has no media to match; Weibo shows its links as t.cn short links,
    // so it is matched by its text with every link taken out.
    const unlinked = (t: string) => t.replace(URL_PATTERN, '').replace(/\s+/g, ' ').trim();
    // base_app=1: only posts made through this app; the newest 100 cover any retry window.
    const body = await call({ path: '/2/statuses/user_timeline.json', query: { count: 100, base_app: 1, trim_user: 0 }, token });
    const statuses = Array.isArray(body.statuses) ? (body.statuses as Json[]) : [];
    return (
      statuses.find((s) => {
        const page = (s.page_info ?? {}) as Json;
        const objectId = str(page.object_id);
        if (objectId === `${VIDEO_OBJECT_PREFIX}${mediaId}` || objectId === mediaId) return true;
        // Weibo shows links as t.cn short links, so the page URL matches only where it survived.
        if (typeof s.text !== 'string') return false;
        return s.text.includes(pageUrl) || (sent !== undefined && unlinked(s.text) === unlinked(sent));
      }) ?? null
    );
  }

  async function recordLive(status: Json, creds: ChannelCredentials, checkpoint: Checkpoint): Promise<PublishResult> {
    const id = str(status.idstr) ?? str(status.id);
    if (!id) throw new ChannelError('transient', 'Weibo /2/statuses/share.json: no status id in the reply');
    const user = (status.user ?? {}) as Json;
    const uid = str(user.idstr) ?? str(user.id) ?? creds.accountId;
    const url = uid ? `https://weibo.com/${uid}/${weiboMid(id)}` : null;
    await checkpoint.save({ statusId: id, statusUrl: url ?? '' });
    return { kind: 'live', externalId: id, url };
  }

  /** Weibo's chunked upload, resumable from the checkpoint: only chunks not recorded there are sent. */
  async function uploadVideo(input: PublishInput, token: string, checkpoint: Checkpoint): Promise<string> {
    const video = await input.video({ maxBytes: WEIBO_MAX_VIDEO_BYTES });
    if (video.bytes <= 0) throw new ChannelError('content_rejected', 'Weibo: the video file is empty');
    if (video.bytes > WEIBO_MAX_VIDEO_BYTES) throw new ChannelError('content_rejected', `Weibo takes videos up to 1 GB; this one is ${video.bytes} bytes`);
    if (video.durationSeconds > WEIBO_MAX_VIDEO_SECONDS) {
      throw new ChannelError('content_rejected', `Weibo takes videos up to 15 minutes; this one is ${Math.round(video.durationSeconds)} s`);
    }
    const md5 = await fileMd5(video.path);
    const saved = checkpoint.state;
    let fileToken = str(saved.uploadFileToken);
    let chunkBytes = int(saved.uploadChunkBytes) ?? 0;
    // A different file (re-rendered since the crash) cannot continue the old upload.
    if (!fileToken || chunkBytes <= 0 || saved.uploadMd5 !== md5 || int(saved.uploadBytes) !== video.bytes) {
      const init = await call({
        host: 'upload',
        path: '/2/proxy/media/init',
        query: { type: 'video', check: md5, length: video.bytes, name: basename(video.path) },
        token,
      });
      fileToken = str(init.fileToken);
      const chunkKb = int(init.length);
      if (!fileToken || !chunkKb || chunkKb <= 0) throw new ChannelError('transient', 'Weibo /2/proxy/media/init: no fileToken/length in the reply');
      chunkBytes = chunkKb * 1024;
      await checkpoint.save({ uploadFileToken: fileToken, uploadChunkBytes: chunkBytes, uploadMd5: md5, uploadBytes: video.bytes, uploadedChunks: '' });
    }
    const chunkCount = Math.ceil(video.bytes / chunkBytes);
    const done = new Set(
      String(checkpoint.state.uploadedChunks ?? '')
        .split(',')
        .filter(Boolean)
        .map(Number),
    );
    const sendChunk = async (index: number): Promise<string | undefined> => {
      const start = index * chunkBytes;
      const end = Math.min(video.bytes, start + chunkBytes);
      const blob = await fileBlob(video.path, 'application/octet-stream', { start, end });
      const bytes = new Uint8Array(await blob.arrayBuffer());
      const reply = await call({
        host: 'upload',
        method: 'POST',
        path: '/2/proxy/media/upload',
        query: {
          filetoken: fileToken,
          filelength: video.bytes,
          filecheck: md5,
          chunksize: bytes.byteLength,
          startloc: start,
          chunkindex: index,
          chunkcount: chunkCount,
          sectioncheck: createHash('md5').update(bytes).digest('hex'),
        },
        headers: { 'content-type': 'application/octet-stream' },
        body: bytes,
        upload: true,
        token,
      });
      if (reply.succ === false) throw new ChannelError('transient', `Weibo /2/proxy/media/upload: chunk ${index} not accepted`);
      return str(reply.fid);
    };
    let mediaId: string | undefined;
    for (let index = 0; index < chunkCount; index++) {
      if (done.has(index)) continue;
      const fid = await sendChunk(index);
      done.add(index);
      mediaId = fid ?? mediaId;
      await checkpoint.save({ uploadedChunks: [...done].sort((a, b) => a - b).join(','), ...(fid ? { mediaId: fid } : {}) });
    }
    // Every chunk recorded but the completing reply lost: a chunk sent again is answered with the file id.
    mediaId ??= await sendChunk(chunkCount - 1);
    if (!mediaId) throw new ChannelError('transient', 'Weibo /2/proxy/media/upload: all chunks sent but no file id returned');
    await checkpoint.save({ mediaId });
    return mediaId;
  }

  return {
    channel: 'weibo',
    // Weibo meters calls per user per app per hour (150 at the default level), shared with
    // publishing; one statuses/count call per post per hour keeps ~100 live posts inside it.
    metricsIntervalMinutes: 60,

    authorizeUrl(creds, redirectUri, state) {
      const url = new URL(`${opts.baseUrl}/oauth2/authorize`);
      url.searchParams.set('client_id', creds.appId);
      url.searchParams.set('redirect_uri', redirectUri);
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('state', state);
      return url.toString();
    },

    async exchangeCode(creds, code, redirectUri) {
      const body = await call({
        method: 'POST',
        path: '/oauth2/access_token',
        urlencoded: { client_id: creds.appId, client_secret: creds.appSecret, grant_type: 'authorization_code', code, redirect_uri: redirectUri },
        secrets: [creds.appSecret, code],
      });
      return tokenCredentials(creds, body);
    },

    async refreshCredentials(creds) {
      if (!creds.accessToken) {
        if (creds.refreshToken) return refreshWithToken(creds);
        throw new ChannelError('auth_expired', 'Weibo: no access token; connect the Weibo account');
      }
      let info: Json;
      try {
        info = await call({ method: 'POST', path: '/oauth2/get_token_info', urlencoded: { access_token: creds.accessToken }, secrets: [creds.accessToken] });
      } catch (err) {
        if (err instanceof ChannelError && err.errorClass === 'auth_expired' && creds.refreshToken) return refreshWithToken(creds);
        throw err;
      }
      const expireIn = int(info.expire_in) ?? 0;
      if (expireIn > REFRESH_MARGIN_SECONDS) {
        return { ...creds, accessTokenExpiresAt: new Date(now().getTime() + expireIn * 1000).toISOString(), accountId: creds.accountId ?? str(info.uid) };
      }
      if (creds.refreshToken) return refreshWithToken(creds);
      // Normal Weibo web apps get no refresh token: only the admin signing in again renews access.
      throw new ChannelError(
        'auth_expired',
        `Weibo: the access token expires in ${expireIn} s and Weibo gives this app no refresh token; reconnect the account`,
      );
    },

    async publish(input, creds, checkpoint) {
      const token = usableToken(creds);
      const doneId = str(checkpoint.state.statusId);
      if (doneId) return { kind: 'live', externalId: doneId, url: str(checkpoint.state.statusUrl) ?? null };
      // statuses/share requires the operator's real IP (rip); Paike posts from its servers, so an admin enters it.
      const rip = creds.extra?.rip;
      if (!rip) throw new ChannelError('auth_expired', 'Weibo requires the operator IP (rip): set it in the Weibo channel settings');
      const status = composeWeiboStatus(input);

      const mediaId = str(checkpoint.state.mediaId) ?? (await uploadVideo(input, token, checkpoint));

      // A previous attempt may have posted and crashed before recording it: look before posting again.
      if (checkpoint.state.creating) {
        const found = await findStatus(token, mediaId, input.pageUrl);
        if (found) return recordLive(found, creds, checkpoint);
      }
      await checkpoint.save({ creating: 1 });
      try {
        const posted = await call({
          method: 'POST',
          path: '/2/statuses/share.json',
          urlencoded: { status, rip, media: JSON.stringify({ type: 'video', media_id: mediaId }) },
          token,
        });
        return await recordLive(posted, creds, checkpoint);
      } catch (err) {
        const code = err instanceof ChannelError ? Number(err.details.platformCode) : NaN;
        if (!LOOKUP_FIRST_CODES.has(code)) throw err;
        const found = await findStatus(token, mediaId, input.pageUrl);
        if (found) return recordLive(found, creds, checkpoint);
        // 20032 is "posted, the server is slow": retry later, when the lookup will find it.
        if (code === 20032) throw new ChannelError('transient', (err as ChannelError).message, { platformCode: code });
        throw err;
      }
    },

    /** The weekly chart as a text status with its link: the same never-twice steps as a video post. */
    async announce(post, creds, checkpoint) {
      const token = usableToken(creds);
      const doneId = str(checkpoint.state.statusId);
      if (doneId) return { externalId: doneId, url: str(checkpoint.state.statusUrl) ?? null };
      const rip = creds.extra?.rip;
      if (!rip) throw new ChannelError('auth_expired', 'Weibo requires the operator IP (rip): set it in the Weibo channel settings');
      const status = composeWeiboStatus({ headline: post.title, summary: post.text, tags: [], credit: '', pageUrl: post.link });
      const live = async (found: Json) => {
        const r = await recordLive(found, creds, checkpoint);
        return r.kind === 'live' ? { externalId: r.externalId, url: r.url } : { externalId: '', url: null };
      };
      if (checkpoint.state.creating) {
        const found = await findStatus(token, '', post.link, status);
        if (found) return live(found);
      }
      await checkpoint.save({ creating: 1 });
      return live(await call({ method: 'POST', path: '/2/statuses/share.json', urlencoded: { status, rip }, token }));
    },

    async update() {
      throw new ChannelError('content_rejected', 'Weibo does not let an app edit a posted status: unpublish and publish again');
    },

    async unpublish(ref: PublishedRef, creds) {
      const token = usableToken(creds);
      try {
        await call({ method: 'POST', path: '/2/statuses/destroy.json', urlencoded: { id: ref.externalId }, token });
      } catch (err) {
        // 20101 "Target weibo does not exist": already gone, which is what we wanted.
        if (err instanceof ChannelError && Number(err.details.platformCode) === 20101) return;
        throw err;
      }
    },

    async fetchMetrics(ref: PublishedRef, creds): Promise<MetricsSample> {
      const token = usableToken(creds);
      const body = await call({ path: '/2/statuses/count.json', query: { ids: ref.externalId }, token });
      // statuses/count answers with a bare JSON array (callPlatform puts it under `value`).
      const rows = Array.isArray(body.value) ? (body.value as Json[]) : [];
      const row = rows.find((r) => str(r.idstr) === ref.externalId || str(r.id) === ref.externalId);
      if (!row) throw new ChannelError('content_rejected', `Weibo has no figures for status ${ref.externalId}: it was deleted or hidden`);
      // The open API gives no play count for a status: views stay null.
      return { views: null, likes: int(row.attitudes), shares: int(row.reposts), comments: int(row.comments) };
    },
  };
}
