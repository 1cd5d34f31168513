import type { CallQuality, CallSession, InboundStats, OpenSessionOptions } from './session.js';

/** The feeds list as GET /api/command/calls/:id/janus/feeds answers it. */
interface Feed {
  feed: number;
  userId: string;
}

/** Feeds are long-polled: the server answers when someone joins or leaves, or after this. */
const LONG_POLL_SECONDS = 20;
const RETRY_MS = 2000;
const GATHER_MS = 3000;

async function post<T>(url: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text().catch(() => '')}`);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

/** Resolves once the connection has all its candidates in its local description (loopback and LAN: milliseconds). */
function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      if (pc.iceGatheringState !== 'complete') return;
      pc.removeEventListener('icegatheringstatechange', done);
      clearTimeout(timer);
      resolve();
    };
    // Past this, what was gathered goes (a TURN server that never answers must not stall the call).
    const timer = setTimeout(() => {
      pc.removeEventListener('icegatheringstatechange', done);
      resolve();
    }, GATHER_MS);
    pc.addEventListener('icegatheringstatechange', done);
  });
}

/**
 * A call carried by the call's Janus VideoRoom (docs/command-janus.md): this side publishes its
 * camera and microphone (director and guests; a watcher sends nothing), and receives every other
 * publisher on its own connection. All negotiation goes through Paike's
 * /api/command/calls/:id/janus routes; the browser never talks to Janus's API.
 */
export async function openJanusSession(opts: OpenSessionOptions): Promise<CallSession> {
  const base = `/api/command/calls/${opts.callId}/janus`;
  const listeners = new Set<(peer: { userId: string; stream: MediaStream }) => void>();
  const remotes = new Map<number, { userId: string; pc: RTCPeerConnection; stream: MediaStream }>();
  let closed = false;
  let publisher: RTCPeerConnection | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  async function publish(): Promise<void> {
    if (opts.role === 'watcher' || opts.local.getTracks().length === 0) return;
    publisher?.close();
    const pc = new RTCPeerConnection({ iceServers: opts.iceServers });
    publisher = pc;
    for (const track of opts.local.getTracks()) pc.addTransceiver(track, { direction: 'sendonly', streams: [opts.local] });
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    const answer = await post<{ feed: number; sdp: string }>(`${base}/publish`, { sdp: pc.localDescription!.sdp });
    await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
  }

  async function subscribe(feed: Feed): Promise<void> {
    const offer = await post<{ feed: number; sdp: string }>(`${base}/subscribe`, { feed: feed.feed });
    const pc = new RTCPeerConnection({ iceServers: opts.iceServers });
    const stream = new MediaStream();
    remotes.set(feed.feed, { userId: feed.userId, pc, stream });
    pc.ontrack = (e) => {
      stream.addTrack(e.track);
      for (const cb of listeners) cb({ userId: feed.userId, stream });
    };
    await pc.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered(pc);
    await post(`${base}/subscribe/${feed.feed}/answer`, { sdp: pc.localDescription!.sdp });
  }

  async function poll(wait: boolean): Promise<void> {
    if (closed) return;
    let failed = false;
    try {
      const known = [...remotes.keys()].join(',');
      const query = wait ? `?wait=${LONG_POLL_SECONDS}&known=${known}` : '';
      const res = await fetch(`${base}/feeds${query}`, { credentials: 'same-origin', headers: { accept: 'application/json' } });
      if (res.ok) {
        const { feeds } = (await res.json()) as { feeds: Feed[] };
        const live = new Set(feeds.map((f) => f.feed));
        for (const [feed, r] of remotes) {
          if (!live.has(feed)) {
            r.pc.close();
            remotes.delete(feed);
          }
        }
        for (const f of feeds) {
          if (remotes.has(f.feed) || closed) continue;
          await subscribe(f).catch(() => {
            // Tried again after a pause (not at once: the feed set would differ and the poll return at once).
            remotes.get(f.feed)?.pc.close();
            remotes.delete(f.feed);
            failed = true;
          });
        }
        // Janus restarted or dropped our handles: publish again.
        if (publisher && (publisher.connectionState === 'failed' || publisher.connectionState === 'closed')) await publish().catch(() => {});
      }
      if (!res.ok) failed = true;
    } catch {
      // Offline for a moment: ask again shortly.
      failed = true;
    }
    if (!closed) timer = setTimeout(() => void poll(!failed), failed ? RETRY_MS : 0);
  }

  await publish();
  // The first look answers at once; from then on the server holds each question until the feeds change.
  await poll(false);

  return {
    media: 'janus',
    local: opts.local,
    onRemote(cb) {
      listeners.add(cb);
      for (const r of remotes.values()) if (r.stream.getTracks().length) cb({ userId: r.userId, stream: r.stream });
      return () => listeners.delete(cb);
    },
    async inboundStats(): Promise<InboundStats> {
      const out: InboundStats = { videoBytesReceived: 0, framesDecoded: 0, audioBytesReceived: 0 };
      for (const r of remotes.values()) {
        const stats = await r.pc.getStats();
        stats.forEach((s: { type: string; kind?: string; bytesReceived?: number; framesDecoded?: number }) => {
          if (s.type !== 'inbound-rtp') return;
          if (s.kind === 'video') {
            out.videoBytesReceived += s.bytesReceived ?? 0;
            out.framesDecoded += s.framesDecoded ?? 0;
          } else if (s.kind === 'audio') out.audioBytesReceived += s.bytesReceived ?? 0;
        });
      }
      return out;
    },
    async setQuality(q: CallQuality) {
      const sender = publisher?.getSenders().find((s) => s.track?.kind === 'video');
      if (!sender) return;
      const video = opts.local.getVideoTracks()[0];
      if (q.audioOnly !== undefined && video) video.enabled = !q.audioOnly;
      const params = sender.getParameters();
      if (!params.encodings?.length) params.encodings = [{}];
      for (const e of params.encodings) {
        if (q.maxBitrateKbps !== undefined) e.maxBitrate = q.maxBitrateKbps * 1000;
        if (q.scaleDownBy !== undefined) e.scaleResolutionDownBy = q.scaleDownBy;
        if (q.audioOnly !== undefined) e.active = !q.audioOnly;
      }
      await sender.setParameters(params);
    },
    close() {
      if (closed) return;
      closed = true;
      if (timer) clearTimeout(timer);
      publisher?.close();
      for (const r of remotes.values()) r.pc.close();
      remotes.clear();
      void fetch(`${base}/leave`, { method: 'POST', credentials: 'same-origin', keepalive: true }).catch(() => {});
    },
  };
}
