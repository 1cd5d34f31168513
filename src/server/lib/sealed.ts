import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM with a key derived (HKDF-SHA256) from one configured secret, for data that must
 * be stored but never shown: payout details, platform credentials. Each use has its own salt
 * and info, so one master secret yields unrelated keys. The associated data binds a blob to
 * its row: a ciphertext copied onto another row does not open.
 */
export interface SealedBox {
  seal(aad: string, plaintext: string): string;
  /** Throws when the blob was altered, is bound to another row, or was sealed with another key. */
  open(aad: string, blob: string): string;
}

export function deriveKey(secret: string, salt: string, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, salt, info, 32));
}

export function createSealedBox(key: Buffer): SealedBox {
  return {
    seal(aad, plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(aad));
      const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `v1:${iv.toString('base64')}:${cipher.getAuthTag().toString('base64')}:${data.toString('base64')}`;
    },
    open(aad, blob) {
      const [version, iv, tag, data] = blob.split(':');
      if (version !== 'v1' || !iv || !tag || !data) throw new Error(`unknown sealed format ${version}`);
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
      decipher.setAAD(Buffer.from(aad));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
    },
  };
}
