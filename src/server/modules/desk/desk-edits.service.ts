import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DeskEditSpec } from '../../db/schema.js';
import type { Db } from '../../db/client.js';
import type { JobQueue } from '../../jobs/queue.js';
import { AppError } from '../../lib/errors.js';
import type { Storage } from '../../lib/storage.js';
import { assertCan, type Actor } from '../accounts/permissions.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import { probeMedia, type ProbeFacts } from '../media/probe.js';
import { buildWebVtt, trimAndSubtitle } from '../media/subtitles.js';
import { transcodeToHls } from '../media/transcode.js';
import type { SubmissionsRepository } from '../submissions/submissions.repository.js';
import { submissionPrefix } from '../submissions/submissions.service.js';
import type { DeskRepository } from './desk.repository.js';

export interface DeskEditsDeps {
  db: Db;
  repo: DeskRepository;
  submissionsRepo: SubmissionsRepository;
  storage: Storage;
  jobs: JobQueue;
  audit: AuditRepository;
  workDir: string;
  ffmpeg: { threads: number; timeoutMs: number };
  /** The desk's object check (studio scope), shared with review and adoption. */
  assertInScope: (actor: Actor, submissionId: string) => Promise<void>;
}

const editPrefix = (submissionId: string, editId: string) => `${submissionPrefix(submissionId)}/edits/${editId}`;
const url = (key: string | null | undefined) => (key ? `/api/media/${key}` : null);

export function createDeskEditsService(deps: DeskEditsDeps) {
  const { repo } = deps;

  function present(e: Awaited<ReturnType<DeskRepository['listEdits']>>[number]) {
    return {
      id: e.id,
      status: e.status,
      startSeconds: e.spec.startSeconds,
      endSeconds: e.spec.endSeconds,
      mode: e.spec.mode,
      subtitles: e.spec.subtitles,
      playbackUrl: url(e.outputs?.master),
      mp4Url: url(e.outputs?.mp4),
      subtitlesUrl: url(e.outputs?.subtitlesVtt),
      error: e.error,
      createdAt: e.createdAt.toISOString(),
    };
  }

  return {
    /** Queues a trimmed, subtitled version of an adopted video; the job makes it. */
    async request(actor: Actor, submissionId: string, spec: DeskEditSpec) {
      assertCan(actor, 'desk.review');
      const row = await deps.submissionsRepo.get(submissionId);
      if (!row) throw new AppError('submission.not_found');
      await deps.assertInScope(actor, submissionId);
      if (row.status !== 'adopted') throw new AppError('desk.not_adopted');
      const duration = row.durationSeconds ?? 0;
      if (spec.endSeconds > duration + 0.05) throw new AppError('edit.cut_out_of_range', { clip: 1, duration: Math.round(duration * 10) / 10 });
      const edit = await deps.db.transaction(async (tx) => {
        const e = await repo.createEdit({ submissionId, spec, createdBy: actor.id }, tx);
        await deps.jobs.send('media.desk-edit', { editId: e.id }, { tx });
        await deps.audit.create(
          { actorId: actor.id, action: 'submission.desk_edit', objectType: 'submission', objectId: submissionId, data: { editId: e.id, mode: spec.mode } },
          tx,
        );
        return e;
      });
      return present(edit);
    },

    async list(actor: Actor, submissionId: string) {
      assertCan(actor, 'desk.review');
      await deps.assertInScope(actor, submissionId);
      return (await repo.listEdits(submissionId)).map(present);
    },

    async process(editId: string, opts: { isLastAttempt: boolean }): Promise<void> {
      const edit = await repo.getEdit(editId);
      if (!edit || edit.status === 'ready') return;
      const row = await deps.submissionsRepo.get(edit.submissionId);
      if (!row?.outputs?.original || !row.probe) {
        await repo.updateEdit(editId, { status: 'failed', error: 'the original is gone' });
        return;
      }
      await repo.updateEdit(editId, { status: 'processing' });
      const work = path.join(deps.workDir, `edit-${editId}`);
      await rm(work, { recursive: true, force: true });
      await mkdir(path.join(work, 'hls'), { recursive: true });
      try {
        const input = await deps.storage.localCopy(row.outputs.original, path.join(work, 'in'));
        const facts = row.probe as unknown as ProbeFacts;
        const { spec } = edit;
        const mp4 = path.join(work, 'edited.mp4');
        await trimAndSubtitle({
          input,
          facts,
          startSeconds: spec.startSeconds,
          endSeconds: spec.endSeconds,
          burn: spec.mode === 'burn' ? spec.subtitles : [],
          outPath: mp4,
          workDir: work,
          ...deps.ffmpeg,
        });
        const editedFacts = await probeMedia(mp4);
        await transcodeToHls({ input: mp4, facts: editedFacts, outDir: path.join(work, 'hls'), ...deps.ffmpeg });
        const prefix = editPrefix(row.id, editId);
        await deps.storage.putFile(`${prefix}/edited.mp4`, mp4);
        await deps.storage.putDir(`${prefix}/hls`, path.join(work, 'hls'));
        let subtitlesVtt: string | null = null;
        if (spec.mode === 'vtt' && spec.subtitles.length) {
          const vtt = path.join(work, 'subtitles.vtt');
          await writeFile(vtt, buildWebVtt(spec.subtitles));
          subtitlesVtt = `${prefix}/subtitles.vtt`;
          await deps.storage.putFile(subtitlesVtt, vtt);
        }
        await repo.updateEdit(editId, {
          status: 'ready',
          error: null,
          outputs: { mp4: `${prefix}/edited.mp4`, master: `${prefix}/hls/master.m3u8`, subtitlesVtt, durationSeconds: editedFacts.durationSeconds },
        });
      } catch (err) {
        if (!opts.isLastAttempt) throw err;
        await repo.updateEdit(editId, { status: 'failed', error: err instanceof Error ? err.message.slice(0, 500) : String(err) });
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    },
  };
}
export type DeskEditsService = ReturnType<typeof createDeskEditsService>;
