import type { KioskScreenRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import type { PlaysRepository } from './plays.repository.js';

export interface PlayInput {
  id: string;
  submissionId: string;
  playedAt: string;
  durationMs: number;
}

/** How a play was taken: counted now, already counted (sent again), or not counted and why. */
export type PlayOutcome = 'counted' | 'duplicate' | 'not_on_kiosk' | 'too_short' | 'in_future' | 'too_old' | 'over_rate';

export const PLAY_RULES = {
  /** Shorter than this, a video was skipped, not watched. */
  minDurationMs: 3000,
  /** A screen's clock is corrected by the server's, but allow for a drift between heartbeats. */
  futureSkewMs: 5 * 60_000,
  /** A screen offline for longer than this has its older plays dropped (still answered, not counted). */
  maxAgeMs: 7 * 86_400_000,
  /** One screen cannot show more video plays than this in an hour (one every 5 s). */
  perScreenPerHour: 720,
} as const;

/**
 * Proof of play (docs/kiosk.md): a screen reports each video it played, with an id it made when
 * the play began, buffered through outages and sent again until acknowledged. Each id counts
 * once, into the kiosk channel's views (the own-channel adapter adds them to the beacons).
 */
export function createPlaysService(deps: { repo: PlaysRepository; clock: Clock }) {
  const { repo, clock } = deps;
  return {
    /** `sentAt`: the screen's clock when it sent the batch; then each `playedAt` is on that clock and is shifted to the server's. */
    async report(screen: KioskScreenRow, input: PlayInput[], sentAt?: string): Promise<{ results: { id: string; outcome: PlayOutcome }[] }> {
      const now = clock.now().getTime();
      const skew = sentAt ? now - Date.parse(sentAt) : 0;
      const plays = input.map((p) => (skew === 0 ? p : { ...p, playedAt: new Date(Date.parse(p.playedAt) + skew).toISOString() }));
      const windows = await repo.kioskWindows([...new Set(plays.map((p) => p.submissionId))]);
      const wasOnKiosk = (submissionId: string, at: number) =>
        windows.some(
          (w) => w.submissionId === submissionId && w.publishedAt && w.publishedAt.getTime() <= at && (!w.unpublishedAt || w.unpublishedAt.getTime() > at),
        );
      const results: { id: string; outcome: PlayOutcome }[] = [];
      const accepted: PlayInput[] = [];
      const perHour = new Map<number, number>();
      for (const p of plays) {
        const at = Date.parse(p.playedAt);
        let outcome: PlayOutcome | null = null;
        if (at > now + PLAY_RULES.futureSkewMs) outcome = 'in_future';
        else if (at < now - PLAY_RULES.maxAgeMs) outcome = 'too_old';
        else if (p.durationMs < PLAY_RULES.minDurationMs) outcome = 'too_short';
        else if (!wasOnKiosk(p.submissionId, at)) outcome = 'not_on_kiosk';
        else {
          const hour = Math.floor(at / 3_600_000);
          if (!perHour.has(hour)) {
            const from = new Date(hour * 3_600_000);
            perHour.set(hour, await repo.countForScreen({ screenId: screen.id, from, to: new Date(from.getTime() + 3_600_000) }));
          }
          if (perHour.get(hour)! >= PLAY_RULES.perScreenPerHour) outcome = 'over_rate';
          else perHour.set(hour, perHour.get(hour)! + 1);
        }
        if (outcome) results.push({ id: p.id, outcome });
        else accepted.push(p);
      }
      // One statement: ids seen before are skipped by the primary key, whoever sent them.
      const fresh = new Set(
        await repo.createReturningIds(
          accepted.map((p) => ({ id: p.id, screenId: screen.id, submissionId: p.submissionId, playedAt: new Date(p.playedAt), durationMs: p.durationMs })),
        ),
      );
      for (const p of accepted) results.push({ id: p.id, outcome: fresh.has(p.id) ? 'counted' : 'duplicate' });
      // In the order sent, so a screen can match them up without the ids too.
      const byId = new Map(results.map((r) => [r.id, r]));
      return { results: plays.map((p) => byId.get(p.id)!) };
    },
    viewsOf: (submissionId: string) => repo.countForSubmission(submissionId),
  };
}
export type PlaysService = ReturnType<typeof createPlaysService>;
