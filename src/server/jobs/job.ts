import type { z } from 'zod';
import type { Services } from '../services.js';

/** Facts about this run of a job: a handler may give up gracefully on its last attempt. */
export interface JobRun {
  jobId: string;
  attempt: number;
  isLastAttempt: boolean;
}

export interface JobDefinition<P> {
  /** Queue name: `<domain>.<verb>`. */
  readonly name: string;
  readonly payload: z.ZodType<P>;
  /** Retries with exponential backoff from `retryDelaySeconds`. */
  readonly retryLimit?: number;
  readonly retryDelaySeconds?: number;
  readonly expireInSeconds?: number;
  /**
   * Long jobs (ffmpeg) beat while they run: the job's expiry in the database is kept
   * JOB_STALL_SECONDS ahead, so the job of a worker that died comes back to the queue within
   * minutes, while a live one may run up to `expireInSeconds`.
   */
  readonly heartbeat?: boolean;
  /** A cron line (5 fields) and its time zone, for jobs that run on a timetable. */
  readonly schedule?: { cron: string; tz: string };
  handle(payload: P, services: Services, run: JobRun): Promise<void>;
}

export function defineJob<P>(def: JobDefinition<P>): JobDefinition<P> {
  return def;
}
