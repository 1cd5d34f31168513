import { z } from 'zod';
import { adminUserSchema, roleSchema } from './accounts.js';
import { localeSchema } from './common.js';

/**
 * The back office at campaign scale (issue 13): paged user search, the per-user role editor,
 * "reset sign-in", the studio member picker and the filtered audit log.
 */

/** Free text a person types into a search box: trimmed, and only as long as any name or address. */
const searchText = z.string().trim().max(100);

export const USER_SORTS = ['newest', 'oldest', 'name'] as const;

export const adminUserQuery = z.strictObject({
  /** Matched against name and email (substring, case-insensitive, `%` `_` `\` literal) and phone (any written form). */
  q: searchText.optional(),
  role: roleSchema.optional(),
  status: z.enum(['active', 'disabled']).optional(),
  sort: z.enum(USER_SORTS).default('newest'),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(25),
});
export type AdminUserQuery = z.infer<typeof adminUserQuery>;

export const adminUserPageReply = z.object({
  users: z.array(adminUserSchema),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});

export const adminUserDetailSchema = adminUserSchema.extend({
  locale: localeSchema,
  /** False after "reset sign-in" (or for a phone-only account): the user must reset or use a code. */
  hasPassword: z.boolean(),
  activeSessions: z.number().int(),
  lastSeenAt: z.iso.datetime().nullable(),
});
export const adminUserDetailReply = z.object({ user: adminUserDetailSchema });

export const resetSignInBody = z.strictObject({ reason: z.string().trim().min(1).max(500) });
export const resetSignInReply = z.object({ user: adminUserDetailSchema, sessionsRevoked: z.number().int() });

/** Studio member picker: staff only (editor, chief editor, admin), enabled accounts. */
export const staffQuery = z.strictObject({
  q: searchText.optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(50).default(20),
});
export const staffPersonSchema = z.object({ id: z.uuid(), name: z.string(), email: z.string().nullable(), roles: z.array(roleSchema) });
export const staffPageReply = z.object({ users: z.array(staffPersonSchema), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() });
export type StaffPerson = z.infer<typeof staffPersonSchema>;

export const studioMemberBody = z.strictObject({ userId: z.uuid() });
export const studioMemberParams = z.strictObject({ id: z.uuid(), userId: z.uuid() });
export const studioLeadBody = z.strictObject({ userId: z.uuid().nullable() });

/** Audit log filters; every filter is optional and they combine with AND. */
export const auditQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** Entries older than this entry id (the last `id` of the previous page). */
  before: z.coerce.number().int().positive().optional(),
  /** 1-based page of `limit` entries, for a pager with a total (ignored when `before` is given). */
  page: z.coerce.number().int().min(1).max(100_000).optional(),
  actorId: z.uuid().optional(),
  /** Matched against the actor's name and email, as the user search does. */
  actor: searchText.optional(),
  /** An action code (`submission.adopt`), or a domain (`submission`) for all of its actions. */
  action: z
    .string()
    .trim()
    .max(60)
    .regex(/^[a-z_]+(\.[a-z_]+)?$/)
    .optional(),
  objectType: z
    .string()
    .trim()
    .max(40)
    .regex(/^[a-z_]+$/)
    .optional(),
  objectId: z.string().trim().min(1).max(100).optional(),
  /** Inclusive lower bound (ISO date-time, or a YYYY-MM-DD day in Asia/Shanghai). */
  from: z.union([z.iso.datetime({ offset: true }), z.iso.date()]).optional(),
  /** Exclusive upper bound for a date-time; a YYYY-MM-DD day includes that whole day. */
  to: z.union([z.iso.datetime({ offset: true }), z.iso.date()]).optional(),
});
export type AuditQuery = z.infer<typeof auditQuery>;

export const auditEntrySchema = z.object({
  id: z.number().int(),
  at: z.iso.datetime(),
  actorId: z.uuid().nullable(),
  actorName: z.string().nullable(),
  action: z.string(),
  objectType: z.string(),
  objectId: z.string().nullable(),
  /** A human name for the object when there is one (a user's name, a submission's title, a studio's name). */
  objectName: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;
export const auditReply = z.object({ entries: z.array(auditEntrySchema), total: z.number().int() });
