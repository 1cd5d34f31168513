import { z } from 'zod';

/** The two languages every user-facing text exists in. */
export const LOCALES = ['zh-CN', 'en'] as const;
export const localeSchema = z.enum(LOCALES);
export type Locale = z.infer<typeof localeSchema>;

/** A text written once per language, e.g. a campaign title. */
export const localizedTextSchema = z.strictObject({
  'zh-CN': z.string().trim().min(1).max(2000),
  en: z.string().trim().min(1).max(2000),
});
export type LocalizedText = z.infer<typeof localizedTextSchema>;

/** Every error the API returns has this shape; `message` is in the request's language. */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

export const idParamSchema = z.strictObject({ id: z.uuid() });

/** Money is integer fen everywhere; yuan only on screen. */
export const fenSchema = z.number().int().nonnegative();
