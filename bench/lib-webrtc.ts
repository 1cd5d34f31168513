import type { Page } from 'playwright-core';

/**
 * Call set-up figures shared by bench/command.bench.ts (peer to peer through Paike's hub) and
 * bench/command-janus.bench.ts (through Janus): offer → first remote frame painted, and the
 * bare baseline of two RTCPeerConnections in one page on loopback.
 */

/**
 * In the page: show every remote stream of the call session on `window[session]` in a <video>
 * and stamp the first painted frame on window.__firstFrame.
 */
export async function watchFirstFrame(page: Page, session = '__janus'): Promise<void> {
  await page.evaluate((name) => {
    const w = globalThis as unknown as Record<string, { onRemote(cb: (p: { stream: unknown }) => void): void }> & {
      __firstFrame: number | null;
      document: { createElement(t: string): { srcObject: unknown; muted: boolean; play(): Promise<void>; requestVideoFrameCallback(cb: () => void): void } };
    };
    w.__firstFrame = null;
    w[name]!.onRemote(({ stream }) => {
      const v = w.document.createElement('video');
      v.muted = true;
      v.srcObject = stream;
      v.requestVideoFrameCallback(() => {
        w.__firstFrame ??= Date.now();
      });
      void v.play();
    });
  }, session);
}

/** When the page painted its first remote frame (its own clock; pages of one browser share it). */
export async function firstFrameAt(page: Page): Promise<number> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const t = await page.evaluate(() => (globalThis as unknown as { __firstFrame: number | null }).__firstFrame);
    if (t) return t;
    if (Date.now() > deadline) throw new Error('no first frame in 30 s');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The baseline: offer → first frame between two peer connections in one page, ICE on loopback. */
export async function bareLoopback(page: Page): Promise<number> {
  // tsx names inner functions with an __name helper that the page does not have.
  await page.evaluate('globalThis.__name ??= (f) => f');
  return page.evaluate(async () => {
    const g = globalThis as unknown as {
      RTCPeerConnection: new () => {
        addTrack(t: unknown, s: unknown): void;
        createOffer(): Promise<unknown>;
        createAnswer(): Promise<unknown>;
        setLocalDescription(d?: unknown): Promise<void>;
        setRemoteDescription(d: unknown): Promise<void>;
        localDescription: unknown;
        iceGatheringState: string;
        addEventListener(e: string, cb: () => void): void;
        ontrack: ((e: { streams: unknown[] }) => void) | null;
        close(): void;
      };
      navigator: { mediaDevices: { getUserMedia(c: unknown): Promise<{ getTracks(): unknown[] }> } };
      document: { createElement(t: string): { srcObject: unknown; muted: boolean; play(): Promise<void>; requestVideoFrameCallback(cb: () => void): void } };
    };
    const gathered = (pc: InstanceType<typeof g.RTCPeerConnection>) =>
      new Promise<void>((r) =>
        pc.iceGatheringState === 'complete' ? r() : pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r()),
      );
    const local = await g.navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360 }, audio: true });
    const a = new g.RTCPeerConnection();
    const b = new g.RTCPeerConnection();
    const first = new Promise<number>((resolve) => {
      b.ontrack = (e) => {
        const v = g.document.createElement('video');
        v.muted = true;
        v.srcObject = e.streams[0];
        v.requestVideoFrameCallback(() => resolve(Date.now()));
        void v.play();
      };
    });
    const t0 = Date.now();
    for (const t of local.getTracks()) a.addTrack(t, local);
    await a.setLocalDescription(await a.createOffer());
    await gathered(a);
    await b.setRemoteDescription(a.localDescription);
    await b.setLocalDescription(await b.createAnswer());
    await gathered(b);
    await a.setRemoteDescription(b.localDescription);
    const t1 = await first;
    a.close();
    b.close();
    return t1 - t0;
  });
}
