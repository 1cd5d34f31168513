import { z } from 'zod';
import { emailSchema, passwordSchema } from './accounts.js';
import { phoneCountrySchema, phoneInputSchema } from './phone.js';

/** Ask for a reset link by email, or a reset code by SMS: exactly one of `email` and `phone`. */
export const passwordResetRequestBody = z.union([
  z.strictObject({ email: emailSchema }),
  z.strictObject({ phone: phoneInputSchema, country: phoneCountrySchema.optional() }),
]);
/** The same answer whether or not an account has the address. */
export const passwordResetRequestReply = z.object({ expiresInSeconds: z.number().int() });

/** The token from the emailed link (`/reset-password#token=…`) and the new password. */
export const passwordResetEmailBody = z.strictObject({
  token: z.string().min(16).max(100),
  password: passwordSchema,
});
export const passwordResetSmsBody = z.strictObject({
  phone: phoneInputSchema,
  country: phoneCountrySchema.optional(),
  code: z.string().regex(/^\d{6}$/),
  password: passwordSchema,
});

/** `currentPassword` is required when the account has a password; an account without one (phone sign-up) sets its first. */
export const changePasswordBody = z.strictObject({
  currentPassword: passwordSchema.optional(),
  newPassword: passwordSchema,
});
export const revokedSessionsReply = z.object({ revokedSessions: z.number().int() });

export const signInPhonePasswordBody = z.strictObject({
  phone: phoneInputSchema,
  country: phoneCountrySchema.optional(),
  password: passwordSchema,
});

/** Whether the signed-in account has a password (the account page offers "set" or "change"). */
export const securityStatusReply = z.object({ hasPassword: z.boolean() });
