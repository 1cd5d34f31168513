import { useEffect, useState } from 'react';
import { ApiError } from '../../api/client.js';
import { claimItem, releaseItem, type Claim } from '../../api/desk.js';

const RENEW_MS = 10 * 60_000;
/** Releases wait a moment so a remount of the same page (StrictMode, a quick back-and-forth) keeps the claim. */
const pendingRelease = new Map<string, ReturnType<typeof setTimeout>>();

export type ClaimState =
  { kind: 'pending' } | { kind: 'mine'; claim: Claim } | { kind: 'other'; code: string; message: string } | { kind: 'none'; message: string };

/** Claims the item on open, renews it every 10 minutes while open, releases it on leave. */
export function useClaim(id: string, active: boolean): ClaimState {
  const [state, setState] = useState<ClaimState>({ kind: 'pending' });
  useEffect(() => {
    if (!active) return;
    const pending = pendingRelease.get(id);
    if (pending) {
      clearTimeout(pending);
      pendingRelease.delete(id);
    }
    let cancelled = false;
    let held = false;
    const take = async () => {
      try {
        const claim = await claimItem(id);
        held = true;
        if (!cancelled) setState({ kind: 'mine', claim });
      } catch (e) {
        held = false;
        if (cancelled) return;
        if (e instanceof ApiError && e.status === 409)
          setState({ kind: e.code === 'desk.claimed_by_other' ? 'other' : 'none', code: e.code, message: e.message });
        else setState({ kind: 'none', message: e instanceof Error ? e.message : '' });
      }
    };
    void take();
    const timer = setInterval(() => void take(), RENEW_MS);
    const onUnload = () => {
      if (held) void fetch(`/api/desk/submissions/${encodeURIComponent(id)}/claim`, { method: 'DELETE', keepalive: true, credentials: 'same-origin' });
    };
    window.addEventListener('pagehide', onUnload);
    return () => {
      cancelled = true;
      clearInterval(timer);
      window.removeEventListener('pagehide', onUnload);
      pendingRelease.set(
        id,
        setTimeout(() => {
          pendingRelease.delete(id);
          // A decided item has no claim left to release; the error is expected and harmless.
          releaseItem(id).catch(() => undefined);
        }, 400),
      );
    };
  }, [id, active]);
  return state;
}
