import { createHash, createHmac } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { KioskManifest } from '../../../contracts/kiosk.js';
import type { KioskScreenRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import type { Storage } from '../../lib/storage.js';
import type { KioskService } from '../distribution/kiosk.service.js';
import type { AssetHash, AssetsRepository } from './assets.repository.js';
import type { ScheduleService } from './schedule.service.js';

type Content = Awaited<ReturnType<KioskService['content']>>;
type Asset = KioskManifest['assets'][number];

export interface ManifestDeps {
  content: (campaignId: string | null) => Promise<Content>;
  schedule: ScheduleService;
  assets: AssetsRepository;
  storage: Storage;
  /** The bytes of a kitchen image by id (web size), whatever storage key it has. */
  kitchenImage: (imageId: string) => Promise<Readable | null>;
  clock: Clock;
  storageBudgetBytes: number;
}

/**
 * The rendition a kiosk keeps offline: the best one within this bandwidth (a wall screen seen from
 * a few metres, a cache that must hold a day's loop), else the lightest there is.
 */
export const OFFLINE_MAX_BANDWIDTH = 3_000_000;
/** Content (videos, cards, chart, hashes) is built once per campaign for this long, whatever the fleet's size. */
const CONTENT_TTL_MS = 10_000;

const MEDIA = '/api/media/';
const KITCHEN_IMAGE = /^\/api\/kitchen\/images\/([0-9a-f-]{36})\/web$/;
/** A name in one of our own HLS playlists: ffmpeg wrote it, but it still never leaves the folder. */
const PLAYLIST_NAME = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_.-]+)?$|^[A-Za-z0-9_.-]+$/;

const sha256hex = (s: string) => createHash('sha256').update(s).digest('hex');

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks);
}

/** The variants of a master playlist, as [uri, bandwidth]. */
export function variantsOf(master: string): { uri: string; bandwidth: number }[] {
  const out: { uri: string; bandwidth: number }[] = [];
  const lines = master.split(/\r?\n/).map((l) => l.trim());
  for (let i = 0; i < lines.length; i++) {
    const m = /^#EXT-X-STREAM-INF:.*\bBANDWIDTH=(\d+)/.exec(lines[i]!);
    const uri = lines[i + 1];
    if (m && uri && !uri.startsWith('#') && PLAYLIST_NAME.test(uri) && !uri.includes('..')) out.push({ uri, bandwidth: Number(m[1]) });
  }
  return out;
}

/** The files a media playlist needs, relative to it: its init segment (fMP4) and its segments, in order. */
export function filesOf(media: string): { init: string[]; segments: string[] } {
  const init: string[] = [];
  const segments: string[] = [];
  for (const raw of media.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    const map = /^#EXT-X-MAP:.*\bURI="([^"]+)"/.exec(line);
    if (map) {
      if (PLAYLIST_NAME.test(map[1]!) && !map[1]!.includes('/')) init.push(map[1]!);
    } else if (!line.startsWith('#') && PLAYLIST_NAME.test(line) && !line.includes('/')) segments.push(line);
  }
  return { init, segments };
}

export const pickVariant = (variants: { uri: string; bandwidth: number }[]) => {
  const within = variants.filter((v) => v.bandwidth <= OFFLINE_MAX_BANDWIDTH).sort((a, b) => b.bandwidth - a.bandwidth);
  return within[0] ?? [...variants].sort((a, b) => a.bandwidth - b.bandwidth)[0] ?? null;
};

/**
 * The signed offline manifest a kiosk caches ahead from (docs/kiosk.md "Offline"): its schedule,
 * what its loop shows, and every file that needs with its SHA-256 and size. The body is signed with
 * HMAC-SHA256 keyed by the SHA-256 of the screen's device key (what the server stores, and what the
 * screen can work out), so a screen keeps only a manifest that came from Paike for it.
 */
export function createManifestService(deps: ManifestDeps) {
  const built = new Map<string, { at: number; value: ReturnType<typeof build> }>();

  /** Reads a file once, hashes it and keeps the hash for the next build. */
  async function hashFresh(url: string, kind: Asset['kind'], stream: Readable | null): Promise<Asset | null> {
    if (!stream) return null;
    const bytes = await readAll(stream);
    const fresh = { url, bytes: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') };
    await deps.assets.save(fresh);
    return { ...fresh, kind };
  }

  async function hashOf(url: string, kind: Asset['kind'], known: Map<string, AssetHash>): Promise<Asset | null> {
    const hit = known.get(url);
    if (url.startsWith(MEDIA)) {
      const key = url.slice(MEDIA.length);
      const info = await deps.storage.stat(key);
      if (!info) return null;
      if (hit && hit.bytes === info.size) return { ...hit, kind };
      return hashFresh(url, kind, await deps.storage.get(key));
    }
    const image = KITCHEN_IMAGE.exec(url);
    if (!image) return null;
    // The bytes behind an image id never change (a new upload is a new id).
    if (hit) return { ...hit, kind };
    return hashFresh(url, kind, await deps.kitchenImage(image[1]!).catch(() => null));
  }

  /** One video's offline files: the chosen rendition's playlist, init segment and segments, and its poster. */
  async function videoFiles(hlsUrl: string, posterUrl: string | null): Promise<{ hlsUrl: string; files: { url: string; kind: Asset['kind'] }[] } | null> {
    if (!hlsUrl.startsWith(MEDIA) || !hlsUrl.endsWith('/master.m3u8')) return null;
    const masterKey = hlsUrl.slice(MEDIA.length);
    const master = await deps.storage.get(masterKey);
    if (!master) return null;
    const variant = pickVariant(variantsOf((await readAll(master)).toString('utf8')));
    if (!variant) return null;
    const base = masterKey.slice(0, masterKey.lastIndexOf('/') + 1);
    const mediaKey = base + variant.uri;
    const media = await deps.storage.get(mediaKey);
    if (!media) return null;
    const dir = mediaKey.slice(0, mediaKey.lastIndexOf('/') + 1);
    const { init, segments } = filesOf((await readAll(media)).toString('utf8'));
    const files: { url: string; kind: Asset['kind'] }[] = [];
    if (posterUrl) files.push({ url: posterUrl, kind: 'image' });
    files.push({ url: MEDIA + mediaKey, kind: 'playlist' });
    for (const f of init) files.push({ url: MEDIA + dir + f, kind: 'init' });
    for (const f of segments) files.push({ url: MEDIA + dir + f, kind: 'segment' });
    return { hlsUrl: MEDIA + mediaKey, files };
  }

  async function build(campaignId: string | null) {
    const content = await deps.content(campaignId);
    const plans = await Promise.all(content.items.map((v) => videoFiles(v.hlsUrl, v.posterUrl).catch(() => null)));
    const cardFiles = content.cards.map((c) => {
      const img = c.imageUrl ?? c.posterUrl;
      return img ? [{ url: img, kind: 'image' as const }] : [];
    });
    const wanted = [...plans.flatMap((p) => p?.files ?? []), ...cardFiles.flat()];
    const known = await deps.assets.find([...new Set(wanted.map((w) => w.url))]);
    const hashed = new Map<string, Asset>();
    // One file at a time: the first build after a deploy reads every file once, and must not take the disk from playback.
    for (const w of wanted) {
      if (hashed.has(w.url)) continue;
      const a = await hashOf(w.url, w.kind, known);
      if (a) hashed.set(w.url, a);
    }
    // An item whose files are not all there cannot be kept offline; it still plays online.
    const offlineOf = (files: { url: string }[]) => (files.every((f) => hashed.has(f.url)) ? files.map((f) => f.url) : null);
    const items = content.items.map((v, i) => {
      const p = plans[i];
      const assets = p ? offlineOf(p.files) : null;
      return { ...v, offline: p && assets ? { hlsUrl: p.hlsUrl, assets } : null };
    });
    const cards = content.cards.map((c, i) => ({ ...c, offline: { assets: offlineOf(cardFiles[i]!) ?? [] } }));
    // In the loop's order, so a budget that runs out keeps the first items whole.
    const order = [...items.flatMap((v) => v.offline?.assets ?? []), ...cards.flatMap((c) => c.offline.assets)];
    const assets = [...new Set(order)].map((u) => hashed.get(u)!);
    // The content's part of every screen's manifest, serialised once per build: a fleet pulling
    // manifests costs one small JSON and two hashes a request, not this again.
    const fragment = JSON.stringify({
      items,
      cards,
      chart: content.chart,
      assets,
      totalBytes: assets.reduce((n, a) => n + a.bytes, 0),
      storageBudgetBytes: deps.storageBudgetBytes,
    }).slice(1, -1);
    return { fragment, version: sha256hex(fragment) };
  }

  function contentFor(campaignId: string | null) {
    const key = campaignId ?? '';
    const now = deps.clock.now().getTime();
    const hit = built.get(key);
    if (hit && now - hit.at < CONTENT_TTL_MS) return hit.value;
    const value = build(campaignId);
    built.set(key, { at: now, value });
    value.catch(() => built.delete(key));
    return value;
  }

  return {
    /**
     * The screen's manifest version (the ETag) and, unless the screen has that version already
     * (`has`, its If-None-Match), the exact bytes to send and their signature.
     */
    async forScreen(screen: KioskScreenRow, has: (version: string) => boolean = () => false): Promise<{ version: string; body?: string; signature?: string }> {
      const [content, own] = await Promise.all([contentFor(screen.campaignId), deps.schedule.ownSchedule(screen)]);
      const scheduleJson = JSON.stringify({ power: own.power, orientation: own.orientation, layers: own.layers });
      const screenJson = JSON.stringify({ id: screen.id, name: screen.name });
      const version = sha256hex(`${screenJson}\n${scheduleJson}\n${content.version}`).slice(0, 32);
      if (has(version)) return { version };
      const scheduleVersion = sha256hex(scheduleJson).slice(0, 16);
      // Key order as kioskManifestReply lists them.
      const body = `{"version":"${version}","screen":${screenJson},"schedule":{"version":"${scheduleVersion}",${scheduleJson.slice(1)},${content.fragment}}`;
      return { version, body, signature: signManifest(body, screen.keyHash ?? '') };
    },
  };
}
export type ManifestService = ReturnType<typeof createManifestService>;

/** `hmac-sha256=<base64url>` over the body's bytes, keyed by the hex SHA-256 of the device key. */
export const signManifest = (body: string, keyHash: string) => `hmac-sha256=${createHmac('sha256', keyHash).update(body).digest('base64url')}`;
