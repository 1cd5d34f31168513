import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { ilike, like, or, sql, type SQL } from 'drizzle-orm';
import { users } from '../../db/schema.js';

/**
 * `%`, `_` and `\` typed into a search box are the characters themselves, not LIKE wildcards:
 * PostgreSQL's LIKE escapes with a backslash by default, on PGlite and PostgreSQL alike.
 */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Phones are stored in E.164 (`+8613900139001`); people type them as `139 0013 9001`,
 * `+86 139-0013-9001` or `0086…`. A number that parses (mainland China by default) matches its
 * E.164 form exactly; four or more digits otherwise match anywhere in the stored number, so a
 * tail such as `9001` finds it too.
 */
export function phoneCandidates(q: string): { e164?: string; digits?: string } {
  const out: { e164?: string; digits?: string } = {};
  if (!/^[\d\s+().-]+$/.test(q)) return out;
  const parsed = parsePhoneNumberFromString(q, 'CN');
  if (parsed?.isValid()) out.e164 = parsed.number;
  const digits = q.replace(/\D/g, '');
  if (digits.length >= 4) out.digits = digits;
  return out;
}

/** The condition for one search box over name, email and phone; undefined when the box is empty. */
export function userTextCondition(q: string | undefined): SQL | undefined {
  const text = q?.trim();
  if (!text) return undefined;
  const pattern = `%${escapeLike(text)}%`;
  const phone = phoneCandidates(text);
  const parts: SQL[] = [ilike(users.name, pattern), ilike(users.email, pattern)];
  if (phone.e164) parts.push(sql`${users.phone} = ${phone.e164}`);
  if (phone.digits) parts.push(like(users.phone, `%${phone.digits}%`));
  return or(...parts);
}
