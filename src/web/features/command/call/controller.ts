import type { HubServerMessage, LiveCall } from '../../../../contracts/command.js';
import { answerCall, callContacts, declineCall, hangUpCall, iceServers, startCall, type Contacts } from '../../../api/commandLive.js';
import { errorMessage } from '../../../api/client.js';
import type { HubClient } from '../live/hubClient.js';
import { watchLink, type LinkSample } from './degrade.js';
import { openJanusSession } from './janus-session.js';
import { openP2pSession, type P2pSession } from './p2p-session.js';
import { startRecording, uploadPending, type UploadProgress } from './recorder.js';
import type { CallQuality, CallSession } from './session.js';

type SignalMessage = Extract<HubServerMessage, { type: 'signal' }>;
export type CallPhase = 'idle' | 'calling' | 'ringing' | 'connecting' | 'active' | 'ended';

export interface CallView {
  call: LiveCall | null;
  phase: CallPhase;
  local: MediaStream | null;
  remote: MediaStream | null;
  muted: boolean;
  cameraOff: boolean;
  /** What this side sends (the director's request, or the phone's own fallback). */
  quality: CallQuality;
  /** This side dropped to audio because its link degraded. */
  fellBack: LinkSample | null;
  /** Per guest, the last thing they reported: acked director requests and falls to audio. */
  guests: Record<string, { quality: CallQuality; degraded: string | null; pending: string | null }>;
  recording: boolean;
  upload: UploadProgress | null;
  error: string | null;
  /** Desk: the people working the assignment, online or not. */
  people: Contacts['people'];
  /** Field: whether anyone at the desk has the thread open. */
  deskOnline: boolean;
}

const ENDED = new Set(['ended', 'missed', 'declined', 'failed']);

/**
 * One assignment's calls on one page (docs/command-live.md, "Calls"): rings in and out, opens
 * the media session when the call turns active (Janus when the server chose it, else peer to
 * peer), and on the phone records locally, watches the link and obeys the director.
 */
export class CallController {
  private view: CallView = {
    call: null,
    phase: 'idle',
    local: null,
    remote: null,
    muted: false,
    cameraOff: false,
    quality: {},
    fellBack: null,
    guests: {},
    recording: false,
    upload: null,
    error: null,
    people: [],
    deskOnline: false,
  };
  private readonly listeners = new Set<() => void>();
  private session: CallSession | null = null;
  private early: SignalMessage[] = [];
  private stopWatch: (() => void) | null = null;
  private recorder: Awaited<ReturnType<typeof startRecording>> | null = null;
  private readonly off: () => void;
  private opening = false;
  private readonly poll: ReturnType<typeof setInterval>;

  constructor(private readonly opts: { hub: HubClient; assignmentId: string; side: 'desk' | 'field'; selfId: string }) {
    this.off = opts.hub.on((m) => this.onHub(m));
    // Who is online changes without a message about it; a glance every 15 s is enough for the buttons.
    this.poll = setInterval(() => void this.load(), 15_000);
    (window as unknown as { __paikeCall?: unknown }).__paikeCall = {
      inboundStats: () => this.session?.inboundStats() ?? Promise.resolve(null),
      view: () => ({ ...this.view, local: undefined, remote: undefined }),
      hangUp: () => this.hangUp(),
    };
  }

  get snapshot(): CallView {
    return this.view;
  }

  subscribe = (l: () => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  private set(patch: Partial<CallView>) {
    this.view = { ...this.view, ...patch };
    for (const l of this.listeners) l();
  }

  /** Picks up a ring or a call that began before the page connected. */
  async load(): Promise<void> {
    const got = await callContacts(this.opts.assignmentId).catch(() => null);
    if (!got) return;
    this.set({ people: got.people, deskOnline: got.deskOnline });
    for (const c of got.calls) this.onCall(c);
  }

  private mine(call: LiveCall): boolean {
    return call.participants.some((p) => p.userId === this.opts.selfId && !p.leftAt);
  }

  private onHub(m: HubServerMessage) {
    if (m.type === 'call' && m.call.assignmentId === this.opts.assignmentId) this.onCall(m.call);
    else if (m.type === 'signal' && m.callId === this.view.call?.id && !this.session) this.early.push(m);
    else if (m.type === 'director' && m.callId === this.view.call?.id) void this.obey(m);
    else if (m.type === 'director.ack' && m.callId === this.view.call?.id) {
      this.setGuest(m.from, { quality: m.quality, pending: null });
    } else if (m.type === 'call.degraded' && m.callId === this.view.call?.id) {
      this.setGuest(m.from, { degraded: m.reason, quality: { ...this.view.guests[m.from]?.quality, audioOnly: m.audioOnly } });
    }
  }

  private setGuest(id: string, patch: Partial<CallView['guests'][string]>) {
    const had = this.view.guests[id] ?? { quality: {}, degraded: null, pending: null };
    this.set({ guests: { ...this.view.guests, [id]: { ...had, ...patch } } });
  }

  private onCall(call: LiveCall) {
    const cur = this.view.call;
    if (cur && cur.id !== call.id && !ENDED.has(cur.status) && ENDED.has(call.status)) return;
    if (ENDED.has(call.status)) {
      if (cur?.id === call.id) void this.teardown(call);
      return;
    }
    const forMe =
      this.mine(call) || call.calleeId === this.opts.selfId || (call.direction === 'field_to_desk' && this.opts.side === 'desk' && call.status === 'ringing');
    if (!forMe) return;
    if (call.status === 'ringing') {
      const outgoing = call.startedBy === this.opts.selfId;
      this.set({ call, phase: outgoing ? 'calling' : 'ringing', error: null });
      return;
    }
    // Active: a field → desk call answered by another desk leaves this desk out.
    if (!this.mine(call)) {
      if (cur?.id === call.id) this.set({ call: null, phase: 'idle' });
      return;
    }
    this.set({ call });
    if (!this.session && !this.opening) void this.openMedia(call);
  }

  private async media(): Promise<MediaStream> {
    if (this.view.local) return this.view.local;
    const video = this.opts.side === 'field' ? { facingMode: 'environment', width: { ideal: 1280 }, height: { ideal: 720 } } : true;
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video, audio: true });
    } catch {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true }).catch(() => new MediaStream());
    }
    this.set({ local: stream });
    return stream;
  }

  async start(calleeId?: string): Promise<void> {
    try {
      this.set({ error: null, phase: 'calling' });
      await this.media();
      const call = await startCall(this.opts.assignmentId, calleeId);
      this.early = [];
      this.onCall(call);
    } catch (e) {
      this.stopLocal();
      this.set({ phase: 'idle', error: errorMessage(e) });
    }
  }

  async answer(): Promise<void> {
    const call = this.view.call;
    if (!call) return;
    try {
      await this.media();
      this.onCall(await answerCall(call.id));
    } catch (e) {
      this.set({ error: errorMessage(e) });
    }
  }

  async decline(): Promise<void> {
    const call = this.view.call;
    if (!call) return;
    await declineCall(call.id).catch((e: unknown) => this.set({ error: errorMessage(e) }));
  }

  async hangUp(): Promise<void> {
    const call = this.view.call;
    if (!call) return;
    try {
      await this.teardown(await hangUpCall(call.id));
    } catch (e) {
      this.set({ error: errorMessage(e) });
    }
  }

  private async openMedia(call: LiveCall) {
    this.opening = true;
    this.set({ phase: 'connecting' });
    try {
      const local = await this.media();
      const ice = await iceServers().catch(() => []);
      const me = call.participants.find((p) => p.userId === this.opts.selfId)!;
      const peer = call.participants.find((p) => p.userId !== this.opts.selfId);
      const base = { callId: call.id, selfId: this.opts.selfId, role: me.role, local, iceServers: ice };
      const session =
        call.media === 'janus'
          ? await openJanusSession(base)
          : await openP2pSession({ ...base, hub: this.opts.hub, peerId: peer!.userId, makeOffer: me.role === 'director', early: this.early.splice(0) });
      if (this.view.call?.id !== call.id || ENDED.has(this.view.call.status)) {
        session.close();
        return;
      }
      this.session = session;
      session.onRemote(({ stream }) => this.set({ remote: stream, phase: 'active' }));
      if (this.opts.side === 'field') {
        this.recorder = await startRecording(local, {
          assignmentId: call.assignmentId,
          campaignId: call.assignment.campaignId,
          theme: call.assignment.theme,
          title: call.assignment.title,
          callId: call.id,
        }).catch(() => null);
        this.set({ recording: !!this.recorder });
        const p2p = session as Partial<P2pSession>;
        if (p2p.getStats)
          this.stopWatch = watchLink(
            () => p2p.getStats!(),
            (s) => void this.fallBack(s),
          );
      }
    } catch (e) {
      this.set({ error: errorMessage(e) });
    } finally {
      this.opening = false;
    }
  }

  /** The phone's link cannot carry video: audio only, and the desk is told. */
  private async fallBack(s: LinkSample) {
    const call = this.view.call;
    if (!this.session || !call) return;
    await this.session.setQuality({ audioOnly: true });
    this.set({ fellBack: s, quality: { ...this.view.quality, audioOnly: true } });
    this.opts.hub.send({
      type: 'call.degraded',
      callId: call.id,
      audioOnly: true,
      reason: 'network',
      stats: { availableKbps: s.availableKbps, lossPct: s.lossPct, rttMs: s.rttMs },
    });
  }

  /** The director's request, applied to what this phone sends, then acknowledged. */
  private async obey(m: Extract<HubServerMessage, { type: 'director' }>) {
    let ok: boolean;
    try {
      await this.session?.setQuality(m.quality);
      ok = !!this.session;
      if (ok) this.set({ quality: { ...this.view.quality, ...m.quality } });
    } catch {
      ok = false;
    }
    this.opts.hub.send({ type: 'director.ack', callId: m.callId, requestId: m.requestId, quality: m.quality, ok });
  }

  /** Desk: ask a guest's phone for a quality. */
  direct(guestId: string, quality: CallQuality) {
    const call = this.view.call;
    if (!call) return;
    const requestId = crypto.randomUUID();
    this.opts.hub.send({ type: 'director', callId: call.id, to: guestId, requestId, quality });
    this.setGuest(guestId, { pending: requestId });
  }

  toggleMute() {
    const muted = !this.view.muted;
    for (const t of this.view.local?.getAudioTracks() ?? []) t.enabled = !muted;
    this.set({ muted });
  }

  toggleCamera() {
    const cameraOff = !this.view.cameraOff;
    for (const t of this.view.local?.getVideoTracks() ?? []) t.enabled = !cameraOff;
    this.set({ cameraOff });
  }

  private stopLocal() {
    for (const t of this.view.local?.getTracks() ?? []) t.stop();
    this.set({ local: null });
  }

  private async teardown(call: LiveCall) {
    this.stopWatch?.();
    this.stopWatch = null;
    this.session?.close();
    this.session = null;
    this.early = [];
    const rec = this.recorder;
    this.recorder = null;
    if (rec) await rec.stop().catch(() => undefined);
    this.stopLocal();
    this.set({ call, phase: 'ended', remote: null, recording: false, muted: false, cameraOff: false, quality: {}, guests: {} });
    if (rec) void this.uploadRecordings(rec.id);
  }

  /** Sends recordings left on this phone (this call's, or a crashed one's) through the resumable upload. */
  async uploadRecordings(only?: string): Promise<void> {
    await uploadPending({ only, onProgress: (p) => this.set({ upload: p }) }).catch((e: unknown) => this.set({ error: errorMessage(e) }));
  }

  dispose() {
    clearInterval(this.poll);
    this.off();
    this.stopWatch?.();
    this.session?.close();
    this.session = null;
    void this.recorder?.stop();
    this.stopLocal();
    this.listeners.clear();
  }
}
