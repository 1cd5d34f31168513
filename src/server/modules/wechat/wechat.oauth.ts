/**
 * The real HTTP client for WeChat's web OAuth (docs/wechat.md): the authorisation addresses on
 * open.weixin.qq.com, and the code exchange and user info on api.weixin.qq.com. Both roots are
 * configurable so tests run this very client against the local fake (testing/wechat-oauth.fake.ts).
 *
 * The secret and the access token travel in query strings (WeChat's protocol), so no URL is
 * ever put in an error, a log line or an answer: errors carry WeChat's errcode and errmsg only.
 */
import type { WechatAppKind, WechatScope } from '../../db/schema.js';

export interface WechatOAuthOptions {
  /** https://open.weixin.qq.com, without a trailing slash. */
  openUrl: string;
  /** https://api.weixin.qq.com, without a trailing slash. */
  apiUrl: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** What /sns/oauth2/access_token answers (field names as WeChat documents them, camel-cased). */
export interface WechatToken {
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  openid: string;
  scope: string;
  /** Only when the app is bound to an open platform account (and, for a 公众号, scope snsapi_userinfo). */
  unionid: string | null;
  /** 1 when the user is a 快照页 (snapshot page) virtual account: not a real, stable openid. */
  isSnapshotUser: boolean;
}

/** What /sns/userinfo answers that Paike uses. */
export interface WechatUserInfo {
  openid: string;
  nickname: string;
  headimgurl: string;
  unionid: string | null;
}

/**
 * A refusal from WeChat (`{errcode, errmsg}`), or `errcode` -1 for no usable answer (network,
 * timeout, 5xx, not JSON). Documented codes Paike tells apart: 40029 invalid code, 40163 code
 * been used, 42003 code expired, 40125 / 40013 wrong app secret / app id, 48001 scope does not
 * allow the API, 40001 / 42001 access token invalid / expired, 40003 invalid openid.
 */
export class WechatOAuthError extends Error {
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(`WeChat OAuth error ${errcode}: ${errmsg}`);
    this.name = 'WechatOAuthError';
  }
  /** The user's code can never work again (start over): invalid, used or expired. */
  get codeRejected(): boolean {
    return this.errcode === 40029 || this.errcode === 40163 || this.errcode === 42003;
  }
}

export function createWechatOAuth(opts: WechatOAuthOptions) {
  const doFetch = opts.fetch ?? fetch;
  const timeoutMs = opts.timeoutMs ?? 10_000;

  async function get(path: string, query: Record<string, string>): Promise<Record<string, unknown>> {
    const url = new URL(opts.apiUrl + path);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    let res: Response;
    try {
      res = await doFetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw new WechatOAuthError(-1, err instanceof Error && err.name === 'TimeoutError' ? `${path}: timed out` : `${path}: could not connect`);
    }
    const text = await res.text();
    if (!res.ok) throw new WechatOAuthError(-1, `${path}: HTTP ${res.status}`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new WechatOAuthError(-1, `${path}: not JSON`);
    }
    if (!body || typeof body !== 'object') throw new WechatOAuthError(-1, `${path}: not an object`);
    const b = body as Record<string, unknown>;
    // WeChat answers its refusals with HTTP 200 and {errcode, errmsg}; errcode 0 is success on some APIs.
    if (typeof b.errcode === 'number' && b.errcode !== 0) throw new WechatOAuthError(b.errcode, String(b.errmsg ?? ''));
    return b;
  }

  const str = (v: unknown, field: string): string => {
    if (typeof v !== 'string' || !v) throw new WechatOAuthError(-1, `answer without ${field}`);
    return v;
  };

  return {
    /**
     * Where to send the browser. Website app (QR): /connect/qrconnect with scope snsapi_login;
     * 公众号 (inside WeChat): /connect/oauth2/authorize with snsapi_base or snsapi_userinfo.
     * WeChat requires the parameters in this order and the #wechat_redirect fragment.
     */
    authorizeUrl(input: { kind: WechatAppKind; appId: string; redirectUri: string; scope: WechatScope; state: string }): string {
      const path = input.kind === 'open' ? '/connect/qrconnect' : '/connect/oauth2/authorize';
      const q = [
        ['appid', input.appId],
        ['redirect_uri', input.redirectUri],
        ['response_type', 'code'],
        ['scope', input.scope],
        ['state', input.state],
      ]
        .map(([k, v]) => `${k}=${encodeURIComponent(v!)}`)
        .join('&');
      return `${opts.openUrl}${path}?${q}#wechat_redirect`;
    },

    /** GET /sns/oauth2/access_token: the user's one-time code for their token and openid. */
    async exchangeCode(input: { appId: string; secret: string; code: string }): Promise<WechatToken> {
      const b = await get('/sns/oauth2/access_token', { appid: input.appId, secret: input.secret, code: input.code, grant_type: 'authorization_code' });
      return {
        accessToken: str(b.access_token, 'access_token'),
        expiresIn: typeof b.expires_in === 'number' ? b.expires_in : 0,
        refreshToken: typeof b.refresh_token === 'string' ? b.refresh_token : '',
        openid: str(b.openid, 'openid'),
        scope: typeof b.scope === 'string' ? b.scope : '',
        unionid: typeof b.unionid === 'string' && b.unionid ? b.unionid : null,
        isSnapshotUser: b.is_snapshotuser === 1,
      };
    },

    /** GET /sns/userinfo (scope snsapi_userinfo or snsapi_login). */
    async userInfo(input: { accessToken: string; openid: string }): Promise<WechatUserInfo> {
      const b = await get('/sns/userinfo', { access_token: input.accessToken, openid: input.openid, lang: 'zh_CN' });
      return {
        openid: str(b.openid, 'openid'),
        nickname: typeof b.nickname === 'string' ? b.nickname : '',
        headimgurl: typeof b.headimgurl === 'string' ? b.headimgurl : '',
        unionid: typeof b.unionid === 'string' && b.unionid ? b.unionid : null,
      };
    },
  };
}

export type WechatOAuth = ReturnType<typeof createWechatOAuth>;
