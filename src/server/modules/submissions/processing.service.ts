import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../../db/client.js';
import type { SubmissionRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import type { Storage } from '../../lib/storage.js';
import type { CampaignsRepository } from '../campaigns/campaigns.repository.js';
import { FfmpegError } from '../media/ffmpeg.runner.js';
import { compareFingerprints, computeFingerprint, parseFingerprint, serializeFingerprint } from '../media/fingerprint.js';
import { checkDecodes, checkProbe, MediaRejectedError, probeMedia, type ProbeFacts } from '../media/probe.js';
import { extractPoster, makeSprite, transcodeToHls } from '../media/transcode.js';
import { ComposeRejectedError, composeClips, validateCuts } from '../media/compose.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { SubmissionsRepository } from './submissions.repository.js';
import { clipKey, submissionPrefix } from './submissions.service.js';

export interface ProcessingDeps {
  db: Db;
  repo: SubmissionsRepository;
  campaigns: CampaignsRepository;
  storage: Storage;
  clock: Clock;
  /** Server-chosen scratch space; each submission gets its own folder, removed afterwards. */
  workDir: string;
  ffmpeg: { threads: number; timeoutMs: number };
  jobs: JobQueue;
  /** How many earlier fingerprints a new video is compared against. */
  duplicateWindow?: number;
}

/** Where in the bar each step ends, so the contributor sees steady progress. */
const STEP = { probed: 5, decoded: 20, transcoded: 85, stills: 95 } as const;

export function createProcessingService(deps: ProcessingDeps) {
  const { repo } = deps;

  async function stillProcessing(id: string): Promise<boolean> {
    return (await repo.get(id))?.status === 'processing';
  }

  async function reject(row: SubmissionRow, code: string, params: Record<string, unknown>): Promise<void> {
    // A rejected file is not kept. The files go first, so whoever sees the rejection also sees
    // an empty place; a crash in between leaves a retry that rejects for want of an original.
    await deps.storage.deletePrefix(submissionPrefix(row.id));
    await deps.db.transaction(async (tx) => {
      const current = await repo.getForUpdate(row.id, tx);
      if (current?.status !== 'processing') return;
      await repo.update(
        row.id,
        { status: 'rejected', rejectionCode: code, rejectionParams: params, progress: 100, outputs: null, processedAt: deps.clock.now() },
        tx,
      );
    });
  }

  async function findDuplicate(row: SubmissionRow, fingerprint: ReturnType<typeof parseFingerprint>) {
    const earlier = await repo.listFingerprinted(row.id, deps.duplicateWindow ?? 2000);
    let best: { id: string; score: number } | null = null;
    for (const e of earlier) {
      if (!e.fingerprint) continue;
      const r = compareFingerprints(fingerprint, parseFingerprint(e.fingerprint));
      if (r.match && (!best || r.score > best.score)) best = { id: e.id, score: r.score };
    }
    return best;
  }

  return {
    /**
     * Secondary production: each clip passes the same gates as an upload (sniff, probe, first
     * frames decode), the cuts must fit, then one ffmpeg process trims, joins and captions.
     * The result becomes the original and goes through `process` like any upload.
     */
    async compose(id: string, opts: { isLastAttempt: boolean }): Promise<void> {
      const row = await repo.get(id);
      if (!row || row.status !== 'processing' || row.source !== 'edit') return;
      const clips = await repo.listClips(id);
      const work = path.join(deps.workDir, `${id}-compose`);
      await rm(work, { recursive: true, force: true });
      await mkdir(work, { recursive: true });
      const ff = { threads: deps.ffmpeg.threads, timeoutMs: deps.ffmpeg.timeoutMs };
      try {
        const inputs = [];
        for (const clip of clips) {
          const file = await deps.storage.localCopy(clipKey(id, clip.idx), path.join(work, 'in'));
          let facts: ProbeFacts;
          try {
            facts = await probeMedia(file, { timeoutMs: 60_000 });
          } catch (err) {
            if (err instanceof MediaRejectedError) return await reject(row, err.code, { ...err.params, clip: clip.idx + 1 });
            throw err;
          }
          if (!facts.video) return await reject(row, 'media.no_video', { clip: clip.idx + 1 });
          const first = await checkDecodes(file, facts, { ...ff, firstFramesOnly: true });
          if (!first.result.ok) return await reject(row, first.result.code, { ...first.result.params, clip: clip.idx + 1 });
          inputs.push({ path: file, facts, startSeconds: clip.startSeconds, endSeconds: clip.endSeconds });
        }
        const cuts = validateCuts(inputs);
        if (!cuts.ok) return await reject(row, cuts.code, cuts.params);
        const out = path.join(work, 'composed.mp4');
        try {
          await composeClips({
            clips: inputs,
            caption: row.caption ?? undefined,
            outPath: out,
            ...ff,
            onProgress: (pct) => void repo.setProgress(id, 'processing', Math.min(99, Math.round(pct * 0.2))).catch(() => {}),
          });
        } catch (err) {
          if (err instanceof ComposeRejectedError) return await reject(row, err.code, err.params);
          throw err;
        }
        if (!(await stillProcessing(id))) return;
        const original = `${submissionPrefix(id)}/original`;
        await deps.storage.moveFile(original, out);
        await deps.db.transaction(async (tx) => {
          const current = await repo.getForUpdate(id, tx);
          if (current?.status !== 'processing') return;
          await repo.update(id, { outputs: { original } }, tx);
          await deps.jobs.send('media.process', { submissionId: id }, { tx, singletonKey: id });
        });
        // The clips were only ever inputs; the composed original is what is kept.
        await deps.storage.deletePrefix(`${submissionPrefix(id)}/clips`);
      } catch (err) {
        if (opts.isLastAttempt) {
          await reject(row, 'media.processing_failed', { timedOut: err instanceof FfmpegError && err.timedOut });
          return;
        }
        throw err;
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    },

    /**
     * The whole pipeline for one submission. Rejections are final and explained; unexpected
     * failures throw so the job is retried, and on the last attempt become a rejection too,
     * so no submission stays "processing" forever.
     */
    async process(id: string, opts: { isLastAttempt: boolean }): Promise<void> {
      const row = await repo.get(id);
      if (!row || row.status !== 'processing' || !row.outputs?.original) return;
      const campaign = await deps.campaigns.get(row.campaignId);
      if (!campaign) return;
      const work = path.join(deps.workDir, id);
      const prefix = submissionPrefix(id);
      // A run cut off by a crash may have left scratch files and part of its outputs; nothing
      // refers to either while the submission is processing.
      await rm(work, { recursive: true, force: true });
      await Promise.all(['hls', 'poster.jpg', 'sprite.jpg', 'sprite.vtt'].map((k) => deps.storage.deletePrefix(`${prefix}/${k}`)));
      await mkdir(path.join(work, 'hls'), { recursive: true });
      const original = await deps.storage.localCopy(row.outputs.original, path.join(work, 'in'));
      const ff = { threads: deps.ffmpeg.threads, timeoutMs: deps.ffmpeg.timeoutMs };
      const progress = (p: number) => repo.setProgress(id, 'processing', Math.max(0, Math.min(99, Math.round(p))));
      try {
        let facts: ProbeFacts;
        try {
          facts = await probeMedia(original, { timeoutMs: 60_000 });
        } catch (err) {
          if (err instanceof MediaRejectedError) return await reject(row, err.code, err.params);
          throw err;
        }
        // A call's recording (issue 15, docs/command-janus.md) lasts as long as the call: the
        // campaign's 1–3 minute rule is for contributors' uploads, not for the desk's own calls.
        // And WebRTC starts small on a weak link or a busy phone (320×180, 160×90): the desk
        // still wants that picture rather than losing the call.
        const durations =
          row.source === 'call'
            ? { minDurationSeconds: 1, maxDurationSeconds: 4 * 60 * 60, minSide: 90 }
            : { minDurationSeconds: campaign.rules.minDurationSeconds, maxDurationSeconds: campaign.rules.maxDurationSeconds };
        const policy = checkProbe(facts, durations);
        if (!policy.ok) return await reject(row, policy.code, policy.params);
        await progress(STEP.probed);

        // A call's recording is what Janus captured off a live link: a lost packet leaves a decode
        // error or two that the viewer never noticed. Only its first frames must decode; the whole
        // pass is for uploads, where an error means a damaged or doctored file.
        const decodes = await checkDecodes(original, facts, { ...ff, firstFramesOnly: row.source === 'call' });
        if (!decodes.result.ok) return await reject(row, decodes.result.code, decodes.result.params);
        await progress(STEP.decoded);

        let last = 0;
        const hls = await transcodeToHls({
          input: original,
          facts,
          outDir: path.join(work, 'hls'),
          ...ff,
          onProgress: (pct) => {
            const p = STEP.decoded + ((STEP.transcoded - STEP.decoded) * pct) / 100;
            if (p - last >= 2) {
              last = p;
              void progress(p).catch(() => {});
            }
          },
        });
        await progress(STEP.transcoded);
        const poster = await extractPoster({ input: original, facts, outPath: path.join(work, 'poster.jpg'), ...ff });
        const sprite = await makeSprite({ input: original, facts, outDir: work, ...ff });
        await progress(STEP.stills);
        const fingerprint = await computeFingerprint(original, facts, ff);

        if (!(await stillProcessing(id))) return; // withdrawn meanwhile: its files are already gone
        await deps.storage.putDir(`${prefix}/hls`, path.join(work, 'hls'));
        await deps.storage.putFile(`${prefix}/poster.jpg`, poster.path);
        await deps.storage.putFile(`${prefix}/sprite.jpg`, sprite.spritePath);
        await deps.storage.putFile(`${prefix}/sprite.vtt`, sprite.vttPath);
        const duplicate = await findDuplicate(row, fingerprint);
        const v = facts.video!;
        const outcome = await deps.db.transaction(async (tx) => {
          const current = await repo.getForUpdate(id, tx);
          if (current?.status !== 'processing') return current?.status ?? 'gone';
          await repo.update(
            id,
            {
              status: 'in_review',
              progress: 100,
              probe: facts as unknown as Record<string, unknown>,
              durationSeconds: facts.durationSeconds,
              width: v.displayWidth,
              height: v.displayHeight,
              fingerprint: serializeFingerprint(fingerprint),
              duplicateOf: duplicate?.id ?? null,
              duplicateScore: duplicate?.score ?? null,
              processedAt: deps.clock.now(),
              outputs: {
                original: row.outputs!.original,
                master: `${prefix}/hls/master.m3u8`,
                poster: `${prefix}/poster.jpg`,
                sprite: `${prefix}/sprite.jpg`,
                spriteVtt: `${prefix}/sprite.vtt`,
                renditions: hls.renditions.map((r) => ({ width: r.width, height: r.height, bandwidth: (r.videoKbps + r.audioKbps) * 1000 })),
                remuxed: hls.renditions.some((r) => r.copy),
              },
            },
            tx,
          );
          return 'committed';
        });
        // Withdrawn between the check and the commit: take back what was just written. (Another
        // run that got there first, after a heartbeat was missed, keeps its files.)
        if (outcome === 'withdrawn' || outcome === 'gone') await deps.storage.deletePrefix(prefix);
      } catch (err) {
        if (opts.isLastAttempt) {
          await reject(row, 'media.processing_failed', { timedOut: err instanceof FfmpegError && err.timedOut });
          return;
        }
        throw err;
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    },
  };
}
export type ProcessingService = ReturnType<typeof createProcessingService>;
