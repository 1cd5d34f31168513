/**
 * Forgets every unfinished upload this browser remembers. tus-js-client keeps them in
 * localStorage under `tus::` keys, per browser rather than per account: on a shared phone the next
 * person to sign in would otherwise see the previous contributor's video titles on the submit
 * page. Called at sign-out: the remembered upload address is what lets a reload resume, so
 * signing out gives up resuming on this device (the server drops the partial upload when it
 * expires), which is what leaving a shared phone should mean. No tus import here, so the
 * account page's chunk stays small.
 */
export function forgetUploadsOnThisDevice(): void {
  try {
    const keys: string[] = [];
    for (let i = 0; i < localStorage.length; i++) {
      const k = localStorage.key(i);
      if (k?.startsWith('tus::')) keys.push(k);
    }
    for (const k of keys) localStorage.removeItem(k);
  } catch {
    // Storage blocked (private mode, embedded webviews): there is nothing remembered to forget.
  }
}
