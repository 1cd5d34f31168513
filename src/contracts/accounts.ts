import { z } from 'zod';
import { localeSchema } from './common.js';
import { phoneCountrySchema, phoneInputSchema } from './phone.js';

/** `reporter`: a staff reporter in the field (issue 15): takes assignments and uploads like a contributor. */
export const ROLES = ['contributor', 'reporter', 'editor', 'chief_editor', 'finance', 'admin'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;
export const STAFF_ROLES: readonly Role[] = ['reporter', 'editor', 'chief_editor', 'finance', 'admin'];

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;

export const emailSchema = z
  .email()
  .max(254)
  .transform((s) => s.trim().toLowerCase());
// Length only: OWASP ASVS L2 forbids composition rules; the common-password check is server-side.
export const passwordSchema = z.string().min(1).max(1024);
export const nameSchema = z.string().trim().min(1).max(80);
/** E.164, e.g. +8613800138000. */
export const phoneSchema = z.string().regex(/^\+[1-9]\d{6,14}$/);

export const meSchema = z.object({
  id: z.uuid(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  name: z.string(),
  roles: z.array(roleSchema),
  locale: localeSchema,
});
export type Me = z.infer<typeof meSchema>;

export const signUpEmailBody = z.strictObject({
  email: emailSchema,
  password: passwordSchema,
  name: nameSchema,
  locale: localeSchema.optional(),
  /** Join this campaign in the same step; sign-up is refused whole if the campaign is full. */
  campaignId: z.uuid().optional(),
});
export const signInEmailBody = z.strictObject({ email: emailSchema, password: passwordSchema });
/** `phone` as typed (E.164, or national digits read in `country`, default CN); stored as E.164. */
export const sendPhoneCodeBody = z.strictObject({ phone: phoneInputSchema, country: phoneCountrySchema.optional() });
export const signInPhoneBody = z.strictObject({
  phone: phoneInputSchema,
  country: phoneCountrySchema.optional(),
  code: z.string().regex(/^\d{6}$/),
  name: nameSchema.optional(),
  locale: localeSchema.optional(),
  campaignId: z.uuid().optional(),
});
export const updateMeBody = z.strictObject({
  name: nameSchema.optional(),
  locale: localeSchema.optional(),
});
export const userReply = z.object({ user: meSchema });

export const sessionSchema = z.object({
  id: z.uuid(),
  createdAt: z.iso.datetime(),
  lastSeenAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  userAgent: z.string().nullable(),
  ip: z.string().nullable(),
  current: z.boolean(),
});
export const sessionListReply = z.object({ sessions: z.array(sessionSchema) });

export const adminUserSchema = z.object({
  id: z.uuid(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  name: z.string(),
  roles: z.array(roleSchema),
  disabled: z.boolean(),
  createdAt: z.iso.datetime(),
});
export type AdminUser = z.infer<typeof adminUserSchema>;
export const adminUserListReply = z.object({ users: z.array(adminUserSchema) });
export const adminCreateUserBody = z.strictObject({
  email: emailSchema,
  password: passwordSchema,
  name: nameSchema,
  roles: z.array(roleSchema).min(1),
});
export const adminUpdateUserBody = z.strictObject({
  roles: z.array(roleSchema).min(1).optional(),
  disabled: z.boolean().optional(),
  name: nameSchema.optional(),
});
