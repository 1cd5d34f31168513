/**
 * Local stand-ins for Aliyun Dysmsapi and Tencent Cloud SMS, for tests (this module's and the
 * accounts module's integration tests). Each listens on 127.0.0.1:0 and checks requests the
 * way the platform does: it recomputes the signature from the request it received with the
 * secret it knows — with its own code, not the adapters' — and answers with the platform's
 * own error codes and response shapes. Accepted messages are recorded.
 *
 *   const fake = await startFakeAliyun();
 *   const sms = createSmsProvider({ ...config, ...fake.env });
 *   await sms.send({ phone: '+8613800138000', code: '123456', locale: 'zh-CN' });
 *   fake.lastCode('+8613800138000'); // '123456'
 *   await fake.close();
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedSms {
  /** E.164, as the adapter was asked to send it. */
  phone: string;
  /** The phone field exactly as the platform received it. */
  rawPhone: string;
  code: string;
  signName: string;
  template: string;
  requestId: string;
  at: Date;
}

export interface FailOptions {
  /** How many requests get this answer (default 1). */
  times?: number;
  /** HTTP status (default: the platform's usual one for that code). */
  status?: number;
  message?: string;
}

interface FakeCommon {
  /** Base URL, e.g. http://127.0.0.1:41234/ */
  readonly url: string;
  /** Messages the fake accepted, oldest first. */
  readonly sent: RecordedSms[];
  /** Every request received, accepted or not. */
  readonly requests: { method: string; headers: http.IncomingHttpHeaders; body: string }[];
  /** The newest code sent to `phone` (E.164), if any. */
  lastCode(phone: string): string | undefined;
  /** Answer the next request(s) — after they pass signature checks — with this platform error code. */
  failNext(code: string, opts?: FailOptions): void;
  /** Answer the next request(s) with a bare HTTP error (e.g. 502 from a gateway), before any checks. */
  failNextHttp(status: number, body?: string, times?: number): void;
  /** Forget recorded messages, requests and queued failures. */
  reset(): void;
  close(): Promise<void>;
}

export interface FakeAliyun extends FakeCommon {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** Config fields pointing an Aliyun provider at this fake (strings, so usable as env too). */
  readonly env: {
    SMS_PROVIDER: 'aliyun';
    ALIYUN_ACCESS_KEY_ID: string;
    ALIYUN_ACCESS_KEY_SECRET: string;
    ALIYUN_SMS_ENDPOINT: string;
    SMS_SIGN_NAME: string;
    SMS_TEMPLATE_CODE: string;
  };
}

export interface FakeTencent extends FakeCommon {
  readonly secretId: string;
  readonly secretKey: string;
  readonly env: {
    SMS_PROVIDER: 'tencent';
    TENCENT_SECRET_ID: string;
    TENCENT_SECRET_KEY: string;
    TENCENT_SMS_APP_ID: string;
    TENCENT_SMS_REGION: string;
    TENCENT_SMS_ENDPOINT: string;
    SMS_SIGN_NAME: string;
    SMS_TEMPLATE_CODE: string;
  };
}

export interface FakeAliyunOptions {
  accessKeyId?: string;
  accessKeySecret?: string;
  signName?: string;
  templateCode?: string;
  /** The fake's clock, for the timestamp window. */
  now?: () => Date;
}

export interface FakeTencentOptions {
  secretId?: string;
  secretKey?: string;
  appId?: string;
  region?: string;
  signName?: string;
  templateId?: string;
  now?: () => Date;
}

/** The test secrets; distinctive so a leak is easy to spot. */
export const FAKE_ALIYUN_SECRET = 'fake-aliyun-SECRET-4f1c9e2b7d';
export const FAKE_TENCENT_SECRET = 'fake-tencent-SECRET-8a3e6b0c5f';

// ---------------------------------------------------------------------------------------------
// Shared plumbing

interface Reply {
  status: number;
  body: string;
  contentType?: string;
}

interface Queued<T> {
  value: T;
  times: number;
}

function take<T>(queue: Queued<T>[]): T | undefined {
  const head = queue[0];
  if (!head) return undefined;
  head.times -= 1;
  if (head.times <= 0) queue.shift();
  return head.value;
}

async function listen(handle: (req: http.IncomingMessage, body: Buffer) => Reply): Promise<{ server: http.Server; url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let reply: Reply;
      try {
        reply = handle(req, Buffer.concat(chunks));
      } catch (err) {
        reply = { status: 500, body: JSON.stringify({ fakeError: String(err) }) };
      }
      res.writeHead(reply.status, { 'content-type': reply.contentType ?? 'application/json;charset=utf-8' });
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A URL on 127.0.0.1 where nothing listens (a port just released), for "server down" tests. */
export async function closedPortUrl(): Promise<string> {
  const l = await listen(() => ({ status: 200, body: '' }));
  await l.close();
  return l.url;
}

// ---------------------------------------------------------------------------------------------
// Aliyun: RPC signature v1, checked independently of aliyun.sms.ts

/** Aliyun's percent-encoding done byte by byte over UTF-8: only A-Z a-z 0-9 - _ . ~ stay. */
function popEncode(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Aliyun's StringToSign for these (decoded) parameters: names sorted bytewise, Signature left out. */
function aliyunServerStringToSign(method: string, params: Map<string, string>): string {
  const names = [...params.keys()].filter((k) => k !== 'Signature');
  names.sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
  const canonical = names.map((k) => `${popEncode(k)}=${popEncode(params.get(k) ?? '')}`).join('&');
  return `${method}&%2F&${popEncode(canonical)}`;
}

/** The signature Aliyun expects for these (decoded) parameters. */
export function aliyunExpectedSignature(method: string, params: Map<string, string>, secret: string): string {
  return createHmac('sha1', Buffer.from(`${secret}&`, 'utf8'))
    .update(Buffer.from(aliyunServerStringToSign(method, params), 'utf8'))
    .digest('base64');
}

const ALIYUN_STATUS: Record<string, number> = {
  ServiceUnavailable: 503,
  InternalError: 500,
  'InvalidAccessKeyId.NotFound': 404,
  'Forbidden.RAM': 403,
};
const aliyunStatusFor = (code: string) => ALIYUN_STATUS[code] ?? (code.startsWith('isv.') || code.startsWith('isp.') ? 200 : 400);

export async function startFakeAliyun(opts: FakeAliyunOptions = {}): Promise<FakeAliyun> {
  const accessKeyId = opts.accessKeyId ?? 'LTAI-fake-access-key-id';
  const accessKeySecret = opts.accessKeySecret ?? FAKE_ALIYUN_SECRET;
  const signName = opts.signName ?? '拍客';
  const templateCode = opts.templateCode ?? 'SMS_000000001';
  const now = opts.now ?? (() => new Date());

  const sent: RecordedSms[] = [];
  const requests: FakeCommon['requests'] = [];
  const failures: Queued<{ code: string; status?: number; message?: string }>[] = [];
  const httpFailures: Queued<Reply>[] = [];
  const nonces = new Map<string, number>();

  const answer = (status: number, code: string, message: string, requestId: string, extra: object = {}): Reply => ({
    status,
    body: JSON.stringify({ RequestId: requestId, Code: code, Message: message, ...extra }),
  });

  const handle = (req: http.IncomingMessage, raw: Buffer): Reply => {
    const body = raw.toString('utf8');
    const method = (req.method ?? 'GET').toUpperCase();
    requests.push({ method, headers: req.headers, body });
    const httpFailure = take(httpFailures);
    if (httpFailure) return httpFailure;

    const requestId = randomUUID().toUpperCase();
    const platformError = (code: string, message: string) =>
      answer(aliyunStatusFor(code), code, message, requestId, { HostId: 'dysmsapi.aliyuncs.com', Recommend: 'https://api.aliyun.com/troubleshoot' });

    // RPC parameters may come in the query string and, for POST, a form body.
    const params = new Map<string, string>();
    const query = new URL(req.url ?? '/', 'http://fake').searchParams;
    for (const [k, v] of query) params.set(k, v);
    if (method === 'POST' && body) {
      const ct = String(req.headers['content-type'] ?? '');
      if (!ct.startsWith('application/x-www-form-urlencoded')) {
        return platformError('UnsupportedHTTPMethod', `Content-Type ${ct} is not supported`);
      }
      for (const [k, v] of new URLSearchParams(body)) params.set(k, v);
    } else if (method !== 'GET' && method !== 'POST') {
      return platformError('UnsupportedHTTPMethod', `${method} is not supported`);
    }

    for (const name of ['AccessKeyId', 'Action', 'Format', 'SignatureMethod', 'SignatureVersion', 'SignatureNonce', 'Timestamp', 'Version', 'Signature']) {
      if (!params.get(name)) return platformError(`Missing${name}`, `${name} is mandatory for this action.`);
    }
    if (params.get('Version') !== '2017-05-25') return platformError('InvalidVersion', 'Specified parameter Version is not valid.');
    if (params.get('Action') !== 'SendSms') return platformError('InvalidAction.NotFound', 'Specified api is not found, please check your url and method.');
    if (params.get('SignatureMethod') !== 'HMAC-SHA1') return platformError('InvalidSignatureMethod', 'Specified signature method is not supported.');
    if (params.get('SignatureVersion') !== '1.0') return platformError('InvalidSignatureVersion', 'Specified signature version is not supported.');
    if (!['JSON', 'XML'].includes(params.get('Format') ?? '')) return platformError('InvalidParameter.Format', 'Specified parameter Format is not valid.');
    const ts = params.get('Timestamp') ?? '';
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(ts) || Number.isNaN(Date.parse(ts))) {
      return platformError('InvalidTimeStamp.Format', 'Specified time stamp or date value is not well formatted.');
    }
    if (Math.abs(Date.parse(ts) - now().getTime()) > 15 * 60_000) {
      return platformError('InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');
    }
    if (params.get('AccessKeyId') !== accessKeyId) return platformError('InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    const expected = aliyunExpectedSignature(method, params, accessKeySecret);
    if (params.get('Signature') !== expected) {
      // Like the real gateway, echo the server's string to sign.
      return platformError(
        'SignatureDoesNotMatch',
        `Specified signature is not matched with our calculation. server string to sign is:${aliyunServerStringToSign(method, params)}`,
      );
    }
    const nonce = params.get('SignatureNonce') ?? '';
    const seen = nonces.get(nonce);
    if (seen !== undefined && now().getTime() - seen < 15 * 60_000) {
      return platformError('SignatureNonceUsed', 'Specified signature nonce was used already.');
    }
    nonces.set(nonce, now().getTime());

    const failure = take(failures);
    if (failure) return answer(failure.status ?? aliyunStatusFor(failure.code), failure.code, failure.message ?? `fake ${failure.code}`, requestId);

    // SendSms business checks (HTTP 200 with an isv.* code, as Dysmsapi does).
    const biz = (code: string, message: string) => answer(200, code, message, requestId);
    const rawPhone = params.get('PhoneNumbers');
    if (!rawPhone) return platformError('MissingPhoneNumbers', 'PhoneNumbers is mandatory for this action.');
    // Mainland: 11 digits starting with 1, no prefix; elsewhere: country code + number, no "+".
    const mainland = /^1\d{10}$/.test(rawPhone);
    if (!mainland && !(/^[1-9]\d{7,14}$/.test(rawPhone) && !rawPhone.startsWith('86'))) {
      return biz('isv.MOBILE_NUMBER_ILLEGAL', '非法手机号');
    }
    const sign = params.get('SignName');
    if (!sign) return platformError('MissingSignName', 'SignName is mandatory for this action.');
    if (sign !== signName) return biz('isv.SMS_SIGNATURE_ILLEGAL', '该账号下找不到对应签名');
    const template = params.get('TemplateCode');
    if (!template) return platformError('MissingTemplateCode', 'TemplateCode is mandatory for this action.');
    if (template !== templateCode) return biz('isv.SMS_TEMPLATE_ILLEGAL', '该账号下找不到对应模板');
    let templateParam: unknown;
    try {
      templateParam = JSON.parse(params.get('TemplateParam') ?? '');
    } catch {
      return biz('isv.INVALID_JSON_PARAM', 'JSON参数不合法，只接受字符串值');
    }
    if (!templateParam || typeof templateParam !== 'object' || Array.isArray(templateParam)) {
      return biz('isv.INVALID_JSON_PARAM', 'JSON参数不合法，只接受字符串值');
    }
    const code = (templateParam as Record<string, unknown>).code;
    if (typeof code !== 'string') return biz('isv.TEMPLATE_MISSING_PARAMETERS', '模板缺少变量');
    if (!/^\d{4,8}$/.test(code)) return biz('isv.PARAM_NOT_SUPPORT_URL', '验证码模板变量只能为数字或字母');

    sent.push({
      phone: mainland ? `+86${rawPhone}` : `+${rawPhone}`,
      rawPhone,
      code,
      signName: sign,
      template,
      requestId,
      at: now(),
    });
    return answer(200, 'OK', 'OK', requestId, { BizId: `${Date.now()}^0` });
  };

  const l = await listen(handle);
  return {
    url: l.url,
    accessKeyId,
    accessKeySecret,
    env: {
      SMS_PROVIDER: 'aliyun',
      ALIYUN_ACCESS_KEY_ID: accessKeyId,
      ALIYUN_ACCESS_KEY_SECRET: accessKeySecret,
      ALIYUN_SMS_ENDPOINT: l.url,
      SMS_SIGN_NAME: signName,
      SMS_TEMPLATE_CODE: templateCode,
    },
    sent,
    requests,
    lastCode: (phone) => sent.filter((m) => m.phone === phone).at(-1)?.code,
    failNext: (code, o = {}) => void failures.push({ value: { code, status: o.status, message: o.message }, times: o.times ?? 1 }),
    failNextHttp: (status, body = '<html>Bad Gateway</html>', times = 1) =>
      void httpFailures.push({ value: { status, body, contentType: 'text/html' }, times }),
    reset: () => {
      sent.length = 0;
      requests.length = 0;
      failures.length = 0;
      httpFailures.length = 0;
    },
    close: l.close,
  };
}

// ---------------------------------------------------------------------------------------------
// Tencent: TC3-HMAC-SHA256, checked independently of tencent.sms.ts

export interface Tc3Request {
  method: string;
  /** Lower-cased header names. */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** Path and query as received, e.g. "/" */
  url: string;
}

/** Recomputes the TC3 signature for `req` over the headers it says it signed. */
export function tencentExpectedSignature(
  req: Tc3Request,
  p: { secretKey: string; timestamp: string; date: string; service: string; signedHeaders: string[] },
): string {
  const u = new URL(req.url, 'http://fake');
  const canonicalQuery = req.method === 'GET' ? u.search.replace(/^\?/, '') : '';
  const canonicalHeaders = p.signedHeaders
    .map((h) => {
      const v = req.headers[h];
      return `${h}:${(Array.isArray(v) ? v.join(',') : (v ?? '')).trim().toLowerCase()}\n`;
    })
    .join('');
  const hash = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
  const canonicalRequest = `${req.method}\n${u.pathname}\n${canonicalQuery}\n${canonicalHeaders}\n${p.signedHeaders.join(';')}\n${hash(req.body)}`;
  const scope = `${p.date}/${p.service}/tc3_request`;
  const stringToSign = `TC3-HMAC-SHA256\n${p.timestamp}\n${scope}\n${hash(canonicalRequest)}`;
  let key: Buffer = Buffer.from(`TC3${p.secretKey}`, 'utf8');
  for (const part of [p.date, p.service, 'tc3_request']) key = createHmac('sha256', key).update(part).digest();
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

/** Per-number codes Tencent reports in SendStatusSet (HTTP 200, no Response.Error). */
const tencentPerNumber = (code: string) =>
  code.startsWith('LimitExceeded.PhoneNumber') || code === 'LimitExceeded.DeliveryFrequencyLimit' || code === 'InvalidParameterValue.IncorrectPhoneNumber';

export async function startFakeTencent(opts: FakeTencentOptions = {}): Promise<FakeTencent> {
  const secretId = opts.secretId ?? 'AKID-fake-secret-id';
  const secretKey = opts.secretKey ?? FAKE_TENCENT_SECRET;
  const appId = opts.appId ?? '1400000001';
  const region = opts.region ?? 'ap-guangzhou';
  const signName = opts.signName ?? '拍客';
  const templateId = opts.templateId ?? '100001';
  const now = opts.now ?? (() => new Date());

  const sent: RecordedSms[] = [];
  const requests: FakeCommon['requests'] = [];
  const failures: Queued<{ code: string; status?: number; message?: string }>[] = [];
  const httpFailures: Queued<Reply>[] = [];

  const handle = (req: http.IncomingMessage, raw: Buffer): Reply => {
    const body = raw.toString('utf8');
    const method = (req.method ?? 'GET').toUpperCase();
    requests.push({ method, headers: req.headers, body });
    const httpFailure = take(httpFailures);
    if (httpFailure) return httpFailure;

    const requestId = randomUUID();
    const error = (code: string, message: string, status = 200): Reply => ({
      status,
      body: JSON.stringify({ Response: { Error: { Code: code, Message: message }, RequestId: requestId } }),
    });
    const perNumber = (phone: string, code: string, message: string): Reply => ({
      status: 200,
      body: JSON.stringify({
        Response: {
          SendStatusSet: [{ SerialNo: '', PhoneNumber: phone, Fee: 0, SessionContext: '', Code: code, Message: message, IsoCode: '' }],
          RequestId: requestId,
        },
      }),
    });
    const header = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v.join(',') : v;
    };

    if (method !== 'POST') return error('UnsupportedOperation', 'Only POST with JSON is supported by this fake.');
    if (!/^application\/json\b/i.test(header('content-type') ?? '')) {
      return error('InvalidParameter', 'Content-Type must be application/json.');
    }
    const action = header('x-tc-action');
    if (!action) return error('MissingParameter', 'The request is missing a required parameter `Action`.');
    if (action !== 'SendSms') return error('InvalidAction', `The action \`${action}\` is invalid.`);
    if (header('x-tc-version') !== '2021-01-11') return error('InvalidParameterValue', 'The parameter `Version` is invalid.');
    const reqRegion = header('x-tc-region');
    if (!reqRegion) return error('MissingParameter', 'The request is missing a required parameter `Region`.');
    if (reqRegion !== region) return error('UnsupportedRegion', `The region \`${reqRegion}\` is not supported.`);
    const timestamp = header('x-tc-timestamp') ?? '';
    if (!/^\d{9,11}$/.test(timestamp)) return error('InvalidParameter', 'The parameter `Timestamp` is invalid.');
    if (Math.abs(Number(timestamp) * 1000 - now().getTime()) > 5 * 60_000) {
      return error('AuthFailure.SignatureExpire', 'Signature expired. Timestamp and server time cannot differ by more than 5 minutes.');
    }

    const auth = header('authorization') ?? '';
    const m =
      /^TC3-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{4}-\d{2}-\d{2})\/([a-z0-9]+)\/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
        auth,
      );
    if (!m) return error('AuthFailure.InvalidAuthorization', 'Authorization header format error.');
    const [, reqSecretId, date, service, signedHeaderList, signature] = m as unknown as [string, string, string, string, string, string];
    if (reqSecretId !== secretId) return error('AuthFailure.SecretIdNotFound', 'The SecretId is not found.');
    if (service !== 'sms') return error('AuthFailure.InvalidAuthorization', 'Credential service does not match the endpoint.');
    if (date !== new Date(Number(timestamp) * 1000).toISOString().slice(0, 10)) {
      return error('AuthFailure.InvalidAuthorization', 'Credential date does not match X-TC-Timestamp (UTC).');
    }
    const signedHeaders = signedHeaderList.split(';');
    if (!signedHeaders.includes('content-type') || !signedHeaders.includes('host')) {
      return error('AuthFailure.InvalidAuthorization', 'SignedHeaders must include content-type and host.');
    }
    if ([...signedHeaders].sort().join(';') !== signedHeaderList) {
      return error('AuthFailure.InvalidAuthorization', 'SignedHeaders must be sorted.');
    }
    const expected = tencentExpectedSignature(
      { method, headers: req.headers, body: raw, url: req.url ?? '/' },
      { secretKey, timestamp, date, service, signedHeaders },
    );
    if (signature !== expected) {
      return error('AuthFailure.SignatureFailure', 'The provided credentials could not be validated. Please check your signature is correct.');
    }

    let payload: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(body);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      payload = parsed as Record<string, unknown>;
    } catch {
      return error('InvalidParameter', 'The request body is not valid JSON.');
    }
    const phones = payload.PhoneNumberSet;
    if (!Array.isArray(phones) || phones.length === 0) return error('MissingParameter', 'The request is missing a required parameter `PhoneNumberSet`.');
    if (phones.length > 200) return error('LimitExceeded.PhoneNumberCountLimit', 'Too many phone numbers.');
    if (payload.SmsSdkAppId !== appId) return error('FailedOperation.SmsSdkAppIdVerifyFail', 'SmsSdkAppId verification failed.');
    if (payload.TemplateId !== templateId) return error('FailedOperation.TemplateIncorrectOrUnapproved', 'Template is not approved or does not exist.');
    if (payload.SignName !== signName) return error('FailedOperation.SignatureIncorrectOrUnapproved', 'Signature is not approved or does not exist.');
    const params = payload.TemplateParamSet;
    if (!Array.isArray(params) || params.length !== 1 || typeof params[0] !== 'string') {
      return error('InvalidParameterValue.TemplateParameterFormatError', 'TemplateParamSet does not match the template (one variable).');
    }
    const code = params[0];
    if (!/^\d{1,6}$/.test(code))
      return error('InvalidParameterValue.TemplateParameterFormatError', 'Verification-code template variables must be up to 6 digits.');

    const failure = take(failures);
    const phone = phones[0];
    if (failure) {
      if (failure.status === undefined && tencentPerNumber(failure.code)) {
        return perNumber(String(phone), failure.code, failure.message ?? `fake ${failure.code}`);
      }
      return error(failure.code, failure.message ?? `fake ${failure.code}`, failure.status ?? 200);
    }
    if (phones.length !== 1) return error('UnsupportedOperation', 'This fake accepts one number per request.');
    if (typeof phone !== 'string' || !/^\+[1-9]\d{6,14}$/.test(phone) || (phone.startsWith('+86') && !/^\+861\d{10}$/.test(phone))) {
      return perNumber(String(phone), 'InvalidParameterValue.IncorrectPhoneNumber', 'incorrect number format');
    }

    sent.push({ phone, rawPhone: phone, code, signName, template: templateId, requestId, at: now() });
    return {
      status: 200,
      body: JSON.stringify({
        Response: {
          SendStatusSet: [
            {
              SerialNo: `2028:${Date.now()}`,
              PhoneNumber: phone,
              Fee: 1,
              SessionContext: '',
              Code: 'Ok',
              Message: 'send success',
              IsoCode: phone.startsWith('+86') ? 'CN' : '',
            },
          ],
          RequestId: requestId,
        },
      }),
    };
  };

  const l = await listen(handle);
  return {
    url: l.url,
    secretId,
    secretKey,
    env: {
      SMS_PROVIDER: 'tencent',
      TENCENT_SECRET_ID: secretId,
      TENCENT_SECRET_KEY: secretKey,
      TENCENT_SMS_APP_ID: appId,
      TENCENT_SMS_REGION: region,
      TENCENT_SMS_ENDPOINT: l.url,
      SMS_SIGN_NAME: signName,
      SMS_TEMPLATE_CODE: templateId,
    },
    sent,
    requests,
    lastCode: (phone) => sent.filter((m) => m.phone === phone).at(-1)?.code,
    failNext: (code, o = {}) => void failures.push({ value: { code, status: o.status, message: o.message }, times: o.times ?? 1 }),
    failNextHttp: (status, body = '<html>Bad Gateway</html>', times = 1) =>
      void httpFailures.push({ value: { status, body, contentType: 'text/html' }, times }),
    reset: () => {
      sent.length = 0;
      requests.length = 0;
      failures.length = 0;
      httpFailures.length = 0;
    },
    close: l.close,
  };
}
