import type { ChatMessage, HubServerMessage } from '../../../../contracts/command.js';

export type HubState = 'connecting' | 'open' | 'closed';
type Listener = (msg: HubServerMessage) => void;

/** Backoff between reconnects: quick at first (a blip), then patient (a tunnel). */
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000];

/**
 * The page's one socket to the hub (docs/api.md, "Live contact: the WebSocket protocol").
 * Reconnects by itself; on every (re)connect it resumes each followed thread after the last
 * message id it holds, so a dropped socket loses nothing and the hub's ordered replay repeats
 * nothing. Sends made while it is down wait in `pending` and go out on reconnect.
 */
export class HubClient {
  private ws: WebSocket | null = null;
  private readonly listeners = new Set<Listener>();
  private readonly stateListeners = new Set<(s: HubState) => void>();
  /** Followed threads and the last message id held for each. */
  private readonly threads = new Map<string, number>();
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private disposed = false;
  state: HubState = 'connecting';

  constructor(private readonly url: string = HubClient.defaultUrl()) {
    this.open();
    window.addEventListener('online', this.onOnline);
  }

  static defaultUrl(): string {
    return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/command/ws`;
  }

  private readonly onOnline = () => {
    if (this.state === 'closed') this.reconnectNow();
  };

  private setState(s: HubState) {
    this.state = s;
    for (const l of this.stateListeners) l(s);
  }

  private open() {
    if (this.disposed) return;
    this.setState('connecting');
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.setState('open');
      for (const [assignmentId, afterId] of this.threads) this.raw({ type: 'resume', assignmentId, afterId });
    };
    ws.onmessage = (e) => {
      let msg: HubServerMessage;
      try {
        msg = JSON.parse(String(e.data)) as HubServerMessage;
      } catch {
        return;
      }
      if (msg.type === 'chat.message') this.saw(msg.message);
      if (msg.type === 'chat.ack') this.saw(msg.message);
      for (const l of this.listeners) l(msg);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.setState('closed');
      if (this.disposed) return;
      const wait = Math.max(BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)]!, this.holdUntil - Date.now());
      this.attempt += 1;
      this.timer = setTimeout(() => this.open(), wait);
    };
  }

  private saw(m: ChatMessage) {
    const last = this.threads.get(m.assignmentId);
    if (last !== undefined && m.id > last) this.threads.set(m.assignmentId, m.id);
  }

  private raw(msg: object): boolean {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }

  /** Sends now if connected; false when down (the caller keeps it for later). */
  send(msg: object): boolean {
    return this.raw(msg);
  }

  /** Follows a thread from `afterId` (0: all of it); on each reconnect it resumes from the last id seen. */
  follow(assignmentId: string, afterId = 0) {
    const had = this.threads.get(assignmentId);
    this.threads.set(assignmentId, Math.max(had ?? 0, afterId));
    if (had === undefined) this.raw({ type: 'resume', assignmentId, afterId });
  }

  unfollow(assignmentId: string) {
    this.threads.delete(assignmentId);
    this.raw({ type: 'unsubscribe', assignmentId });
  }

  on(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  onState(l: (s: HubState) => void): () => void {
    this.stateListeners.add(l);
    return () => this.stateListeners.delete(l);
  }

  /** Drops the socket as a network failure would, staying down at least `holdMs` (tests force a reconnect with it). */
  drop(holdMs = 0) {
    this.holdUntil = Date.now() + holdMs;
    this.ws?.close();
  }
  private holdUntil = 0;

  reconnectNow() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.ws) this.open();
  }

  dispose() {
    this.disposed = true;
    window.removeEventListener('online', this.onOnline);
    if (this.timer) clearTimeout(this.timer);
    const ws = this.ws;
    this.ws = null;
    ws?.close();
    this.listeners.clear();
    this.stateListeners.clear();
  }
}

let shared: { hub: HubClient; users: number } | null = null;

/** One socket per page, however many components use it. */
export function acquireHub(): HubClient {
  if (!shared) shared = { hub: new HubClient(), users: 0 };
  shared.users += 1;
  (window as unknown as { __paikeHub?: HubClient }).__paikeHub = shared.hub;
  return shared.hub;
}

export function releaseHub(hub: HubClient) {
  if (!shared || shared.hub !== hub) return;
  shared.users -= 1;
  if (shared.users <= 0) {
    shared.hub.dispose();
    shared = null;
  }
}
