import { createHash } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../../db/client.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { Clock } from '../../lib/clock.js';
import type { Storage } from '../../lib/storage.js';
import { FFMPEG_BIN, runProcess } from '../media/ffmpeg.runner.js';
import { submissionPrefix } from '../submissions/submissions.service.js';
import { campaignThemes, insertCallSubmission, type JanusRepository } from './janus.repository.js';

export const JANUS_PP_REC_BIN = '/usr/bin/janus-pp-rec';

export interface RecordingsDeps {
  db: Db;
  repo: JanusRepository;
  storage: Storage;
  jobs: JobQueue;
  clock: Clock;
  /** JANUS_RECORDINGS_DIR: each call's .mjr files are in <dir>/<callId>/ (janus.adapter.ts). */
  recordingsDir: string;
  workDir: string;
  timeoutMs: number;
}

/** One publisher's recording: the files Janus wrote for one publish (u-<userId>-<ms>-<audio|video>-<mid>.mjr). */
export interface Take {
  userId: string;
  startedMs: number;
  video?: string;
  audio?: string;
  videoBytes: number;
}

const MJR = /^u-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-(\d+)-(audio|video)(?:-\d+)?\.mjr$/;

/** The takes in a call's recording folder, by publisher and publish. */
export async function listTakes(dir: string): Promise<Take[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const takes = new Map<string, Take>();
  for (const name of names) {
    const m = MJR.exec(name);
    if (!m) continue;
    const k = `${m[1]}-${m[2]}`;
    const take = takes.get(k) ?? { userId: m[1]!, startedMs: Number(m[2]), videoBytes: 0 };
    const file = path.join(dir, name);
    if (m[3] === 'video') {
      take.video = file;
      take.videoBytes = (await stat(file)).size;
    } else take.audio = file;
    takes.set(k, take);
  }
  return [...takes.values()];
}

/** The submission id of a call's recording: fixed by the call, so a rerun stores under the same key and inserts nothing new. */
export function recordingSubmissionId(callId: string): string {
  const h = createHash('sha256').update(`paike:call-recording:${callId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const beijing = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

/** A permanent reason the recording cannot become material (no retry helps). */
export class RecordingUnusableError extends Error {}

/**
 * A Janus call's recording becomes a desk item (docs/command-janus.md, "Recordings"): the field
 * guest's take (janus-pp-rec turns each .mjr into WebM/Opus, ffmpeg puts them in one file) is
 * stored as a submission (source 'call', the assignment; who: the guest, where: their last shared
 * position or the assignment's place, when: the call's start in Beijing time) and handed to the
 * media pipeline like a finished upload.
 */
export function createRecordingsService(deps: RecordingsDeps) {
  const { repo } = deps;

  async function merge(take: Take, work: string): Promise<string> {
    const run = (bin: string, args: string[]) => runProcess(bin, args, { timeoutMs: deps.timeoutMs });
    const inputs: string[] = [];
    if (take.video) {
      await run(JANUS_PP_REC_BIN, [take.video, path.join(work, 'video.webm')]);
      inputs.push(path.join(work, 'video.webm'));
    }
    if (take.audio) {
      await run(JANUS_PP_REC_BIN, [take.audio, path.join(work, 'audio.opus')]);
      inputs.push(path.join(work, 'audio.opus'));
    }
    const out = path.join(work, 'call.webm');
    const args = ['-hide_banner', '-loglevel', 'error', '-y'];
    for (const i of inputs) args.push('-i', i);
    if (take.video) args.push('-map', '0:v:0');
    if (take.audio) args.push('-map', `${take.video ? 1 : 0}:a:0`);
    args.push('-c', 'copy', out);
    await run(FFMPEG_BIN, args);
    return out;
  }

  return {
    /** Idempotent: a call whose recording already became a submission is left alone. */
    async collect(callId: string, opts: { isLastAttempt: boolean }): Promise<void> {
      const call = await repo.getCall(callId);
      if (!call || call.media !== 'janus' || call.submissionId || call.recordingStatus === 'done') return;
      await repo.setRecording(callId, { recordingStatus: 'processing', recordingError: null });
      const work = path.join(deps.workDir, `call-${callId}`);
      try {
        const participants = await repo.listParticipants(callId);
        const guests = new Set(participants.filter((p) => p.role === 'guest').map((p) => p.userId));
        const takes = (await listTakes(path.join(deps.recordingsDir, callId))).filter((t) => t.video && t.videoBytes > 0);
        // The field's picture is the material; the director's own camera is not.
        const take = takes.filter((t) => guests.has(t.userId)).sort((a, b) => b.videoBytes - a.videoBytes)[0];
        if (!take) throw new RecordingUnusableError('no recording of a field guest');
        const assignment = await repo.getAssignment(call.assignmentId);
        if (!assignment) throw new RecordingUnusableError('assignment gone');
        await rm(work, { recursive: true, force: true });
        await mkdir(work, { recursive: true });
        const file = await merge(take, work);
        const id = recordingSubmissionId(callId);
        const original = `${submissionPrefix(id)}/original`;
        await deps.storage.putFile(original, file);
        const size = (await stat(file)).size;
        const position = await repo.lastPosition(assignment.id, take.userId);
        const theme = assignment.theme ?? (await campaignThemes(deps.db, assignment.campaignId))[0] ?? 'call';
        const title = `连线：${assignment.title} ${beijing.format(call.startedAt)}`.slice(0, 120);
        await deps.db.transaction(async (tx) => {
          const current = await repo.getCallForUpdate(callId, tx);
          if (!current || current.submissionId) return;
          await insertCallSubmission(tx, {
            id,
            userId: take.userId,
            campaignId: assignment.campaignId,
            theme,
            title,
            description: assignment.brief.slice(0, 2000),
            location: position
              ? { lat: position.lat, lng: position.lng, name: assignment.placeName }
              : { lat: assignment.lat, lng: assignment.lng, name: assignment.placeName },
            // The guest agreed to the call, which Paike told them is recorded for the desk.
            consentAt: call.answeredAt ?? call.startedAt,
            status: 'processing',
            uploadLength: size,
            originalFilename: `call-${callId}.webm`,
            outputs: { original },
            source: 'call',
            assignmentId: assignment.id,
          });
          await repo.setRecording(callId, { recordingStatus: 'done', submissionId: id, recordingError: null }, tx);
          await deps.jobs.send('media.process', { submissionId: id }, { tx, singletonKey: id });
        });
      } catch (err) {
        const final = err instanceof RecordingUnusableError || opts.isLastAttempt;
        if (!final) throw err;
        const reason = err instanceof Error ? err.message : String(err);
        await repo.setRecording(callId, { recordingStatus: 'failed', recordingError: reason.slice(0, 500) });
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    },
  };
}
export type RecordingsService = ReturnType<typeof createRecordingsService>;
