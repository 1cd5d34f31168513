import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { studioMembers, studios } from '../../db/schema.js';
import { createTestContext, signUp, staff, type TestContext } from '../../testing/harness.js';
import { propagationFixtures } from '../propagation/charts.fixtures.js';
import type { Actor } from '../accounts/permissions.js';
import { insertAssignment, insertOffer } from './testing/fixtures.js';

let ctx: TestContext;
let campaignId: string;
let studioA: string;
let studioB: string;
let editorA: Actor;
let chief: Actor;
let field: Actor;
let stranger: Actor;

beforeAll(async () => {
  ctx = await createTestContext();
  const { services } = ctx.runtime;
  const { db } = services.database;
  campaignId = (await propagationFixtures(services).campaign({ startsAt: '2026-01-01T00:00:00+08:00', endsAt: '2028-01-01T00:00:00+08:00' })).id;
  const e = await staff(ctx, ['editor']);
  const c = await staff(ctx, ['chief_editor']);
  editorA = { id: e.user.id, roles: ['editor'] };
  chief = { id: c.user.id, roles: ['chief_editor'] };
  field = { id: (await signUp(ctx.app)).user.id, roles: ['contributor'] };
  stranger = { id: (await signUp(ctx.app)).user.id, roles: ['contributor'] };
  const made = await db
    .insert(studios)
    .values([{ name: '时政工作室' }, { name: '民生工作室' }])
    .returning();
  studioA = made[0]!.id;
  studioB = made[1]!.id;
  await db.insert(studioMembers).values({ studioId: studioA, userId: editorA.id });
}, 60_000);
afterAll(() => ctx?.close());

describe('the command scope', () => {
  it('lets desk staff reach their studio’s and the central desk’s assignments, and chief editors all', async () => {
    const { services } = ctx.runtime;
    const { db } = services.database;
    const scope = services.commandScope;
    const mine = await insertAssignment(db, { createdBy: chief.id, campaignId, studioId: studioA });
    const central = await insertAssignment(db, { createdBy: chief.id, campaignId, studioId: null });
    const theirs = await insertAssignment(db, { createdBy: chief.id, campaignId, studioId: studioB });
    expect((await scope.access(editorA, mine.id)).as).toBe('desk');
    expect((await scope.access(editorA, central.id)).as).toBe('desk');
    await expect(scope.access(editorA, theirs.id)).rejects.toMatchObject({ code: 'command.out_of_scope' });
    expect((await scope.access(chief, theirs.id)).as).toBe('desk');
  });

  it('shows a person only the assignments offered to or accepted by them, never a draft, and 404s the rest', async () => {
    const { services } = ctx.runtime;
    const { db } = services.database;
    const scope = services.commandScope;
    const working = await insertAssignment(db, { createdBy: chief.id, campaignId });
    await insertOffer(db, { assignmentId: working.id, userId: field.id, status: 'offered' });
    expect(await scope.access(field, working.id)).toMatchObject({ as: 'field', offerStatus: 'offered' });
    await expect(scope.accessWorking(field, working.id)).rejects.toMatchObject({ code: 'command.assignment_not_found' });
    await expect(scope.access(stranger, working.id)).rejects.toMatchObject({ code: 'command.assignment_not_found' });

    const declined = await insertAssignment(db, { createdBy: chief.id, campaignId });
    await insertOffer(db, { assignmentId: declined.id, userId: field.id, status: 'declined' });
    await expect(scope.access(field, declined.id)).rejects.toMatchObject({ code: 'command.assignment_not_found' });

    const draft = await insertAssignment(db, { createdBy: chief.id, campaignId, status: 'draft' });
    await insertOffer(db, { assignmentId: draft.id, userId: field.id, status: 'accepted' });
    await expect(scope.access(field, draft.id)).rejects.toMatchObject({ code: 'command.assignment_not_found' });
    await expect(scope.access(field, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'command.assignment_not_found' });
  });
});
