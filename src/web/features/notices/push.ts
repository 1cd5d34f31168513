import { api } from '../../api/client.js';

/**
 * The page's side of Web Push (docs/notices.md): the browser subscribes with the server's VAPID
 * key through the service worker, and the subscription goes to the server. Offered only where
 * the browser can (service worker, PushManager, Notification) and the server is configured.
 */
export function pushSupported(): boolean {
  return typeof window !== 'undefined' && 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

export async function pushPublicKey(): Promise<string | null> {
  return (await api<{ publicKey: string | null }>('/api/push/public-key')).publicKey;
}

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const b64 = base64url.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (base64url.length % 4)) % 4);
  const raw = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

/** The subscription this browser holds now, if any (the service worker must be registered). */
export async function currentSubscription(): Promise<PushSubscription | null> {
  const reg = await navigator.serviceWorker.getRegistration('/');
  return (await reg?.pushManager.getSubscription()) ?? null;
}

export type EnableResult = 'on' | 'denied' | 'unavailable';

/** Asks for permission (on the user's tap), subscribes, and saves the subscription on the server. */
export async function enablePush(publicKey: string): Promise<EnableResult> {
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return 'denied';
  const reg = await navigator.serviceWorker.getRegistration('/');
  if (!reg) return 'unavailable';
  const sub =
    (await reg.pushManager.getSubscription()) ?? (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) }));
  await api('/api/me/push-subscriptions', { method: 'POST', body: sub.toJSON() });
  return 'on';
}

export async function disablePush(): Promise<void> {
  const sub = await currentSubscription();
  if (!sub) return;
  await api('/api/me/push-subscriptions', { method: 'DELETE', body: { endpoint: sub.endpoint } }).catch(() => undefined);
  await sub.unsubscribe();
}
