/**
 * One person's media in a call, whatever carries it (docs/command.md, "Live contact"): peer to
 * peer (p2p-session.ts, signalling relayed by Paike's WebSocket hub) or a Janus VideoRoom
 * (janus-session.ts, negotiated through Paike's /api/command/calls/:id/janus routes). The call
 * page only talks to this interface.
 */
export interface CallQuality {
  /** Upper bound on the video sender's bitrate. */
  maxBitrateKbps?: number;
  /** RTCRtpEncodingParameters.scaleResolutionDownBy (2 = half width and height). */
  scaleDownBy?: number;
  /** Stop sending video; audio goes on. */
  audioOnly?: boolean;
}

export interface InboundStats {
  /** inbound-rtp video bytes and decoded frames, summed over the session's connections. */
  videoBytesReceived: number;
  framesDecoded: number;
  audioBytesReceived: number;
}

export interface CallSession {
  readonly media: 'p2p' | 'janus';
  readonly local: MediaStream;
  /** Calls back with each remote person's stream as it arrives (and again when it is replaced); returns an unsubscribe. */
  onRemote(cb: (peer: { userId: string; stream: MediaStream }) => void): () => void;
  inboundStats(): Promise<InboundStats>;
  /** Applies a quality to what this side sends (the director's request, or the phone's own fallback to audio). */
  setQuality(q: CallQuality): Promise<void>;
  close(): void;
}

export interface OpenSessionOptions {
  callId: string;
  selfId: string;
  role: 'director' | 'guest' | 'watcher';
  /** Camera and microphone (a watcher sends nothing: an empty stream). */
  local: MediaStream;
  iceServers: RTCIceServer[];
}
