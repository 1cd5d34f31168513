import type { Checkpoint } from '../channel.js';

/** A checkpoint kept in memory, for contract tests: `state` shows what an adapter recorded. */
export function memoryCheckpoint(initial: Record<string, string | number> = {}): Checkpoint & { state: Record<string, string | number> } {
  const state: Record<string, string | number> = { ...initial };
  return {
    state,
    async save(patch) {
      Object.assign(state, patch);
    },
  };
}
