import type { HubServerMessage } from '../../../../contracts/command.js';
import type { HubClient } from '../live/hubClient.js';
import type { CallQuality, CallSession, InboundStats, OpenSessionOptions } from './session.js';

type SignalMessage = Extract<HubServerMessage, { type: 'signal' }>;

export interface P2pOptions extends OpenSessionOptions {
  hub: HubClient;
  /** The other person on the call. */
  peerId: string;
  /** The director makes the offer; the guest answers (no glare to resolve). */
  makeOffer: boolean;
  /** Signals that reached the page before the session existed (an offer racing the guest's camera prompt). */
  early?: SignalMessage[];
}

export interface P2pSession extends CallSession {
  /** The connection's raw statistics (the phone's degradation watch reads outbound figures from them). */
  getStats(): Promise<RTCStatsReport>;
  readonly quality: CallQuality;
}

/**
 * A one-to-one call peer to peer (docs/command-live.md, "Peer to peer"): one RTCPeerConnection,
 * its offer, answer and ICE candidates relayed by the hub only to the other person on the call.
 */
export async function openP2pSession(opts: P2pOptions): Promise<P2pSession> {
  const { hub, callId, peerId } = opts;
  const pc = new RTCPeerConnection({ iceServers: opts.iceServers });
  const remote = new MediaStream();
  const remoteListeners = new Set<(p: { userId: string; stream: MediaStream }) => void>();
  const outbox: object[] = [];
  const pendingCandidates: RTCIceCandidateInit[] = [];
  let quality: CallQuality = {};
  let closed = false;
  const videoTrack = opts.local.getVideoTracks()[0] ?? null;

  const signal = (kind: 'offer' | 'answer' | 'ice', data: unknown) => {
    const msg = { type: 'signal', callId, to: peerId, kind, data };
    if (!hub.send(msg)) outbox.push(msg);
  };
  const offState = hub.onState((s) => {
    if (s !== 'open') return;
    while (outbox.length)
      if (!hub.send(outbox[0]!)) break;
      else outbox.shift();
  });

  for (const t of opts.local.getTracks()) pc.addTrack(t, opts.local);
  pc.onicecandidate = (e) => signal('ice', e.candidate ? e.candidate.toJSON() : null);
  pc.ontrack = (e) => {
    if (!remote.getTracks().includes(e.track)) remote.addTrack(e.track);
    for (const l of remoteListeners) l({ userId: peerId, stream: remote });
  };

  const onSignal = async (m: SignalMessage) => {
    if (m.callId !== callId || m.from !== peerId || closed) return;
    try {
      if (m.kind === 'offer' || m.kind === 'answer') {
        await pc.setRemoteDescription(m.data as RTCSessionDescriptionInit);
        for (const c of pendingCandidates.splice(0)) await pc.addIceCandidate(c);
        if (m.kind === 'offer') {
          await pc.setLocalDescription(await pc.createAnswer());
          signal('answer', { type: 'answer', sdp: pc.localDescription!.sdp });
        }
      } else if (m.data) {
        if (!pc.remoteDescription) pendingCandidates.push(m.data as RTCIceCandidateInit);
        else await pc.addIceCandidate(m.data as RTCIceCandidateInit);
      }
    } catch (err) {
      console.warn('call signalling', err);
    }
  };
  // One at a time: a candidate must not overtake the offer it belongs to.
  let chain = Promise.resolve();
  const queue = (m: SignalMessage) => {
    chain = chain.then(() => onSignal(m));
  };
  const offHub = hub.on((m) => {
    if (m.type === 'signal') queue(m);
  });
  for (const m of opts.early ?? []) queue(m);

  if (opts.makeOffer) {
    await pc.setLocalDescription(await pc.createOffer());
    signal('offer', { type: 'offer', sdp: pc.localDescription!.sdp });
  }

  const videoSender = () => pc.getSenders().find((s) => s.track?.kind === 'video' || (s.track === null && videoTrack));

  return {
    media: 'p2p',
    local: opts.local,
    get quality() {
      return quality;
    },
    onRemote(cb) {
      remoteListeners.add(cb);
      if (remote.getTracks().length) cb({ userId: peerId, stream: remote });
      return () => remoteListeners.delete(cb);
    },
    getStats: () => pc.getStats(),
    async inboundStats(): Promise<InboundStats> {
      const out: InboundStats = { videoBytesReceived: 0, framesDecoded: 0, audioBytesReceived: 0 };
      (await pc.getStats()).forEach((r: { type: string; kind?: string; bytesReceived?: number; framesDecoded?: number }) => {
        if (r.type !== 'inbound-rtp') return;
        if (r.kind === 'video') {
          out.videoBytesReceived += r.bytesReceived ?? 0;
          out.framesDecoded += r.framesDecoded ?? 0;
        } else if (r.kind === 'audio') out.audioBytesReceived += r.bytesReceived ?? 0;
      });
      return out;
    },
    async setQuality(q) {
      const sender = videoSender();
      if (!sender) return;
      // Audio only: the video sender carries nothing (no renegotiation); the camera stays on for the local recording.
      if (q.audioOnly) await sender.replaceTrack(null);
      else if (q.audioOnly === false && videoTrack && sender.track !== videoTrack) await sender.replaceTrack(videoTrack);
      const params = sender.getParameters();
      if (!params.encodings?.length) params.encodings = [{}];
      const enc = params.encodings[0]!;
      if (q.maxBitrateKbps !== undefined) enc.maxBitrate = q.maxBitrateKbps * 1000;
      if (q.scaleDownBy !== undefined) enc.scaleResolutionDownBy = q.scaleDownBy;
      await sender.setParameters(params);
      quality = { ...quality, ...q };
    },
    close() {
      closed = true;
      offHub();
      offState();
      pc.close();
    },
  };
}
