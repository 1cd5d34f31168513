import { z } from 'zod';
import { localeSchema } from './common.js';
import { nameSchema } from './accounts.js';

/** Shapes of WeChat sign-in shared by server and web (docs/api.md, "WeChat sign-in"). */
export const wechatAvailableReply = z.object({ qr: z.boolean(), mp: z.boolean() });
export const wechatStartBody = z.strictObject({
  /** `qr`: the website app's QR page (a desktop); `mp`: the 公众号's authorisation (only inside WeChat's browser). */
  flow: z.enum(['qr', 'mp']),
  /** `link` adds the WeChat to the signed-in account (needs a session). */
  intent: z.enum(['sign_in', 'link']).default('sign_in'),
  /** Sign-up from a campaign's QR join link joins that campaign too. */
  campaignId: z.uuid().optional(),
  /** Where to land after signing in: a path on this site (anything else is ignored). */
  next: z.string().max(500).optional(),
});
export const wechatStartReply = z.object({ url: z.string() });
export const wechatCallbackQuery = z.object({
  code: z.string().max(512).optional(),
  state: z.string().max(512).optional(),
});
export const wechatPendingReply = z.object({ nickname: z.string().nullable(), campaignId: z.uuid().nullable() });
export const wechatSignUpBody = z.strictObject({
  name: nameSchema,
  /** Must be true: the contributor terms were shown and accepted. */
  acceptTerms: z.boolean(),
  locale: localeSchema.optional(),
});
export const wechatIdentitySchema = z.object({
  id: z.uuid(),
  /** `open`: the website app (QR); `mp`: the 公众号. */
  app: z.enum(['open', 'mp']),
  nickname: z.string().nullable(),
  linkedAt: z.iso.datetime(),
  /** This identity's openid is where WeChat Pay payouts go. */
  payee: z.boolean(),
});
export const wechatIdentitiesReply = z.object({ identities: z.array(wechatIdentitySchema), available: wechatAvailableReply });
