import { inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { kioskAssets } from '../../db/schema.js';

export interface AssetHash {
  url: string;
  bytes: number;
  sha256: string;
}

/** Hashes of the files kiosk manifests list (migrations/0037_kiosk_assets.sql). */
export function createAssetsRepository(db: Db) {
  return {
    async find(urls: string[]): Promise<Map<string, AssetHash>> {
      if (urls.length === 0) return new Map();
      const rows = await db
        .select({ url: kioskAssets.url, bytes: kioskAssets.bytes, sha256: kioskAssets.sha256 })
        .from(kioskAssets)
        .where(inArray(kioskAssets.url, urls));
      return new Map(rows.map((r) => [r.url, r]));
    },
    async save(a: AssetHash): Promise<void> {
      await db
        .insert(kioskAssets)
        .values(a)
        .onConflictDoUpdate({ target: kioskAssets.url, set: { bytes: a.bytes, sha256: a.sha256, computedAt: sql`now()` } });
    },
  };
}
export type AssetsRepository = ReturnType<typeof createAssetsRepository>;
