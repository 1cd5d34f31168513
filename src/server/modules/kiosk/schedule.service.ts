import { KIOSK_LIMITS, nextChange, resolveAt, timeline, type KioskLayer, type KioskLayerBody, type PowerPlan } from '../../../contracts/kiosk.js';
import type { KioskLayerRow, KioskScreenRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import { assertCan, type Actor } from '../accounts/permissions.js';
import type { FleetRepository } from './fleet.repository.js';
import type { FleetService } from './fleet.service.js';

export interface ScheduleDeps {
  repo: FleetRepository;
  fleet: FleetService;
  audit: AuditRepository;
  clock: Clock;
  campaignExists: (id: string) => Promise<boolean>;
}

export function presentLayer(l: KioskLayerRow): KioskLayer {
  return {
    id: l.id,
    groupId: l.groupId,
    screenId: l.screenId,
    scope: l.screenId ? 'screen' : 'group',
    name: l.name,
    kind: l.kind,
    priority: l.priority,
    windows: l.windows ?? null,
    fromDate: l.fromDate,
    toDate: l.toDate,
    startsAt: l.startsAt?.toISOString() ?? null,
    endsAt: l.endsAt?.toISOString() ?? null,
    content: l.content,
    createdAt: l.createdAt.toISOString(),
  };
}

export const powerOf = (s: Pick<KioskScreenRow, 'timeZone' | 'openingHours'>): PowerPlan => ({ timeZone: s.timeZone, hours: s.openingHours ?? null });

const HOUR = 3_600_000;

/**
 * Schedules (docs/kiosk.md "Schedules"): layers on a group or a screen, and what a screen plays
 * at any moment, computed by the same resolver the kiosk app runs offline.
 */
export function createScheduleService(deps: ScheduleDeps) {
  const { repo } = deps;
  return {
    async list(actor: Actor, q: { groupId?: string; screenId?: string }) {
      assertCan(actor, 'kiosk.manage');
      return (await repo.listLayers(q)).map(presentLayer);
    },
    async create(actor: Actor, body: KioskLayerBody) {
      assertCan(actor, 'kiosk.manage');
      if (body.groupId && !(await repo.getGroup(body.groupId))) throw new AppError('kiosk.group_not_found');
      if (body.screenId && !(await repo.getScreen(body.screenId))) throw new AppError('kiosk.screen_not_found');
      if (body.content.campaignId && !(await deps.campaignExists(body.content.campaignId))) throw new AppError('kiosk.campaign_not_found');
      if ((await repo.countLayers(body)) >= KIOSK_LIMITS.layersPerTarget) throw new AppError('kiosk.too_many_layers', { max: KIOSK_LIMITS.layersPerTarget });
      // Only the fields of its kind are kept: a default layer with stray dates would mislead the page.
      const row = await repo.createLayer({
        groupId: body.groupId,
        screenId: body.screenId,
        kind: body.kind,
        name: body.name,
        priority: body.priority,
        windows: body.kind === 'window' || body.kind === 'campaign' ? body.windows : null,
        fromDate: body.kind === 'campaign' ? body.fromDate : null,
        toDate: body.kind === 'campaign' ? body.toDate : null,
        startsAt: body.kind === 'interrupt' && body.startsAt ? new Date(body.startsAt) : null,
        endsAt: body.kind === 'interrupt' && body.endsAt ? new Date(body.endsAt) : null,
        content: body.content,
        createdBy: actor.id,
      });
      await deps.audit.create({
        actorId: actor.id,
        action: 'kiosk.layer_create',
        objectType: 'kiosk_layer',
        objectId: row.id,
        data: { kind: row.kind, name: row.name },
      });
      await deps.fleet.scheduleChanged(await repo.screenIdsOf(row));
      return presentLayer(row);
    },
    async remove(actor: Actor, id: string) {
      assertCan(actor, 'kiosk.manage');
      const row = await repo.getLayer(id);
      if (!row || !(await repo.deleteLayer(id))) throw new AppError('kiosk.layer_not_found');
      await deps.audit.create({
        actorId: actor.id,
        action: 'kiosk.layer_delete',
        objectType: 'kiosk_layer',
        objectId: id,
        data: { kind: row.kind, name: row.name },
      });
      await deps.fleet.scheduleChanged(await repo.screenIdsOf(row));
    },

    /** What a screen plays at `at` and over the next `hours`, for the admin page. */
    async forScreen(actor: Actor, screenId: string, q: { at?: string; hours: number }) {
      assertCan(actor, 'kiosk.manage');
      const screen = await repo.getScreen(screenId);
      if (!screen) throw new AppError('kiosk.screen_not_found');
      const at = q.at ? Date.parse(q.at) : deps.clock.now().getTime();
      const layers = (await repo.layersForScreen(screen)).map(presentLayer);
      const power = powerOf(screen);
      const now = resolveAt(layers, power, at);
      const next = nextChange(layers, power, at);
      return {
        screenId,
        timeZone: screen.timeZone,
        at: new Date(at).toISOString(),
        now: { dark: now.dark, layer: now.layer },
        nextChangeAt: next === null ? null : new Date(next).toISOString(),
        layers,
        timeline: timeline(layers, power, at, at + q.hours * HOUR),
      };
    },

    /** The screen's own copy: its layers and power plan, with the server's time to correct its clock. */
    async ownSchedule(screen: KioskScreenRow) {
      return {
        serverTime: deps.clock.now().toISOString(),
        power: powerOf(screen),
        orientation: screen.orientation,
        layers: (await repo.layersForScreen(screen)).map(presentLayer),
      };
    },
  };
}
export type ScheduleService = ReturnType<typeof createScheduleService>;
