import { createHash, createHmac } from 'node:crypto';
import { createSealedBox, deriveKey } from '../../lib/sealed.js';
import { AppError } from '../../lib/errors.js';

/** What a contributor gives to be paid: personal data, encrypted at rest. */
export interface PaymentDetails {
  realName: string;
  account: string;
}

/**
 * AES-256-GCM for payout details, with keys derived (HKDF-SHA256) from one configured secret:
 * one key encrypts, another keys the HMAC that fingerprints a request body so a retry can be
 * compared without decrypting. The payout id is the associated data, so a ciphertext copied
 * onto another row does not decrypt.
 */
export interface PayoutCipher {
  encrypt(payoutId: string, details: PaymentDetails): string;
  decrypt(payoutId: string, blob: string): PaymentDetails;
  fingerprint(body: Record<string, unknown>): string;
}

export function createPayoutCipher(secret: string): PayoutCipher {
  const box = createSealedBox(deriveKey(secret, 'paike-payouts', 'payout-details-aes-256-gcm-v1'));
  const macKey = deriveKey(secret, 'paike-payouts', 'payout-request-hmac-v1');
  return {
    encrypt(payoutId, details) {
      return box.seal(`payout:${payoutId}`, JSON.stringify({ realName: details.realName, account: details.account }));
    },
    decrypt(payoutId, blob) {
      try {
        return JSON.parse(box.open(`payout:${payoutId}`, blob)) as PaymentDetails;
      } catch (err) {
        throw new AppError('payout.details_unreadable', {}, { cause: err });
      }
    },
    fingerprint(body) {
      const canonical = JSON.stringify(
        Object.keys(body)
          .sort()
          .map((k) => [k, body[k] ?? null]),
      );
      return createHmac('sha256', macKey).update(canonical).digest('base64url');
    },
  };
}

/** Outside production without PAYOUT_DETAILS_KEY: a stable key per data directory (and a warning from the caller). */
export function developmentSecret(dataDir: string): string {
  return createHash('sha256').update(`paike-development-payout-key:${dataDir}`).digest('hex');
}

// ---- masking: what screens show instead of the account ----

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MOBILE = /^1\d{10}$/;

/** Bank card `6222 **** **** 1234`; email `a***@example.com`; mobile `138****5678`; other IDs `wx***89`. */
export function maskAccount(account: string): string {
  const a = account.trim();
  const digits = a.replace(/[\s-]/g, '');
  if (EMAIL.test(a)) {
    const at = a.lastIndexOf('@');
    return `${a.slice(0, 1)}***${a.slice(at)}`;
  }
  if (MOBILE.test(digits)) return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
  if (/^\d{12,30}$/.test(digits)) return `${digits.slice(0, 4)} **** **** ${digits.slice(-4)}`;
  if (a.length <= 4) return `${a.slice(0, 1)}***`;
  return `${a.slice(0, 2)}***${a.slice(-2)}`;
}

/** `张三` → `张*`, `欧阳娜娜` → `欧***`: enough for the owner to recognise, little for anyone else. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  return chars[0] + '*'.repeat(Math.max(1, Math.min(chars.length - 1, 6)));
}

/** Refuses accounts that cannot be right for the method; returns the account as it is stored. */
export function normaliseAccount(method: 'wechat' | 'alipay' | 'bank', account: string): string | null {
  const a = account.trim();
  const compact = a.replace(/[\s-]/g, '');
  switch (method) {
    case 'bank':
      return /^\d{12,30}$/.test(compact) ? compact : null;
    case 'alipay':
      return EMAIL.test(a) ? a : MOBILE.test(compact) ? compact : null;
    case 'wechat':
      // A WeChat ID (6–20: a letter first, then letters, digits, _ or -), a mobile number, or an openid.
      if (MOBILE.test(compact)) return compact;
      return /^[A-Za-z][-_A-Za-z0-9]{5,19}$/.test(a) || /^[-_A-Za-z0-9]{20,64}$/.test(a) ? a : null;
  }
}

/** Integer fen as yuan with two decimals, without floating point. */
export function fenToYuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/**
 * Characters refused in payout text that reaches a bank, WeChat Pay or Alipay file: C0/C1
 * controls (NUL, tab, line breaks, escape…), line and paragraph separators, and the invisible
 * direction marks, embeddings, overrides and isolates (U+200E/F, U+061C, U+202A–U+202E,
 * U+2066–U+2069) that make a name or an account read differently on finance's screen from what
 * the bank receives; also the byte-order mark and interlinear annotation marks. Zero-width
 * (non-)joiners stay allowed: Persian and Indic names need them.
 */
const UNPRINTABLE = /[\p{Cc}\p{Zl}\p{Zp}\u200E\u200F\u061C\u202A-\u202E\u2066-\u2069\uFEFF\uFFF9-\uFFFB]/u;
const UNPRINTABLE_ALL = new RegExp(UNPRINTABLE.source, 'gu');
/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATE_ALL = new RegExp(LONE_SURROGATE.source, 'g');

/** True when `text` is well-formed UTF-16 (no lone surrogate) and holds none of the characters above. */
export function isPrintableText(text: string): boolean {
  return !LONE_SURROGATE.test(text) && !UNPRINTABLE.test(text);
}

/** `text` without those characters (and with a lone surrogate as U+FFFD): for rows written before the rule. */
export function stripUnprintable(text: string): string {
  return text.replace(LONE_SURROGATE_ALL, '\uFFFD').replace(UNPRINTABLE_ALL, '');
}
