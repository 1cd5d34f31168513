import type { JobDefinition } from './job.js';
import { sessionsCleanupJob } from '../modules/accounts/jobs/sessions-cleanup.job.js';

/** Every job's payload, by name. A name here without a handler below fails the type check. */
export interface JobPayloads {
  'accounts.sessions-cleanup': Record<string, never>;
}
export type JobName = keyof JobPayloads;

export const jobRegistry: { [K in JobName]: JobDefinition<JobPayloads[K]> } = {
  'accounts.sessions-cleanup': sessionsCleanupJob,
};
