import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Session-scoped grab tokens: HMAC-SHA256 over (session, user, expiry) with a server secret.
 * The rain page fetches one per session; a grab without a valid one is refused, so a script
 * must at least go through the signed-in token route (rate-limited and logged like grabs).
 */
export interface RainTokens {
  issue(sessionId: string, userId: string, expiresAt: Date): string;
  verify(token: string | undefined, sessionId: string, userId: string, now: Date): boolean;
}

export function createRainTokens(secret: string): RainTokens {
  const sign = (sessionId: string, userId: string, exp: number) =>
    createHmac('sha256', secret).update(`rain:v1:${sessionId}:${userId}:${exp}`).digest('base64url');
  return {
    issue(sessionId, userId, expiresAt) {
      const exp = Math.floor(expiresAt.getTime() / 1000);
      return `${exp}.${sign(sessionId, userId, exp)}`;
    },
    verify(token, sessionId, userId, now) {
      if (!token || token.length > 200) return false;
      const dot = token.indexOf('.');
      const exp = Number(token.slice(0, dot));
      if (dot < 1 || !Number.isSafeInteger(exp) || exp * 1000 < now.getTime()) return false;
      const given = Buffer.from(token.slice(dot + 1));
      const want = Buffer.from(sign(sessionId, userId, exp));
      return given.length === want.length && timingSafeEqual(given, want);
    },
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
