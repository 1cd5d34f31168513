import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * File tokens: `<loanId>.<expiry, unix seconds>.<HMAC-SHA256 of both>` in base64url. A token names
 * a loan and a moment, nothing else; whether the loan may still be read is asked of the database
 * on every request, so a token outlives neither its loan nor its ten minutes.
 */
export function createFileTokens(secret: string) {
  const sign = (loanId: string, exp: number) => createHmac('sha256', secret).update(`paike-lending-file:${loanId}:${exp}`).digest('base64url');
  return {
    issue(loanId: string, expiresAt: Date): string {
      const exp = Math.floor(expiresAt.getTime() / 1000);
      return `${loanId}.${exp}.${sign(loanId, exp)}`;
    },
    /** The loan and expiry a token names, if we signed it (expired or not: the caller compares). */
    read(token: string): { loanId: string; expiresAt: Date } | null {
      const m = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
      if (!m) return null;
      const [, loanId, expText, sig] = m as unknown as [string, string, string, string];
      const exp = Number(expText);
      const given = Buffer.from(sig);
      const want = Buffer.from(sign(loanId, exp));
      if (given.length !== want.length || !timingSafeEqual(given, want)) return null;
      return { loanId, expiresAt: new Date(exp * 1000) };
    },
  };
}
export type FileTokens = ReturnType<typeof createFileTokens>;

/** The signing secret: derived from PAYOUT_DETAILS_KEY (required in production), else a development one per data directory. */
export function lendingTokenSecret(config: { PAYOUT_DETAILS_KEY?: string; dataDir: string }): string {
  if (config.PAYOUT_DETAILS_KEY) return createHmac('sha256', config.PAYOUT_DETAILS_KEY).update('paike-lending-file-token-v1').digest('hex');
  return createHash('sha256').update(`paike-development-lending-token:${config.dataDir}`).digest('hex');
}
