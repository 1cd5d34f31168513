import path from 'node:path';
import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');
const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const optionalUrl = (protocols: RegExp) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .pipe(z.url({ protocol: protocols }).optional());

/**
 * The whole environment of Paike, parsed once at start-up. `process.env` is read here and
 * nowhere else; a wrong value stops start-up with a message naming the variable.
 */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: port.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Where the embedded database, uploads and media live when nothing else is configured. */
  DATA_DIR: z.string().min(1).default('./data'),
  /** PostgreSQL 15+; when unset Paike runs on embedded PGlite under DATA_DIR/db. */
  DATABASE_URL: optionalUrl(/^postgres(ql)?$/),
  /** Schema for Paike's tables (and `<schema>_pgboss` for jobs); lets tests and tenants share a server. */
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,40}$/, 'lower-case letters, digits and _ only')
    .default('public'),
  DATABASE_POOL_SIZE: positiveInt.default(10),
  REDIS_URL: optionalUrl(/^rediss?$/),
  /** The address users reach Paike at; QR codes and links are built from it. */
  PUBLIC_URL: optionalUrl(/^https?$/),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Behind a reverse proxy that sets X-Forwarded-*: trust it for client IP and protocol. */
  TRUST_PROXY: bool.default(false),
  SESSION_TTL_DAYS: positiveInt.default(30),
  /** Requests per minute per client IP on sign-in, sign-up and code sending. */
  AUTH_RATE_LIMIT_PER_MINUTE: positiveInt.default(10),
  /** How many SMS codes one phone number may be sent per hour. */
  SMS_CODES_PER_PHONE_PER_HOUR: positiveInt.default(5),
  /** Password reset requests (link or code) per email address or phone number per hour (docs/accounts.md). */
  PASSWORD_RESETS_PER_TARGET_PER_HOUR: positiveInt.default(5),
  /** Password reset requests and wrong reset codes per client address per hour. */
  PASSWORD_RESETS_PER_IP_PER_HOUR: positiveInt.default(30),
  SMS_PROVIDER: z.enum(['console', 'aliyun', 'tencent']).default('console'),
  SMS_SIGN_NAME: z.string().optional(),
  SMS_TEMPLATE_CODE: z.string().optional(),
  ALIYUN_ACCESS_KEY_ID: z.string().optional(),
  ALIYUN_ACCESS_KEY_SECRET: z.string().optional(),
  ALIYUN_SMS_ENDPOINT: optionalUrl(/^https?$/),
  TENCENT_SECRET_ID: z.string().optional(),
  TENCENT_SECRET_KEY: z.string().optional(),
  TENCENT_SMS_APP_ID: z.string().optional(),
  TENCENT_SMS_REGION: z.string().default('ap-guangzhou'),
  TENCENT_SMS_ENDPOINT: optionalUrl(/^https?$/),
  S3_ENDPOINT: optionalUrl(/^https?$/),
  S3_REGION: z.string().default('us-east-1'),
  S3_BUCKET: z.string().optional(),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  S3_FORCE_PATH_STYLE: bool.default(true),
  /** Seed the demo campaign (and a demo admin) into an empty database: `demo` or `none`. */
  PAIKE_SEED: z.enum(['demo', 'none']).default('demo'),
  /** Uploads one contributor may have in flight at once. */
  UPLOAD_MAX_CONCURRENT_PER_USER: positiveInt.default(3),
  /** Bytes one contributor may start uploading per day (Asia/Shanghai); cancelled uploads still count. */
  UPLOAD_MAX_BYTES_PER_DAY: positiveInt.default(10 * 1024 ** 3),
  /** Bytes one contributor's unfinished uploads may declare together: the disk they can hold. */
  UPLOAD_MAX_OPEN_BYTES_PER_USER: positiveInt.default(4 * 1024 ** 3),
  /** An upload untouched this long is abandoned: its bytes and its submission are removed. */
  UPLOAD_EXPIRY_HOURS: positiveInt.default(24),
  /** Threads one ffmpeg process may use, and how long it may run. */
  FFMPEG_THREADS: positiveInt.default(2),
  FFMPEG_TIMEOUT_SECONDS: positiveInt.default(1800),
  /** Headless Chromium for print PDFs (docs/print.md); /usr/bin/chromium when unset. */
  CHROMIUM_PATH: z.string().min(1).optional(),
  /** Jobs worked at once per queue by this process. */
  WORKER_CONCURRENCY: positiveInt.default(2),
  /**
   * A long job (video processing) whose worker has not signalled for this long is handed to
   * another worker: how soon a crashed worker's video is picked up again.
   */
  JOB_STALL_SECONDS: z.coerce.number().int().min(5).max(3600).default(120),
  /** How long shutdown waits for in-flight jobs before returning them to the queue. */
  SHUTDOWN_TIMEOUT_SECONDS: positiveInt.default(30),
  /** Smallest withdrawal a contributor may request, in fen (5000 = 50 yuan). */
  PAYOUT_MIN_FEN: positiveInt.default(5000),
  /**
   * Secret from which the key that encrypts payout details (real name, account) is derived.
   * Required in production; elsewhere a development key is derived from DATA_DIR.
   */
  PAYOUT_DETAILS_KEY: z.string().min(32, 'at least 32 characters of random secret').optional(),
  /** Signs red-packet rain grab tokens. When unset: derived from PAYOUT_DETAILS_KEY, else (development) from DATA_DIR. */
  RAIN_TOKEN_SECRET: z.string().min(32, 'at least 32 characters of random secret').optional(),
  /** Accounts younger than this may not grab red packets. */
  RAIN_MIN_ACCOUNT_AGE_MINUTES: z.coerce.number().int().min(0).default(10),
  /** Wins by accounts younger than this are held for review. */
  RAIN_HOLD_ACCOUNT_AGE_HOURS: z.coerce.number().int().min(0).default(24),
  /** A win is held when more accounts than this have won from one IP in a session. */
  RAIN_MAX_WINS_PER_IP: positiveInt.default(3),
  /**
   * A win is held when more accounts than this have won from one device (the rain page's id) in
   * a session, or across the campaign's sessions.
   */
  RAIN_MAX_WINS_PER_DEVICE: positiveInt.default(2),
  /** Grab requests per account, and per IP, per 10 seconds. */
  RAIN_GRAB_RATE_PER_ACCOUNT: positiveInt.default(5),
  RAIN_GRAB_RATE_PER_IP: positiveInt.default(60),
  /** Grabs with a bad or missing token from one address per 10 seconds before it is answered 429. */
  RAIN_BAD_TOKENS_PER_IP: positiveInt.default(10),
  /**
   * Without Redis: grabs waiting for the database beyond this many are answered 503 at once
   * ("tap again"), rather than after the pool's 10 s timeout.
   */
  RAIN_MAX_WAITING_GRABS: positiveInt.default(200),
  /** Sessions starting this soon are split (and loaded into Redis) by the scheduled job. */
  RAIN_PREPARE_AHEAD_MINUTES: positiveInt.default(5),
  /** Minutes between adoption and publishing, for editors to package each channel (they can publish at once from the desk). */
  PUBLISH_HOLD_MINUTES: z.coerce
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 60)
    .default(30),
  /** Attempts before a publication that keeps failing transiently stays failed (an editor can retry). */
  PUBLISH_MAX_ATTEMPTS: positiveInt.default(8),
  /** The platforms' API roots. Only tests and staging change them (to local fakes). */
  WECHAT_API_URL: optionalUrl(/^https?$/).transform((v) => v ?? 'https://api.weixin.qq.com'),
  WEIBO_API_URL: optionalUrl(/^https?$/).transform((v) => v ?? 'https://api.weibo.com'),
  DOUYIN_API_URL: optionalUrl(/^https?$/).transform((v) => v ?? 'https://open.douyin.com'),
  PENGUIN_API_URL: optionalUrl(/^https?$/).transform((v) => v ?? 'https://api.om.qq.com'),
  /** Seconds a live weekly chart is served from memory before it is computed again (0: every request computes it). */
  CHART_LIVE_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(15),
  /** Keys the view-beacon viewer ids (HMAC). When unset: derived from PAYOUT_DETAILS_KEY, else (development) from DATA_DIR. */
  BEACON_SECRET: z.string().min(32, 'at least 32 characters of random secret').optional(),
  /** View beacons (`POST /api/beacons/views`) accepted per client IP per minute. */
  BEACON_RATE_PER_IP_PER_MINUTE: positiveInt.default(600),
  /** Counted views of one video per client address (IPv4, IPv6 /64) per Asia/Shanghai day, at most; further plays are kept but not counted. */
  VIEWS_PER_ADDRESS_PER_DAY: positiveInt.default(20),
  /** Counted views of one video per network (IPv4 /24, IPv6 /48) per Asia/Shanghai day, at most. */
  VIEWS_PER_NETWORK_PER_DAY: positiveInt.default(200),
  /** Forged-view check: the networks whose views are added up (a burst from this few networks is suspect). */
  VIEW_ANOMALY_TOP_NETWORKS: positiveInt.default(3),
  /** Forged-view check: a figure is held when its top networks gave at least this percent of its views … */
  VIEW_ANOMALY_SHARE_PERCENT: z.coerce.number().int().min(1).max(100).default(50),
  /** … and at least this many views. */
  VIEW_ANOMALY_MIN_VIEWS: positiveInt.default(20),
  /** View beacons written per INSERT at most (group commit); 1 writes each on its own. */
  BEACON_BATCH_MAX: positiveInt.default(500),
  /** Notice email: `smtps://user:pass@host:465` or `smtp://user:pass@host:587` (STARTTLS). Unset: printed to the log outside production, not sent in production. */
  MAIL_URL: optionalUrl(/^smtps?$/),
  /** The sender of notice email, e.g. `拍客 <noreply@example.com>`; required with MAIL_URL. */
  MAIL_FROM: z.string().trim().min(3).optional(),
  /** SMS notices (“你火了”): the platform's notification template with one variable (`event` on Aliyun, {1} on Tencent). Unset: no SMS notices. */
  SMS_NOTICE_TEMPLATE_CODE: z.string().optional(),
  /** The same template in English, for contributors whose language is English (default: the one above). */
  SMS_NOTICE_TEMPLATE_CODE_EN: z.string().optional(),
  /** WeChat sign-in by QR code on a desktop: the 开放平台 website app (scope snsapi_login). Unset: no QR sign-in. */
  WECHAT_LOGIN_APP_ID: z.string().trim().optional(),
  WECHAT_LOGIN_APP_SECRET: z.string().trim().optional(),
  /** WeChat sign-in inside WeChat's browser: the 公众号 (snsapi_base / snsapi_userinfo); its openid is the WeChat Pay payee. Unset: none. */
  WECHAT_MP_APP_ID: z.string().trim().optional(),
  WECHAT_MP_APP_SECRET: z.string().trim().optional(),
  /** WeChat's authorisation pages (open.weixin.qq.com); only tests and staging change it (to the local fake). */
  WECHAT_OPEN_URL: optionalUrl(/^https?$/).transform((v) => v ?? 'https://open.weixin.qq.com'),
  /** Web Push (docs/notices.md): the VAPID key pair from `npx web-push generate-vapid-keys` (URL-safe base64). Unset: no push, and the app does not offer it. */
  WEB_PUSH_PUBLIC_KEY: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{80,90}$/, 'the public key printed by `npx web-push generate-vapid-keys`')
    .optional(),
  WEB_PUSH_PRIVATE_KEY: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{40,45}$/, 'the private key printed by `npx web-push generate-vapid-keys`')
    .optional(),
  /** Who runs this server, for push services to contact: `mailto:ops@example.com` or an https URL. */
  WEB_PUSH_SUBJECT: z
    .string()
    .trim()
    .regex(/^(mailto:.+@.+|https:\/\/.+)$/, 'mailto:address or https://URL')
    .optional(),
  /**
   * The push services a subscription may point at (host names, `*.` for any subdomain): the
   * server POSTs to a subscription's endpoint, so an arbitrary endpoint would let anyone make it
   * call any address. The default covers Chrome/Edge (FCM), Firefox, Safari and Windows.
   */
  WEB_PUSH_ENDPOINT_HOSTS: z
    .string()
    .default('fcm.googleapis.com,updates.push.services.mozilla.com,*.push.apple.com,*.notify.windows.com')
    .transform((v) =>
      v
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean),
    ),
  /** Accepts http:// push endpoints (a local fake push service in tests and development); refused in production. */
  WEB_PUSH_ALLOW_HTTP: bool.default(false),
  /** The 传播力 wall (docs/wall.md): seconds between recomputations of its shared snapshot (the most a wall is behind). */
  WALL_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(300).default(10),
  // Issue 15, the command platform (docs/command.md, "Configuration").
  /** Janus's WebSocket API (ws://127.0.0.1:8188): calls go through its VideoRoom, are recorded and can be broadcast. Unset: one-to-one calls peer to peer. */
  JANUS_URL: optionalUrl(/^wss?$/),
  /** Janus's api_secret, when its janus.jcfg sets one. */
  JANUS_API_SECRET: z.string().min(1).optional(),
  /** Where Janus writes call recordings (.mjr); Paike reads them from here, so it is a path both see. Default DATA_DIR/janus-recordings. */
  JANUS_RECORDINGS_DIR: z.string().min(1).optional(),
  /** STUN servers for calls, comma-separated (stun:host:port). Empty: none (loopback and LAN only). */
  ICE_STUN_URLS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((u) => u.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^stuns?:[^\s]+$/, 'stun:host:port'))),
  /** TURN servers (coturn), comma-separated (turn:host:3478?transport=udp,turns:host:5349). */
  TURN_URLS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((u) => u.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^turns?:[^\s]+$/, 'turn:host:port'))),
  /** coturn's static-auth-secret (use-auth-secret): Paike hands each caller short-lived TURN credentials made from it. */
  TURN_SECRET: z.string().min(16).optional(),
  TURN_CREDENTIAL_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(3600),
  /** A raster tile server for street detail on the desk's map ({z}/{x}/{y} in the URL). Unset: outlines only, no internet needed. */
  MAP_TILE_URL: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .pipe(
      z
        .string()
        .regex(/^https?:\/\/[^\s]*\{z\}[^\s]*\{x\}[^\s]*\{y\}[^\s]*$/, 'an http(s) URL with {z}, {x} and {y}')
        .optional(),
    ),
  /** The command wall's snapshot interval in seconds (like WALL_INTERVAL_SECONDS). */
  COMMAND_WALL_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(300).default(5),
  // Issue 16, kiosks (docs/kiosk.md, "Offline").
  /** What a kiosk may cache ahead for offline play, in MiB (it also stays under 80 % of its browser's quota). */
  KIOSK_STORAGE_BUDGET_MB: z.coerce.number().int().min(16).max(1_048_576).default(4096),
});

type Raw = z.infer<typeof configSchema>;
export type Config = Readonly<
  Raw & {
    dataDir: string;
    publicUrl: string;
    database: { kind: 'pglite'; dir: string } | { kind: 'postgres'; url: string };
    s3: { endpoint?: string; region: string; bucket: string; accessKeyId?: string; secretAccessKey?: string; forcePathStyle: boolean } | undefined;
  }
>;

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses an environment (process.env at start-up, a plain object in tests) into a frozen Config. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const name = String(i.path[0] ?? '?');
        return `${name}: ${i.message} (got ${JSON.stringify(cleaned[name] ?? null)})`;
      }),
    );
  }
  const raw = parsed.data;
  const issues: string[] = [];
  if (raw.S3_BUCKET && !(raw.S3_ACCESS_KEY_ID && raw.S3_SECRET_ACCESS_KEY)) {
    issues.push('S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY: required when S3_BUCKET is set');
  }
  if (raw.SMS_PROVIDER === 'aliyun' && !(raw.ALIYUN_ACCESS_KEY_ID && raw.ALIYUN_ACCESS_KEY_SECRET && raw.SMS_SIGN_NAME && raw.SMS_TEMPLATE_CODE)) {
    issues.push('SMS_PROVIDER=aliyun: ALIYUN_ACCESS_KEY_ID, ALIYUN_ACCESS_KEY_SECRET, SMS_SIGN_NAME and SMS_TEMPLATE_CODE are required');
  }
  if (
    raw.SMS_PROVIDER === 'tencent' &&
    !(raw.TENCENT_SECRET_ID && raw.TENCENT_SECRET_KEY && raw.TENCENT_SMS_APP_ID && raw.SMS_SIGN_NAME && raw.SMS_TEMPLATE_CODE)
  ) {
    issues.push('SMS_PROVIDER=tencent: TENCENT_SECRET_ID, TENCENT_SECRET_KEY, TENCENT_SMS_APP_ID, SMS_SIGN_NAME and SMS_TEMPLATE_CODE are required');
  }
  for (const app of ['LOGIN', 'MP'] as const) {
    if (!raw[`WECHAT_${app}_APP_ID`] !== !raw[`WECHAT_${app}_APP_SECRET`]) issues.push(`WECHAT_${app}_APP_ID / WECHAT_${app}_APP_SECRET: set both or neither`);
  }
  if (raw.MAIL_URL && !raw.MAIL_FROM) issues.push('MAIL_FROM: required when MAIL_URL is set (e.g. 拍客 <noreply@example.com>)');
  if (raw.NODE_ENV === 'production' && !raw.PAYOUT_DETAILS_KEY) {
    issues.push('PAYOUT_DETAILS_KEY: required when NODE_ENV=production (a random secret of 32+ characters; it encrypts contributors’ payment details)');
  }
  const push = [raw.WEB_PUSH_PUBLIC_KEY, raw.WEB_PUSH_PRIVATE_KEY, raw.WEB_PUSH_SUBJECT].filter(Boolean).length;
  if (push > 0 && push < 3)
    issues.push('WEB_PUSH_PUBLIC_KEY, WEB_PUSH_PRIVATE_KEY and WEB_PUSH_SUBJECT: set all three (npx web-push generate-vapid-keys) or none');
  if (raw.WEB_PUSH_ALLOW_HTTP && raw.NODE_ENV === 'production')
    issues.push('WEB_PUSH_ALLOW_HTTP: not allowed when NODE_ENV=production (push endpoints must be https)');
  if (issues.length) throw new ConfigError(issues);

  const dataDir = path.resolve(raw.DATA_DIR);
  const shownHost = raw.HOST === '0.0.0.0' || raw.HOST === '::' ? 'localhost' : raw.HOST;
  const config: Config = {
    ...raw,
    dataDir,
    publicUrl: (raw.PUBLIC_URL ?? `http://${shownHost}:${raw.PORT}`).replace(/\/+$/, ''),
    database: raw.DATABASE_URL ? { kind: 'postgres', url: raw.DATABASE_URL } : { kind: 'pglite', dir: path.join(dataDir, 'db') },
    s3: raw.S3_BUCKET
      ? {
          endpoint: raw.S3_ENDPOINT,
          region: raw.S3_REGION,
          bucket: raw.S3_BUCKET,
          accessKeyId: raw.S3_ACCESS_KEY_ID,
          secretAccessKey: raw.S3_SECRET_ACCESS_KEY,
          forcePathStyle: raw.S3_FORCE_PATH_STYLE,
        }
      : undefined,
  };
  return Object.freeze(config);
}
