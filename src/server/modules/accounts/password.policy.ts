import { dictionary } from '@zxcvbn-ts/language-common';
import { PASSWORD_MAX, PASSWORD_MIN } from '../../../contracts/accounts.js';
import { AppError } from '../../lib/errors.js';

// OWASP ASVS L2 (V2.1): 12–128 characters, any characters, no composition rules, and a
// check against common passwords. The list ships with @zxcvbn-ts/language-common (49k
// entries); entries shorter than the minimum can only match as repetitions.
const common = new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()));

function isRepetition(pw: string): boolean {
  for (let len = 1; len <= pw.length / 2; len++) {
    if (pw.length % len !== 0) continue;
    const unit = pw.slice(0, len);
    if (unit.repeat(pw.length / len) === pw && (len <= 4 || common.has(unit))) return true;
  }
  return false;
}

function isSequence(pw: string): boolean {
  const codes = [...pw].map((c) => c.codePointAt(0) ?? 0);
  const step = (codes[1] ?? 0) - (codes[0] ?? 0);
  return Math.abs(step) === 1 && codes.every((c, i) => i === 0 || c - (codes[i - 1] ?? 0) === step);
}

/** Throws a coded error if the password breaks the policy; `context` words (email, name) may not be the password. */
export function checkPassword(password: string, context: string[] = []): void {
  // Length counts characters as people see them (code points), not UTF-16 units.
  const length = [...password].length;
  if (length < PASSWORD_MIN) throw new AppError('auth.password_too_short', { min: PASSWORD_MIN });
  if (length > PASSWORD_MAX) throw new AppError('auth.password_too_long', { max: PASSWORD_MAX });
  const lower = password.toLowerCase();
  const contextWords = context.map((c) => c.toLowerCase()).filter((c) => c.length >= 4);
  if (common.has(lower) || isRepetition(lower) || isSequence(lower) || contextWords.some((w) => lower === w || lower === w.split('@')[0])) {
    throw new AppError('auth.password_common');
  }
}
