// Study collections for the study tests: published stories to study, built through the staff API.
import { expect } from 'vitest';
import type { AdminCollection } from '../../../../contracts/study.js';
import type { TestContext } from '../../../testing/harness.js';
import { insertForm, insertStory } from '../../kitchen/testing/fixtures.js';

/** A kitchen story with a published web form: what an `article` item may point at. */
export async function publishedStory(ctx: TestContext, authorId: string, headline = '学习贯彻全会精神') {
  const story = await insertStory(ctx.runtime.services.database.db, { authorId, headline });
  await insertForm(ctx.runtime.services.database.db, { storyId: story.id, form: 'web', status: 'published', content: {} });
  return story;
}

export interface QuestionSpec {
  prompt: string;
  options: string[];
  correct: number[];
  explanation?: string;
  itemIndex?: number;
}

/** A published collection of `items` articles (each its own story), with the questions given. */
export async function studyCollection(
  ctx: TestContext,
  staff: { cookie: string; user: { id: string } },
  opts: { title?: string; items?: number; minDwellSeconds?: number; pointsEnabled?: boolean; pointsPerTask?: number; questions?: QuestionSpec[] } = {},
): Promise<AdminCollection> {
  const call = (method: 'POST' | 'PATCH', url: string, payload: object) => ctx.app.inject({ method, url, headers: { cookie: staff.cookie }, payload });
  const created = await call('POST', '/api/admin/study/collections', {
    title: opts.title ?? '党的二十届四中全会精神学习',
    pointsEnabled: opts.pointsEnabled ?? true,
    pointsPerTask: opts.pointsPerTask ?? 1,
  });
  expect(created.statusCode).toBe(201);
  const id = created.json<AdminCollection>().id;
  const itemIds: string[] = [];
  for (let i = 0; i < (opts.items ?? 1); i++) {
    const story = await publishedStory(ctx, staff.user.id, `学习文章 ${i + 1}`);
    const item = await call('POST', `/api/admin/study/collections/${id}/items`, {
      kind: 'article',
      refId: story.id,
      minDwellSeconds: opts.minDwellSeconds ?? 30,
    });
    expect(item.statusCode).toBe(201);
    itemIds.push(item.json<{ id: string }>().id);
  }
  for (const q of opts.questions ?? []) {
    const res = await call('POST', `/api/admin/study/collections/${id}/questions`, {
      prompt: q.prompt,
      options: q.options,
      correct: q.correct,
      explanation: q.explanation ?? '',
      itemId: q.itemIndex === undefined ? null : itemIds[q.itemIndex],
    });
    expect(res.statusCode).toBe(201);
  }
  const published = await call('PATCH', `/api/admin/study/collections/${id}`, { published: true });
  expect(published.statusCode).toBe(200);
  return published.json<AdminCollection>();
}
