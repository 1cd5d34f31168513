import type { ChatMessage, HubServerMessage } from '../../../../contracts/command.js';
import type { HubClient } from './hubClient.js';

export type OutgoingState = 'queued' | 'sending' | 'failed';
export interface Outgoing {
  clientId: string;
  body: string;
  state: OutgoingState;
  error: string | null;
  at: number;
}
export interface ThreadView {
  messages: ChatMessage[];
  outbox: Outgoing[];
  /** The replay after a (re)connect has arrived. */
  synced: boolean;
}

const key = (assignmentId: string) => `paike.chat.outbox.${assignmentId}`;

function newClientId(): string {
  return `${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
}

/**
 * One assignment's chat as the page holds it: stored messages by id (each once, in order) and
 * the sender's own outbox. A message written while offline waits in the outbox (kept in
 * localStorage, so a reload keeps it) and goes out with its client id when the socket is back;
 * if the ack was lost the resend returns the original, so nothing is stored twice.
 */
export class ChatThread {
  private byId = new Map<number, ChatMessage>();
  private view: ThreadView;
  private readonly listeners = new Set<() => void>();
  private readonly offs: (() => void)[] = [];

  constructor(
    private readonly hub: HubClient,
    private readonly assignmentId: string,
  ) {
    let saved: Outgoing[];
    try {
      saved = JSON.parse(localStorage.getItem(key(assignmentId)) ?? '[]') as Outgoing[];
    } catch {
      saved = [];
    }
    this.view = { messages: [], outbox: saved.map((o) => ({ ...o, state: 'queued' as const })), synced: false };
    this.offs.push(hub.on((m) => this.onHub(m)));
    this.offs.push(
      hub.onState((s) => {
        if (s === 'open') this.flush();
        else this.set({ synced: false, outbox: this.view.outbox.map((o) => (o.state === 'sending' ? { ...o, state: 'queued' } : o)) });
      }),
    );
    hub.follow(assignmentId, 0);
    this.flush();
  }

  get snapshot(): ThreadView {
    return this.view;
  }

  subscribe = (l: () => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  private set(patch: Partial<ThreadView>) {
    this.view = { ...this.view, ...patch };
    if (patch.outbox) localStorage.setItem(key(this.assignmentId), JSON.stringify(this.view.outbox.filter((o) => o.state !== 'failed')));
    for (const l of this.listeners) l();
  }

  private add(m: ChatMessage) {
    if (m.assignmentId !== this.assignmentId || this.byId.has(m.id)) return false;
    this.byId.set(m.id, m);
    return true;
  }

  private onHub(m: HubServerMessage) {
    if (m.type === 'chat.message' && this.add(m.message)) this.set({ messages: [...this.byId.values()].sort((a, b) => a.id - b.id) });
    else if (m.type === 'chat.ack' && m.message.assignmentId === this.assignmentId) {
      this.add(m.message);
      this.set({ messages: [...this.byId.values()].sort((a, b) => a.id - b.id), outbox: this.view.outbox.filter((o) => o.clientId !== m.clientId) });
    } else if (m.type === 'resumed' && m.assignmentId === this.assignmentId) this.set({ synced: true });
    else if (m.type === 'error' && m.clientId && this.view.outbox.some((o) => o.clientId === m.clientId)) {
      // Refused for good (rate limits are not: those are sent again with the next flush).
      const retry = m.code === 'command.hub.rate_limited';
      this.set({ outbox: this.view.outbox.map((o) => (o.clientId === m.clientId ? { ...o, state: retry ? 'queued' : 'failed', error: m.message } : o)) });
      if (retry) setTimeout(() => this.flush(), 1000);
    }
  }

  send(body: string) {
    const text = body.trim();
    if (!text) return;
    this.set({ outbox: [...this.view.outbox, { clientId: newClientId(), body: text, state: 'queued', error: null, at: Date.now() }] });
    this.flush();
  }

  retry(clientId: string) {
    this.set({ outbox: this.view.outbox.map((o) => (o.clientId === clientId ? { ...o, state: 'queued', error: null } : o)) });
    this.flush();
  }

  private flush() {
    if (this.hub.state !== 'open') return;
    let changed = false;
    const outbox = this.view.outbox.map((o) => {
      if (o.state !== 'queued') return o;
      if (!this.hub.send({ type: 'chat.send', assignmentId: this.assignmentId, clientId: o.clientId, body: o.body })) return o;
      changed = true;
      return { ...o, state: 'sending' as const };
    });
    if (changed) this.set({ outbox });
  }

  dispose() {
    for (const off of this.offs) off();
    this.hub.unfollow(this.assignmentId);
    this.listeners.clear();
  }
}
