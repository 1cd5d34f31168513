import { createHash, createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';

/**
 * Session-scoped grab tokens: HMAC-SHA256 over (session, user, account creation, expiry) with a
 * server secret. The rain page fetches one per session (signed in, member of the campaign); a
 * grab without a valid one is refused, so a script must at least go through the signed-in
 * token route (rate-limited and logged like grabs).
 *
 * The token names its contributor and the account's creation time, both signed, so a grab
 * sent without the session cookie is still a known contributor's: the grab route then skips the
 * cookie's session lookup in PostgreSQL, the one database read every signed-in request pays
 * (docs/rain.md, "Grabbing"). Format: `<exp>.<userId>.<createdAtMs>.<signature>`.
 */
export interface RainTokenClaims {
  userId: string;
  accountCreatedAt: Date;
  expiresAt: Date;
}

export interface RainTokens {
  issue(sessionId: string, user: { id: string; createdAt: Date }, expiresAt: Date): string;
  /** The claims of a well-signed, unexpired token for this session, or null. */
  read(token: string | undefined, sessionId: string, now: Date): RainTokenClaims | null;
  verify(token: string | undefined, sessionId: string, userId: string, now: Date): boolean;
}

export function createRainTokens(secret: string): RainTokens {
  // A key object once, rather than the secret string converted on every grab.
  const key = createSecretKey(Buffer.from(secret));
  const sign = (sessionId: string, userId: string, created: number, exp: number) =>
    createHmac('sha256', key).update(`rain:v2:${sessionId}:${userId}:${created}:${exp}`).digest('base64url');
  const read: RainTokens['read'] = (token, sessionId, now) => {
    if (!token || token.length > 200) return null;
    const parts = token.split('.');
    if (parts.length !== 4) return null;
    const [expText, userId, createdText, sig] = parts as [string, string, string, string];
    const exp = Number(expText);
    const created = Number(createdText);
    if (!Number.isSafeInteger(exp) || !Number.isSafeInteger(created) || !userId || exp * 1000 < now.getTime()) return null;
    const given = Buffer.from(sig);
    const want = Buffer.from(sign(sessionId, userId, created, exp));
    if (given.length !== want.length || !timingSafeEqual(given, want)) return null;
    return { userId, accountCreatedAt: new Date(created), expiresAt: new Date(exp * 1000) };
  };
  return {
    issue(sessionId, user, expiresAt) {
      const exp = Math.floor(expiresAt.getTime() / 1000);
      const created = user.createdAt.getTime();
      return `${exp}.${user.id}.${created}.${sign(sessionId, user.id, created, exp)}`;
    },
    read,
    verify: (token, sessionId, userId, now) => read(token, sessionId, now)?.userId === userId,
  };
}

/** Outside production, a stable development secret derived from DATA_DIR (as payout details do). */
export function developmentRainSecret(dataDir: string): string {
  return createHash('sha256').update(`paike-development-rain-token:${dataDir}`).digest('hex');
}

/** The signing secret: RAIN_TOKEN_SECRET, else one derived from the payout secret, else a development one. */
export function rainTokenSecret(config: { RAIN_TOKEN_SECRET?: string; PAYOUT_DETAILS_KEY?: string; dataDir: string }): string {
  if (config.RAIN_TOKEN_SECRET) return config.RAIN_TOKEN_SECRET;
  if (config.PAYOUT_DETAILS_KEY) return createHmac('sha256', config.PAYOUT_DETAILS_KEY).update('paike-rain-token-v1').digest('hex');
  return developmentRainSecret(config.dataDir);
}
