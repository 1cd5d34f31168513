import { coarsen, type FieldProfile, type FieldProfilePut } from '../../../contracts/command.js';
import type { Clock } from '../../lib/clock.js';
import { assertCan, type Actor } from '../accounts/permissions.js';
import type { AssignmentsRepository } from './assignments.repository.js';

/** The home area is kept to a grid of about this many metres: enough to find who is near, not where they live. */
export const HOME_AREA_METRES = 1000;

/**
 * A person's field profile (docs/command.md, "Field profiles"): opting in to be offered
 * assignments near a place they name. Opting out keeps nothing of where: the point and place
 * name are cleared, only the travel distance stays for next time.
 */
export function createFieldProfileService(deps: { repo: AssignmentsRepository; clock: Clock }) {
  const { repo, clock } = deps;

  function present(row: Awaited<ReturnType<AssignmentsRepository['getProfile']>>): FieldProfile {
    if (!row) return { optedIn: false, lat: null, lng: null, placeName: null, travelKm: 30, updatedAt: null };
    return { optedIn: row.optedIn, lat: row.lat, lng: row.lng, placeName: row.placeName, travelKm: row.travelKm, updatedAt: row.updatedAt.toISOString() };
  }

  return {
    async get(actor: Actor | null | undefined): Promise<FieldProfile> {
      assertCan(actor, 'command.field');
      return present(await repo.getProfile(actor.id));
    },

    async put(actor: Actor | null | undefined, body: FieldProfilePut): Promise<FieldProfile> {
      assertCan(actor, 'command.field');
      const before = await repo.getProfile(actor.id);
      const travelKm = body.travelKm ?? before?.travelKm ?? 30;
      const home = body.optedIn ? coarsen({ lat: body.lat!, lng: body.lng! }, HOME_AREA_METRES) : null;
      const row = await repo.putProfile({
        userId: actor.id,
        optedIn: body.optedIn,
        lat: home?.lat ?? null,
        lng: home?.lng ?? null,
        placeName: body.optedIn ? body.placeName || null : null,
        travelKm,
        updatedAt: clock.now(),
      });
      return present(row);
    },
  };
}
export type FieldProfileService = ReturnType<typeof createFieldProfileService>;
