import { createSealedBox, deriveKey } from '../../lib/sealed.js';
import type { ExternalChannel } from '../../db/schema.js';
import type { ChannelCredentials } from './channels/channel.js';

/**
 * Platform credentials at rest: sealed with a key derived from the master secret
 * (PAYOUT_DETAILS_KEY, or the development key) under its own salt, bound to the channel.
 */
export interface CredentialsVault {
  seal(channel: ExternalChannel, creds: ChannelCredentials): string;
  open(channel: ExternalChannel, blob: string): ChannelCredentials;
}

export function createCredentialsVault(secret: string): CredentialsVault {
  const box = createSealedBox(deriveKey(secret, 'paike-channels', 'channel-credentials-aes-256-gcm-v1'));
  return {
    seal: (channel, creds) => box.seal(`channel:${channel}`, JSON.stringify(creds)),
    open: (channel, blob) => JSON.parse(box.open(`channel:${channel}`, blob)) as ChannelCredentials,
  };
}
