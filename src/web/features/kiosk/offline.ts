import type { KioskManifest } from '../../../contracts/kiosk.js';
import { KioskAuthError, kioskFetch, storedKey } from './kioskClient.js';

/**
 * The kiosk's offline side (docs/kiosk.md "Offline"): the signed manifest, kept in local storage
 * once it verifies, and the kiosk service worker (/kiosk-sw.js) that caches its files ahead. The
 * player asks `cachedUrls()` which items can play with no network.
 */
const MANIFEST_STORE = 'paike.kiosk.manifest';

export type Manifest = KioskManifest;
export type ManifestVideo = Manifest['items'][number];
export type ManifestCard = Manifest['cards'][number];

export const storedManifest = (): Manifest | null => {
  try {
    const raw = localStorage.getItem(MANIFEST_STORE);
    return raw ? (JSON.parse(raw) as Manifest) : null;
  } catch {
    return null;
  }
};
export const forgetManifest = () => localStorage.removeItem(MANIFEST_STORE);

const hex = (buf: ArrayBuffer) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');
const b64url = (buf: ArrayBuffer) =>
  btoa(String.fromCharCode(...new Uint8Array(buf)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

/**
 * Checks `hmac-sha256=<base64url>` over the body, keyed by the hex SHA-256 of the device key.
 * Web Crypto exists only on https or localhost; elsewhere nothing can be cached offline anyway
 * (no service worker either), so the manifest is used as fetched.
 */
export async function verifyManifest(body: string, signature: string | null, key: string): Promise<boolean> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return true;
  if (!signature?.startsWith('hmac-sha256=')) return false;
  const enc = new TextEncoder();
  const keyHash = hex(await subtle.digest('SHA-256', enc.encode(key)));
  const hmacKey = await subtle.importKey('raw', enc.encode(keyHash), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const expected = b64url(await subtle.sign('HMAC', hmacKey, enc.encode(body)));
  return expected === signature.slice('hmac-sha256='.length);
}

export class ManifestRefused extends Error {}

/**
 * The screen's manifest: a new one when it changed (verified, then kept), the kept one on 304.
 * Throws when the network fails: the caller plays the kept one meanwhile.
 */
export async function fetchManifest(): Promise<Manifest> {
  const key = storedKey();
  if (!key) throw new KioskAuthError('no key');
  const kept = storedManifest();
  const res = await kioskFetch('/api/kiosk/manifest', { key, headers: kept ? { 'if-none-match': `"${kept.version}"` } : {} });
  if (res.status === 304 && kept) return kept;
  if (!res.ok) throw new Error(`manifest: ${res.status}`);
  const body = await res.text();
  if (!(await verifyManifest(body, res.headers.get('paike-manifest-signature'), key))) throw new ManifestRefused('manifest signature');
  const m = JSON.parse(body) as Manifest;
  try {
    localStorage.setItem(MANIFEST_STORE, body);
  } catch {
    // Local storage full: play it now, fetch it again after a restart.
  }
  return m;
}

// ---- the service worker ----
let cached = new Set<string>();
const listeners = new Set<() => void>();
export const cachedUrls = () => cached;
export function onCacheChange(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function take(msg: unknown) {
  const m = msg as { type?: string; urls?: unknown };
  if (m?.type !== 'CACHE_STATUS' || !Array.isArray(m.urls)) return;
  cached = new Set(m.urls.filter((u): u is string => typeof u === 'string'));
  for (const fn of listeners) fn();
}

const canCache = () => 'serviceWorker' in navigator && window.isSecureContext && import.meta.env.PROD;

/** Registers /kiosk-sw.js for /kiosk; reloads the page when a new version of the app takes over. */
export async function startKioskWorker(): Promise<void> {
  if (!canCache()) return;
  navigator.serviceWorker.addEventListener('message', (e) => take(e.data));
  const hadController = !!navigator.serviceWorker.controller;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    // A first install only takes control; a new app version reloads into itself.
    if (hadController) location.reload();
  });
  // What is cached, from the worker in charge: asked first, since registering again fails while
  // offline (it checks for a newer script) and the kept worker goes on serving all the same.
  void navigator.serviceWorker.ready.then((reg) => reg.active?.postMessage({ type: 'CACHE_STATUS' }));
  await navigator.serviceWorker.register('/kiosk-sw.js', { scope: '/kiosk' }).catch(() => undefined);
}

/** Hands the manifest's files to the worker to cache ahead, within the budget. */
export async function cacheAhead(m: Manifest): Promise<void> {
  if (!canCache()) return;
  const reg = await navigator.serviceWorker.ready;
  reg.active?.postMessage({ type: 'CACHE_MANIFEST', assets: m.assets, budget: m.storageBudgetBytes });
}

/** Whether every file an item needs is cached (or it needs none). */
export const readyOffline = (assets: string[] | undefined | null) => !!assets && assets.every((u) => cached.has(u));
