import { createHmac } from 'node:crypto';
import type { Clock } from '../../lib/clock.js';
import { assertCan, can, type Actor } from '../accounts/permissions.js';
import { AppError } from '../../lib/errors.js';

export interface IceConfig {
  stunUrls: string[];
  turnUrls: string[];
  /** coturn's static-auth-secret; never leaves the server. */
  turnSecret?: string;
  ttlSeconds: number;
}

/**
 * STUN and TURN servers for a caller's browser (docs/command-live.md, "STUN and TURN"). TURN
 * credentials are coturn's REST form (use-auth-secret): username `<expiry unix>:<userId>`,
 * password base64(HMAC-SHA1(secret, username)); coturn checks them with the same secret, so
 * Paike keeps no TURN accounts and a leaked credential dies at its expiry.
 */
export function createIceService(deps: { config: IceConfig; clock: Clock }) {
  const { config } = deps;
  return {
    servers(actor: Actor | null | undefined) {
      if (!actor) throw new AppError('auth.required');
      if (!can(actor, 'command.field')) assertCan(actor, 'command.view');
      const iceServers: { urls: string[]; username?: string; credential?: string }[] = [];
      if (config.stunUrls.length) iceServers.push({ urls: config.stunUrls });
      let expiresAt: string | null = null;
      if (config.turnUrls.length && config.turnSecret) {
        const expiry = Math.floor(deps.clock.now().getTime() / 1000) + config.ttlSeconds;
        const username = `${expiry}:${actor.id}`;
        const credential = createHmac('sha1', config.turnSecret).update(username).digest('base64');
        iceServers.push({ urls: config.turnUrls, username, credential });
        expiresAt = new Date(expiry * 1000).toISOString();
      }
      return { iceServers, expiresAt };
    },
  };
}
export type IceService = ReturnType<typeof createIceService>;
