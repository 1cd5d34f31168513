import type { Channel } from '../../../../contracts/packaging.limits.js';

/**
 * One interface for every place an adopted video goes. The publishing service owns the
 * rules (which channels, when, retries, idempotency, status on the desk); an adapter only
 * speaks its platform's documented protocol. Adapters never log or return secrets.
 */

/** How a failure should be answered; see ChannelError. */
export type ChannelErrorClass = 'auth_expired' | 'rate_limited' | 'content_rejected' | 'transient';

/**
 * A classified platform failure. `message` is for the desk (the platform's own code and text,
 * never a token); `retryAfterSeconds` comes from the platform when it says how long to wait.
 */
export class ChannelError extends Error {
  constructor(
    readonly errorClass: ChannelErrorClass,
    message: string,
    readonly details: { platformCode?: string | number; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = 'ChannelError';
  }
}

/**
 * What Paike holds for one platform account, stored encrypted (channel.credentials.ts).
 * `appId`/`appSecret` are entered by an admin; tokens are obtained and refreshed by Paike.
 */
export interface ChannelCredentials {
  appId: string;
  appSecret: string;
  accessToken?: string;
  /** ISO instant. */
  accessTokenExpiresAt?: string;
  refreshToken?: string;
  refreshTokenExpiresAt?: string;
  /** The platform's id of the account posting (Douyin/Toutiao open_id, Weibo uid, Penguin media id). */
  accountId?: string;
  /** Anything else the platform needs (e.g. WeChat author name). */
  extra?: Record<string, string>;
}

/** A local file an adapter may read (and must not delete). */
export interface LocalMedia {
  path: string;
  bytes: number;
  mime: string;
}

export interface VideoMedia extends LocalMedia {
  durationSeconds: number;
  width: number;
  height: number;
}

/** What one publication carries to a platform. */
export interface PublishInput {
  /** Stable for the (submission, channel) pair: the same on every retry. */
  idempotencyKey: string;
  publicationId: string;
  submissionId: string;
  /** The editor's package for this channel (limits already checked against CHANNEL_LIMITS). */
  headline: string;
  summary: string;
  tags: string[];
  credit: string;
  /** The video's page on Paike's own site (for link posts and "read more"). */
  pageUrl: string;
  /**
   * An MP4 (H.264/AAC, faststart) no larger than `maxBytes` when given: the service produces a
   * smaller rendition when the platform has a size limit (WeChat: 10 MB).
   */
  video(opts?: { maxBytes?: number }): Promise<VideoMedia>;
  /** The package's cover (JPEG), or the poster when the editor chose none. */
  cover(): Promise<LocalMedia | null>;
}

/**
 * Progress an adapter records between its steps (upload id, uploaded media id, draft id,
 * publish id …). It is persisted before the next step, so a retry resumes instead of
 * starting over; `save` merges.
 */
export interface Checkpoint {
  readonly state: Readonly<Record<string, string | number>>;
  save(patch: Record<string, string | number>): Promise<void>;
}

export type PublishResult =
  /** The post is up. */
  | { kind: 'live'; externalId: string; url: string | null }
  /** Submitted, but the platform decides later (WeChat's freepublish): poll with `checkStatus`. */
  | { kind: 'pending'; pollAfterSeconds: number };

/** The figures a platform gives for one post; absent ones are null. Counts are cumulative. */
export interface MetricsSample {
  views: number | null;
  likes: number | null;
  shares: number | null;
  comments: number | null;
  /** Whatever else the platform reports (favourites, completion rate …), by its own names. */
  extra?: Record<string, number>;
}

export interface PublishedRef {
  externalId: string;
  url: string | null;
  /** When it went live (some statistics APIs want a date range). */
  publishedAt: Date;
  checkpoint: Checkpoint;
}

export interface ChannelAdapter {
  readonly channel: Channel;
  /** Minimum minutes between two metric pulls for one post (the platform's documented rate). */
  readonly metricsIntervalMinutes: number;
  /**
   * Gets fresh tokens (client credentials or refresh token), or throws
   * ChannelError('auth_expired') when only a human can reconnect. Returns the new credentials.
   */
  refreshCredentials(creds: ChannelCredentials): Promise<ChannelCredentials>;
  /**
   * OAuth platforms (Weibo, Douyin/Toutiao, Penguin): where an admin is sent to grant Paike
   * access, and the exchange of the code they come back with for tokens. WeChat's client
   * credentials need neither.
   */
  authorizeUrl?(creds: ChannelCredentials, redirectUri: string, state: string): string;
  exchangeCode?(creds: ChannelCredentials, code: string, redirectUri: string): Promise<ChannelCredentials>;
  /**
   * Publishes, resuming from `checkpoint`. Must not post twice for one idempotency key:
   * record each step's result before the next, and when the final "create" step's outcome is
   * unknown (a retry finds `checkpoint.state.creating`), look the post up before creating again.
   */
  publish(input: PublishInput, creds: ChannelCredentials, checkpoint: Checkpoint): Promise<PublishResult>;
  /** For `pending` results: asks the platform again. */
  checkStatus?(creds: ChannelCredentials, checkpoint: Checkpoint): Promise<PublishResult>;
  /** Changes the post's text where the platform allows; throws content_rejected where it does not. */
  update?(ref: PublishedRef, input: PublishInput, creds: ChannelCredentials): Promise<void>;
  /** Takes the post down (idempotent: an already-deleted post is success). */
  unpublish(ref: PublishedRef, creds: ChannelCredentials): Promise<void>;
  fetchMetrics(ref: PublishedRef, creds: ChannelCredentials): Promise<MetricsSample>;
  /**
   * A text post with a link (the frozen weekly chart), where the platform takes one. Resumes
   * from `checkpoint` and must not post twice, like `publish`.
   */
  announce?(post: AnnouncePost, creds: ChannelCredentials, checkpoint: Checkpoint): Promise<{ externalId: string; url: string | null }>;
  /**
   * A staff story as an article (the kitchen's WeChat form: docs/kitchen-publishing.md), where the
   * platform has articles. Resumes from `checkpoint` and must not post twice, like `publish`;
   * `pending` results are polled with `checkStatus`.
   */
  publishArticle?(article: ArticlePost, creds: ChannelCredentials, checkpoint: Checkpoint): Promise<PublishResult>;
}

export interface ArticlePost {
  /** Stable for the (story, form) pair: the same on every retry. */
  idempotencyKey: string;
  title: string;
  author: string;
  digest: string;
  /** Sanitised HTML of the article's body (the kitchen's one sanitiser). */
  bodyHtml: string;
  /** The story's page on Paike (阅读原文). */
  sourceUrl: string;
  /** Embedded contributor videos, linked from the article with their credit. */
  videos: { url: string; title: string; credit: string }[];
  /** The cover (JPEG or PNG): the article's thumb, and shown at the top of its content. */
  cover(): Promise<LocalMedia | null>;
}

export interface AnnouncePost {
  title: string;
  text: string;
  /** Paike's own page for it (the chart page), inside the text where the platform wants a link. */
  link: string;
}

/** Seconds left before a token's expiry at which Paike refreshes it. */
export const REFRESH_MARGIN_SECONDS = 600;
