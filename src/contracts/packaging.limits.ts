// No zod here: the web app imports these values directly, so server and pages share one table.
/** Where an adopted video goes: Paike's own app and web, the four platforms, kiosk screens. */
export const CHANNELS = ['app', 'weibo', 'wechat', 'toutiao', 'penguin', 'kiosk'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * Length limits per channel, in characters (a Chinese character counts as one). Sources:
 * Weibo posts are 140 characters with the link; WeChat's draft/add takes a title of 32, a digest
 * of 128 and an author of 16 (docs/channels/wechat.md); Toutiao titles must be 5–30; Penguin (QQ) video titles 30, and
 * kiosk screens fit about 24 characters in their headline band. See docs/desk.md.
 */
export const CHANNEL_LIMITS: Record<Channel, { headline: [number, number]; summary: number; tags: number; credit: number }> = {
  app: { headline: [1, 60], summary: 300, tags: 10, credit: 40 },
  weibo: { headline: [1, 30], summary: 110, tags: 5, credit: 20 },
  wechat: { headline: [1, 32], summary: 120, tags: 5, credit: 16 },
  toutiao: { headline: [5, 30], summary: 120, tags: 5, credit: 20 },
  penguin: { headline: [1, 30], summary: 200, tags: 5, credit: 20 },
  kiosk: { headline: [1, 24], summary: 80, tags: 0, credit: 20 },
};
