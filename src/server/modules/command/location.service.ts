import type { AssignmentLocationReply, FieldPerson, LocationShareState, PositionReport, PositionUpload } from '../../../contracts/command.js';
import { ACTIVE_ASSIGNMENT_STATUSES, COMMAND_LIMITS, coarsen, type AssignmentStatus, type LocationPrecision } from '../../../contracts/command.limits.js';
import { LOCATION_LIMITS } from '../../../contracts/command.map.limits.js';
import type { Db } from '../../db/client.js';
import type { LocationShareRow } from '../../db/schema.js';
import { AppError } from '../../lib/errors.js';
import type { Clock } from '../../lib/clock.js';
import type { Actor } from '../accounts/permissions.js';
import type { CommandScopeService } from './command.scope.js';
import type { LatestPosition, LocationRepository, NewPosition } from './location.repository.js';

export interface LocationServiceDeps {
  db: Db;
  repo: LocationRepository;
  scope: Pick<CommandScopeService, 'access' | 'accessWorking'>;
  clock: Clock;
}

const isActive = (status: AssignmentStatus) => (ACTIVE_ASSIGNMENT_STATUSES as readonly string[]).includes(status);

export function shareState(row: LocationShareRow): LocationShareState {
  return {
    precision: row.precision,
    consentedAt: row.consentedAt.toISOString(),
    stoppedAt: row.stoppedAt?.toISOString() ?? null,
    stopReason: row.stopReason ?? null,
  };
}

export function personOf(p: LatestPosition): FieldPerson {
  return {
    userId: p.userId,
    name: p.name,
    assignmentId: p.assignmentId,
    lat: p.lat,
    lng: p.lng,
    precision: p.precision,
    accuracyM: p.accuracyM,
    battery: p.battery,
    charging: p.charging,
    network: p.network,
    lastSeenAt: p.recordedAt.toISOString(),
  };
}

/**
 * People on a map (docs/command-map.md): a person working an assignment consents to share
 * where they are, coarse (rounded to about 100 m before it is stored) unless they choose
 * precise; positions are taken only while the assignment is live in the field and the consent
 * runs, and are kept only for the assignment's life.
 */
export function createLocationService(deps: LocationServiceDeps) {
  const { db, repo, scope, clock } = deps;

  /** The person working the assignment (an accepted offer); desk staff cannot share for them. */
  async function working(actor: Actor | null | undefined, assignmentId: string, tx: Db) {
    const access = await scope.accessWorking(actor, assignmentId, tx);
    if (access.as !== 'field') throw new AppError('command.location.not_working');
    return access.assignment;
  }

  /**
   * Outside the assignment's life: a share still running on it is stopped and, once it has
   * ended, its positions go at once. Returns the refusal for the caller to throw AFTER its
   * transaction commits, so the clean-up is not rolled back with it.
   */
  async function endedRefusal(opts: { assignmentId: string; userId: string; status: AssignmentStatus }, tx: Db): Promise<AppError | null> {
    if (isActive(opts.status)) return null;
    const ended = opts.status === 'completed' || opts.status === 'cancelled';
    await repo.stopShare({ assignmentId: opts.assignmentId, userId: opts.userId, reason: 'assignment_ended', at: clock.now() }, tx);
    if (ended) await repo.deletePositions({ assignmentId: opts.assignmentId }, tx);
    return new AppError('command.location.assignment_not_active', { status: opts.status });
  }

  /** Why this report cannot be stored, by its time; null when it can. */
  function timeProblem(
    report: PositionReport,
    share: LocationShareRow,
    now: Date,
  ): 'command.location.recorded_in_future' | 'command.location.recorded_too_old' | null {
    const at = new Date(report.recordedAt).getTime();
    if (at > now.getTime() + LOCATION_LIMITS.futureSkewMs) return 'command.location.recorded_in_future';
    if (at < now.getTime() - LOCATION_LIMITS.maxAgeMs || at < share.consentedAt.getTime() - LOCATION_LIMITS.consentSkewMs) {
      return 'command.location.recorded_too_old';
    }
    return null;
  }

  /** The stored row: coarse reports are rounded here, before anything is written. */
  function toRow(opts: { report: PositionReport; precision: LocationPrecision; assignmentId: string; userId: string }): NewPosition {
    const { report, precision } = opts;
    const point = precision === 'coarse' ? coarsen(report) : { lat: report.lat, lng: report.lng };
    const accuracy = report.accuracyM === undefined ? null : Math.round(report.accuracyM);
    return {
      assignmentId: opts.assignmentId,
      userId: opts.userId,
      lat: point.lat,
      lng: point.lng,
      // A coarse point is never better than its grid, whatever the phone measured.
      accuracyM: precision === 'coarse' ? Math.max(accuracy ?? 0, COMMAND_LIMITS.coarseMetres) : accuracy,
      battery: report.battery ?? null,
      charging: report.charging ?? null,
      network: report.network ?? null,
      recordedAt: new Date(report.recordedAt),
    };
  }

  return {
    /** PUT …/location-share: consent, or a change of precision. Going back to coarse deletes the precise points already stored. */
    async consent(actor: Actor | null | undefined, assignmentId: string, precision: LocationPrecision): Promise<LocationShareState> {
      const out = await db.transaction(async (tx) => {
        const a = await working(actor, assignmentId, tx);
        const userId = actor!.id;
        const refusal = await endedRefusal({ assignmentId, userId, status: a.status }, tx);
        if (refusal) return refusal;
        const before = await repo.getShare(assignmentId, userId, tx);
        if (before && before.precision === 'precise' && precision === 'coarse') await repo.deletePositions({ assignmentId, userId }, tx);
        return shareState(await repo.upsertShare({ assignmentId, userId, precision, at: clock.now() }, tx));
      });
      if (out instanceof AppError) throw out;
      return out;
    },

    /** DELETE …/location-share: the person stops; what they shared on this assignment is deleted with it. */
    async stop(actor: Actor | null | undefined, assignmentId: string): Promise<LocationShareState | null> {
      return db.transaction(async (tx) => {
        await working(actor, assignmentId, tx);
        const userId = actor!.id;
        await repo.stopShare({ assignmentId, userId, reason: 'person', at: clock.now() }, tx);
        await repo.deletePositions({ assignmentId, userId }, tx);
        const row = await repo.getShare(assignmentId, userId, tx);
        return row ? shareState(row) : null;
      });
    },

    /** POST …/location: one report (refused with its code) or a batch (the reports refused by time are listed; the rest stored). */
    async report(actor: Actor | null | undefined, assignmentId: string, upload: PositionUpload) {
      const batch = 'reports' in upload;
      const reports = batch ? upload.reports : [upload];
      const out = await db.transaction(async (tx) => {
        let a;
        try {
          a = await working(actor, assignmentId, tx);
        } catch (err) {
          // An offer that is no longer accepted ends the person's share here and now (the sweep does the same later).
          if (!(actor && err instanceof AppError && err.code === 'command.assignment_not_found')) throw err;
          if (await repo.stopShare({ assignmentId, userId: actor.id, reason: 'offer_ended', at: clock.now() }, tx)) {
            await repo.deletePositions({ assignmentId, userId: actor.id }, tx);
          }
          return err;
        }
        const userId = actor!.id;
        const refusal = await endedRefusal({ assignmentId, userId, status: a.status }, tx);
        if (refusal) return refusal;
        const share = await repo.getShare(assignmentId, userId, tx);
        if (!share || share.stoppedAt) return new AppError('command.location.no_consent');
        const now = clock.now();
        const refused: { index: number; code: string }[] = [];
        const rows: NewPosition[] = [];
        const last = await repo.lastPosition(assignmentId, userId, tx);
        let floor = last ? last.recordedAt.getTime() + LOCATION_LIMITS.minGapMs : -Infinity;
        reports.forEach((report, index) => {
          const problem = timeProblem(report, share, now);
          const at = new Date(report.recordedAt).getTime();
          if (problem) refused.push({ index, code: problem });
          else if (at < floor) refused.push({ index, code: 'command.location.too_frequent' });
          else {
            rows.push(toRow({ report, precision: share.precision, assignmentId, userId }));
            floor = at + LOCATION_LIMITS.minGapMs;
          }
        });
        if (!batch && refused.length) return new AppError(refused[0]!.code as 'command.location.recorded_too_old');
        await repo.insertPositions(rows, tx);
        return { stored: rows.length, refused, precision: share.precision };
      });
      if (out instanceof AppError) throw out;
      return out;
    },

    /** GET …/location: the person's own share and last position, or the desk's view of everyone sharing on it. */
    async view(actor: Actor | null | undefined, assignmentId: string): Promise<AssignmentLocationReply> {
      const access = await scope.accessWorking(actor, assignmentId);
      const active = isActive(access.assignment.status);
      if (access.as === 'desk') {
        return { as: 'desk', active, people: (await repo.latestPositions({ assignmentId })).map(personOf) };
      }
      const userId = actor!.id;
      const share = await repo.getShare(assignmentId, userId);
      const last = await repo.lastPosition(assignmentId, userId);
      return {
        as: 'field',
        active,
        share: share ? shareState(share) : null,
        last:
          share && last
            ? personOf({
                ...last,
                name: '',
                precision: share.precision,
              })
            : null,
      };
    },

    /** The job's sweep: stops shares that outlived their assignment or offer and deletes their positions. */
    async sweep() {
      return db.transaction((tx) => repo.sweep(clock.now(), tx));
    },
  };
}
export type LocationService = ReturnType<typeof createLocationService>;
