import type { Db } from '../../../db/client.js';
import { stories, storyForms, storyRevisions, type StoryFormRow, type StoryRow } from '../../../db/schema.js';
import type { Form, FormStatus } from '../../../../contracts/kitchen.js';

/**
 * Rows straight into the kitchen's tables, for tests of one part (forms, review, print,
 * planning, the wall) that need a story without going through the story routes.
 */
export async function insertStory(
  db: Db,
  opts: { authorId: string; studioId?: string | null; headline?: string; standfirst?: string; bodyHtml?: string; tags?: string[]; byline?: string },
): Promise<StoryRow> {
  const [row] = await db
    .insert(stories)
    .values({
      authorId: opts.authorId,
      updatedBy: opts.authorId,
      studioId: opts.studioId ?? null,
      headline: opts.headline ?? '春运首日 返乡路上的年味',
      standfirst: opts.standfirst ?? '记者与拍客一起记录返乡路。',
      bodyHtml: opts.bodyHtml ?? '<p>清晨六点，车站已排起长队。</p><h2>一路向家</h2><blockquote>回家过年。</blockquote>',
      tags: opts.tags ?? ['春运'],
      byline: opts.byline ?? '本报记者 李明',
    })
    .returning();
  await db.insert(storyRevisions).values({
    storyId: row!.id,
    version: 1,
    headline: row!.headline,
    standfirst: row!.standfirst,
    bodyHtml: row!.bodyHtml,
    tags: row!.tags,
    byline: row!.byline,
    editorId: opts.authorId,
  });
  return row!;
}

export async function insertForm(
  db: Db,
  opts: { storyId: string; form: Form; status?: FormStatus; content: Record<string, unknown>; updatedBy?: string },
): Promise<StoryFormRow> {
  const [row] = await db
    .insert(storyForms)
    .values({ storyId: opts.storyId, form: opts.form, status: opts.status ?? 'in_edit', content: opts.content, updatedBy: opts.updatedBy ?? null })
    .returning();
  return row!;
}
