import { postPlays } from './kioskClient.js';

/**
 * Proof of play on the screen (docs/kiosk.md): each video play is written to local storage when
 * it ends, with an id made when it began, and stays there until the server has answered for it.
 * Through an outage the buffer grows; afterwards it is sent in batches, and sending a batch again
 * (a lost reply) counts nothing twice.
 */
const STORE = 'paike.kiosk.plays';
const MAX_KEPT = 5000;

export interface BufferedPlay {
  id: string;
  submissionId: string;
  playedAt: string;
  durationMs: number;
}

const read = (): BufferedPlay[] => {
  try {
    return JSON.parse(localStorage.getItem(STORE) ?? '[]') as BufferedPlay[];
  } catch {
    return [];
  }
};
const write = (plays: BufferedPlay[]) => localStorage.setItem(STORE, JSON.stringify(plays.slice(-MAX_KEPT)));

export function recordPlay(p: BufferedPlay) {
  write([...read(), p]);
}

export const pendingPlays = () => read().length;

let flushing: Promise<void> | null = null;
/** Sends what is buffered, 500 at a time; keeps whatever the server has not answered for. */
export function flushPlays(): Promise<void> {
  return (flushing ??= (async () => {
    try {
      for (;;) {
        const batch = read().slice(0, 500);
        if (batch.length === 0) return;
        const { results } = await postPlays(batch);
        const answered = new Set(results.map((r) => r.id));
        write(read().filter((p) => !answered.has(p.id)));
        if (answered.size === 0) return;
      }
    } finally {
      flushing = null;
    }
  })());
}
