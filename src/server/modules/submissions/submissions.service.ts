import { z } from 'zod';
import type { CreateEditInput, Submission } from '../../../contracts/submissions.js';
import { locationSchema, uploadMetadataSchema, type UploadMetadata } from '../../../contracts/submissions.js';
import type { Locale } from '../../../contracts/common.js';
import type { Db } from '../../db/client.js';
import type { SubmissionRow } from '../../db/schema.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import { translateAny } from '../../lib/messages.js';
import type { Storage } from '../../lib/storage.js';
import { startOfDayShanghai } from '../../lib/time.js';
import { assertCan, type Actor } from '../accounts/permissions.js';
import type { CampaignsRepository } from '../campaigns/campaigns.repository.js';
import { checkCallRecording, checkFootage, footageArrived } from '../command/assignments.footage.js';
import type { SubmissionsRepository } from './submissions.repository.js';

export interface SubmissionsServiceDeps {
  db: Db;
  repo: SubmissionsRepository;
  campaigns: CampaignsRepository;
  storage: Storage;
  jobs: JobQueue;
  clock: Clock;
  limits: { concurrentUploads: number; bytesPerDay: number; openBytesPerUser: number; expiryHours: number };
  /** Who may read a submission and its files: its contributor, or desk staff within their studio scope (desk.scope.ts). */
  readAccess: (actor: Actor | null | undefined, row: SubmissionRow) => Promise<void>;
}

/** Storage keys of a submission all live under this prefix, so withdrawal removes them in one go. */
export const submissionPrefix = (id: string) => `submissions/${id}`;
export const clipKey = (id: string, idx: number) => `${submissionPrefix(id)}/clips/${idx}`;

/** Where an upload stands, as its tus URL sees it. */
export type UploadState =
  | { kind: 'unknown' }
  | { kind: 'open'; userId: string }
  /** The last byte arrived and the finish step ran: `length` is the whole upload. */
  | { kind: 'finished'; userId: string; submissionId: string; length: number };

/**
 * NUL cannot be stored in PostgreSQL text and a lone surrogate is not text at all; other C0
 * controls (tab aside) have no place in a title or a file name. Refused before any parsing.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE_TEXT = /[\u0000-\u0008\u000b-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
function assertSafeMetadata(raw: Record<string, string | null | undefined>): void {
  for (const [key, value] of Object.entries(raw)) {
    if (UNSAFE_TEXT.test(key) || (value && UNSAFE_TEXT.test(value))) throw new AppError('upload.invalid_text', { field: key.replace(UNSAFE_TEXT, '?') });
  }
}

const clipMetadataSchema = z.strictObject({
  editId: z.uuid(),
  clipIndex: z.coerce.number().int().min(0).max(4),
  filename: z.string().trim().min(1).max(255),
  filetype: z.string().max(100).optional(),
});

export function createSubmissionsService(deps: SubmissionsServiceDeps) {
  const { db, repo, clock } = deps;

  function present(row: SubmissionRow, locale: Locale, forDesk = false): Submission {
    const out = row.outputs;
    const desk = forDesk
      ? { duplicate: row.duplicateOf ? { submissionId: row.duplicateOf, score: row.duplicateScore ?? 0 } : null, probe: row.probe ?? null }
      : {};
    return {
      ...desk,
      id: row.id,
      campaignId: row.campaignId,
      theme: row.theme,
      title: row.title,
      description: row.description,
      location: row.location ?? null,
      status: row.status,
      progress: row.progress,
      rejection: row.rejectionCode ? { code: row.rejectionCode, message: translateAny(row.rejectionCode, locale, row.rejectionParams ?? {}) } : null,
      durationSeconds: row.durationSeconds,
      width: row.width,
      height: row.height,
      playbackUrl: out?.master ? `/api/media/${out.master}` : null,
      posterUrl: out?.poster ? `/api/media/${out.poster}` : null,
      consentAt: row.consentAt.toISOString(),
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  }

  /** Parses tus Upload-Metadata (strings) into a checked record, or a coded 400. */
  function parseMetadata(
    raw: Record<string, string | null | undefined>,
  ): Omit<UploadMetadata, 'location'> & { location?: { lat: number; lng: number; name?: string } } {
    assertSafeMetadata(raw);
    const cleaned = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== null && v !== undefined && v !== ''));
    const parsed = uploadMetadataSchema.safeParse(cleaned);
    if (!parsed.success) {
      const consentMissing = parsed.error.issues.some((i) => i.path[0] === 'consent');
      if (consentMissing) throw new AppError('upload.consent_required');
      throw new AppError('upload.invalid_metadata', { detail: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    }
    let location;
    if (parsed.data.location) {
      let json: unknown;
      try {
        json = JSON.parse(parsed.data.location);
      } catch {
        json = undefined;
      }
      const loc = locationSchema.safeParse(json);
      if (!loc.success) throw new AppError('upload.invalid_metadata', { detail: 'location' });
      location = loc.data;
    }
    return { ...parsed.data, location };
  }

  /** What every new submission must pass, inside the caller's transaction (one user at a time). */
  /**
   * `call`: the phone's recording of a call it was on (already checked by checkCallRecording):
   * the campaign's open window and membership do not apply (the desk called; the phone may come
   * back after the campaign closed), and a missing theme is the campaign's first. The size and
   * per-person limits apply to every upload.
   */
  async function checkCanStart(
    actor: Actor,
    req: { campaignId: string; theme: string | undefined; totalBytes: number; largestFile: number; call?: boolean },
    tx: Db,
  ) {
    const now = clock.now();
    const campaign = await deps.campaigns.get(req.campaignId, tx);
    if (!campaign || (!campaign.published && !req.call)) throw new AppError('campaign.not_found');
    if (!req.call && (now < campaign.startsAt || now >= campaign.endsAt)) throw new AppError('campaign.not_open');
    if (!req.call && !(await deps.campaigns.isMember(campaign.id, actor.id, tx))) throw new AppError('upload.not_member');
    const theme = req.theme ?? campaign.themes[0]?.key;
    if (theme === undefined || !campaign.themes.some((t) => t.key === theme)) throw new AppError('upload.unknown_theme', { theme: theme ?? '' });
    const maxBytes = campaign.rules.maxUploadBytes ?? 2 * 1024 ** 3;
    if (req.largestFile > maxBytes) throw new AppError('upload.too_large', { maxMiB: Math.floor(maxBytes / 1024 ** 2) });
    if (req.largestFile === 0) throw new AppError('media.empty');
    await repo.lockUser(actor.id, tx);
    if ((await repo.countUploading(actor.id, tx)) >= deps.limits.concurrentUploads)
      throw new AppError('upload.too_many_concurrent', { max: deps.limits.concurrentUploads });
    const dayStart = startOfDayShanghai(now);
    const today = await repo.quotaUsed(actor.id, dayStart, tx);
    if (today + req.totalBytes > deps.limits.bytesPerDay) throw new AppError('upload.daily_limit', { maxMiB: Math.floor(deps.limits.bytesPerDay / 1024 ** 2) });
    const open = await repo.openUploadBytes(actor.id, tx);
    if (open + req.totalBytes > deps.limits.openBytesPerUser)
      throw new AppError('upload.open_bytes_limit', { maxMiB: Math.floor(deps.limits.openBytesPerUser / 1024 ** 2) });
    // Counted when declared and never given back: the caller's transaction makes it exactly once.
    await repo.addQuotaUse(actor.id, dayStart, req.totalBytes, tx);
    return { campaign, theme };
  }

  /** One clip of an edit: only its owner, only the declared size, only while the edit is uploading. */
  async function startClipUpload(
    actor: Actor,
    input: { uploadId: string; uploadLength: number | undefined; metadata: Record<string, string | null | undefined> },
  ): Promise<SubmissionRow> {
    assertSafeMetadata(input.metadata);
    const parsed = clipMetadataSchema.safeParse(
      Object.fromEntries(Object.entries(input.metadata).filter(([, v]) => v !== null && v !== undefined && v !== '')),
    );
    if (!parsed.success)
      throw new AppError('upload.invalid_metadata', { detail: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    const { editId, clipIndex } = parsed.data;
    return db.transaction(async (tx) => {
      const edit = await repo.getForUpdate(editId, tx);
      if (!edit || edit.userId !== actor.id || edit.source !== 'edit') throw new AppError('submission.not_found');
      if (edit.status !== 'uploading') throw new AppError('edit.not_uploading');
      const clip = (await repo.listClips(editId, tx)).find((c) => c.idx === clipIndex);
      if (!clip) throw new AppError('edit.no_such_clip');
      if (clip.stored) throw new AppError('edit.clip_already_uploaded');
      if (input.uploadLength !== clip.sizeBytes) throw new AppError('edit.clip_size_mismatch', { expected: clip.sizeBytes });
      await repo.updateClip(editId, clipIndex, { uploadId: input.uploadId, uploadedBytes: 0 }, tx);
      return edit;
    });
  }

  /** The submission an upload id belongs to, whether it carries a whole video or one clip. */
  async function findByUpload(uploadId: string): Promise<{ row: SubmissionRow; clipIdx: number | null } | undefined> {
    const row = await repo.getByUploadId(uploadId);
    if (row) return { row, clipIdx: null };
    const clip = await repo.getClipByUploadId(uploadId);
    if (!clip) return undefined;
    const edit = await repo.get(clip.submissionId);
    return edit ? { row: edit, clipIdx: clip.idx } : undefined;
  }

  const finishing = new Map<string, Promise<SubmissionRow | undefined>>();

  async function finishOnce(uploadId: string, file: string): Promise<SubmissionRow | undefined> {
    const found = await findByUpload(uploadId);
    if (!found || found.row.status !== 'uploading') return found?.row;
    const { row, clipIdx } = found;
    if (clipIdx === null) {
      const original = `${submissionPrefix(row.id)}/original`;
      // Stored beside, not moved: tus still reads its own file while it answers this request.
      // (Local storage links it, so the bytes are not held twice.) A racing process may store
      // the same bytes again; only the row update below decides.
      await deps.storage.putFile(original, file);
      return db.transaction(async (tx) => {
        const current = await repo.getForUpdate(row.id, tx);
        if (current?.status !== 'uploading') return current;
        const updated = await repo.update(row.id, { status: 'processing', progress: 0, outputs: { original } }, tx);
        await deps.jobs.send('media.process', { submissionId: row.id }, { tx, singletonKey: row.id });
        return updated;
      });
    }
    const before = (await repo.listClips(row.id)).find((c) => c.idx === clipIdx);
    if (before?.stored) return row;
    await deps.storage.putFile(clipKey(row.id, clipIdx), file);
    return db.transaction(async (tx) => {
      // The row lock orders clips finishing at the same moment: exactly one sees them all stored.
      const current = await repo.getForUpdate(row.id, tx);
      if (current?.status !== 'uploading') return current;
      const clip = await repo.getClipForUpdate(row.id, clipIdx, tx);
      if (!clip || clip.stored || clip.uploadId !== uploadId) return current;
      await repo.updateClip(row.id, clipIdx, { stored: true, uploadedBytes: 0 }, tx);
      const clips = await repo.listClips(row.id, tx);
      if (!clips.every((c) => c.stored)) return current;
      const updated = await repo.update(row.id, { status: 'processing', progress: 0 }, tx);
      await deps.jobs.send('media.compose', { submissionId: row.id }, { tx, singletonKey: row.id });
      return updated;
    });
  }

  /** What a tus URL stands for now: nothing, an upload still open, or a finished one. */
  async function uploadState(uploadId: string): Promise<UploadState> {
    const found = await findByUpload(uploadId);
    if (!found) return { kind: 'unknown' };
    const { row, clipIdx } = found;
    if (clipIdx === null) {
      if (row.status === 'uploading') return { kind: 'open', userId: row.userId };
      return { kind: 'finished', userId: row.userId, submissionId: row.id, length: row.uploadLength };
    }
    const clip = (await repo.listClips(row.id)).find((c) => c.idx === clipIdx);
    if (!clip?.stored) return { kind: 'open', userId: row.userId };
    return { kind: 'finished', userId: row.userId, submissionId: row.id, length: clip.sizeBytes };
  }

  return {
    present,
    parseMetadata,

    /**
     * Called when a tus upload is created: checks the contributor, the campaign, its theme and
     * size limit, and the contributor's limits, then records the submission as `uploading`.
     * An upload carrying `editId` is one clip of an edit created by `createEdit`.
     */
    async startUpload(
      actor: Actor,
      input: { uploadId: string; uploadLength: number | undefined; metadata: Record<string, string | null | undefined> },
    ): Promise<SubmissionRow> {
      assertCan(actor, 'submission.create');
      if (input.metadata.editId) return startClipUpload(actor, input);
      const meta = parseMetadata(input.metadata);
      const uploadLength = input.uploadLength;
      if (uploadLength === undefined) throw new AppError('upload.length_required');
      return db.transaction(async (tx) => {
        const assignmentId = meta.assignmentId;
        // A call's recording: being on the call is the entitlement (checkCallRecording), and it is
        // processed by a call's rules (any length, a small picture), not a contributor upload's.
        const call = meta.callId
          ? await checkCallRecording(tx, { userId: actor.id, callId: meta.callId, assignmentId: assignmentId!, campaignId: meta.campaignId })
          : null;
        if (assignmentId && !call) await checkFootage(tx, { userId: actor.id, assignmentId, campaignId: meta.campaignId, theme: meta.theme! });
        const { campaign, theme } = await checkCanStart(
          actor,
          { campaignId: meta.campaignId, theme: meta.theme ?? call?.theme ?? undefined, totalBytes: uploadLength, largestFile: uploadLength, call: !!call },
          tx,
        );
        const row = await repo.create(
          {
            userId: actor.id,
            campaignId: campaign.id,
            theme,
            ...(call ? { source: 'call' as const } : {}),
            title: meta.title,
            description: meta.description ?? null,
            location: meta.location ?? null,
            consentAt: clock.now(),
            status: 'uploading',
            uploadId: input.uploadId,
            uploadLength,
            originalFilename: meta.filename,
            assignmentId: assignmentId ?? null,
          },
          tx,
        );
        // The assignment moves to in_progress when its footage starts arriving, not when the last byte does.
        if (assignmentId) await footageArrived(tx, { userId: actor.id, assignmentId, submissionId: row.id, now: clock.now() });
        return row;
      });
    },

    /** Secondary production: records the edit and hands back one tus metadata set per clip. */
    async createEdit(
      actor: Actor,
      input: CreateEditInput,
      locale: Locale,
    ): Promise<{ submission: Submission; clipUploads: { index: number; metadata: Record<string, string> }[] }> {
      assertCan(actor, 'submission.create');
      const total = input.clips.reduce((sum, c) => sum + c.sizeBytes, 0);
      const largest = Math.max(...input.clips.map((c) => c.sizeBytes));
      const row = await db.transaction(async (tx) => {
        const { campaign } = await checkCanStart(actor, { campaignId: input.campaignId, theme: input.theme, totalBytes: total, largestFile: largest }, tx);
        const created = await repo.create(
          {
            userId: actor.id,
            campaignId: campaign.id,
            theme: input.theme,
            title: input.title,
            description: input.description ?? null,
            location: input.location ?? null,
            consentAt: clock.now(),
            status: 'uploading',
            uploadLength: total,
            originalFilename: input.clips
              .map((c) => c.filename)
              .join(' + ')
              .slice(0, 255),
            source: 'edit',
            caption: input.caption || null,
          },
          tx,
        );
        await repo.createClips(
          input.clips.map((c, idx) => ({
            submissionId: created.id,
            idx,
            filename: c.filename,
            sizeBytes: c.sizeBytes,
            startSeconds: c.startSeconds,
            endSeconds: c.endSeconds,
          })),
          tx,
        );
        return created;
      });
      return {
        submission: present(row, locale),
        clipUploads: input.clips.map((c, index) => ({ index, metadata: { editId: row.id, clipIndex: String(index), filename: c.filename } })),
      };
    },

    /** The upload's owner gets its state; anyone else a 404 (an upload id reveals nothing). */
    async assertUploadOwner(actor: Actor, uploadId: string): Promise<Exclude<UploadState, { kind: 'unknown' }>> {
      const state = await uploadState(uploadId);
      if (state.kind === 'unknown' || state.userId !== actor.id) throw new AppError('upload.not_found');
      return state;
    },

    async recordUploadProgress(uploadId: string, offset: number): Promise<void> {
      const found = await findByUpload(uploadId);
      if (!found || found.row.status !== 'uploading' || found.row.uploadLength === 0) return;
      let sent = offset;
      if (found.clipIdx !== null) {
        await repo.updateClip(found.row.id, found.clipIdx, { uploadedBytes: offset });
        sent = (await repo.listClips(found.row.id)).reduce((sum, c) => sum + (c.stored ? c.sizeBytes : c.uploadedBytes), 0);
      }
      // 99 at most: 100 would claim the upload finished before the last byte is stored.
      await repo.setProgress(found.row.id, 'uploading', Math.min(99, Math.floor((sent / found.row.uploadLength) * 100)));
    },

    /**
     * The last byte has arrived: the file becomes the submission's original (or one of an
     * edit's clips) and the next job is queued in the same transaction. Idempotent: the tus
     * hook, a HEAD or PATCH of the finished upload, and the sweeps may all call it, in any
     * order and in several processes; the row lock lets exactly one of them move the
     * submission on. The upload id stays on the row, so the finished upload can still be
     * answered for (HEAD) after its tus file is gone.
     */
    async finishUpload(uploadId: string, file: string): Promise<SubmissionRow | undefined> {
      // Within one process, callers of the same upload share one run (and one copy of the file).
      const running = finishing.get(uploadId);
      if (running) return running;
      const run = finishOnce(uploadId, file).finally(() => finishing.delete(uploadId));
      finishing.set(uploadId, run);
      return run;
    },

    uploadState,

    /** A tus termination (the contributor cancelled): a whole upload was never submitted; a clip can be sent again. */
    async abortUpload(uploadId: string): Promise<void> {
      const found = await findByUpload(uploadId);
      if (!found || found.row.status !== 'uploading') return;
      if (found.clipIdx === null) await repo.delete(found.row.id);
      else await repo.updateClip(found.row.id, found.clipIdx, { uploadId: null, uploadedBytes: 0 });
    },

    async listMine(actor: Actor, locale: Locale): Promise<Submission[]> {
      return (await repo.listByUser(actor.id)).map((r) => present(r, locale));
    },

    async lastChange(actor: Actor): Promise<Date | null> {
      return repo.lastChangeForUser(actor.id);
    },

    async get(actor: Actor, id: string, locale: Locale): Promise<Submission> {
      const row = await repo.get(id);
      if (!row) throw new AppError('submission.not_found');
      await deps.readAccess(actor, row);
      return present(row, locale, actor.id !== row.userId);
    },

    /** Withdraws before adoption: the submission stays (as withdrawn) but its files go. */
    async withdraw(actor: Actor, id: string, locale: Locale): Promise<Submission> {
      const row = await db.transaction(async (tx) => {
        const current = await repo.getForUpdate(id, tx);
        if (!current || current.userId !== actor.id) throw new AppError('submission.not_found');
        if (current.status === 'adopted') throw new AppError('submission.already_adopted');
        if (current.status === 'withdrawn') return current;
        return (await repo.update(id, { status: 'withdrawn', withdrawnAt: clock.now(), uploadId: null, outputs: null, progress: 0 }, tx))!;
      });
      await deps.storage.deletePrefix(submissionPrefix(id));
      return present(row, locale);
    },

    /** Abandoned uploads: their submission rows and stored clips go; returns the tus ids whose bytes to remove. */
    async expireStaleUploads(): Promise<string[]> {
      const before = new Date(clock.now().getTime() - deps.limits.expiryHours * 3_600_000);
      const stale = await repo.listStaleUploads(before);
      const uploadIds: string[] = [];
      for (const row of stale) {
        if (row.uploadId) uploadIds.push(row.uploadId);
        for (const c of await repo.listClips(row.id)) if (c.uploadId) uploadIds.push(c.uploadId);
        await repo.delete(row.id);
        await deps.storage.deletePrefix(submissionPrefix(row.id));
      }
      return uploadIds;
    },

    /** Who may read a stored media file: its owner, or the desk within its studio scope. */
    async assertMediaAccess(actor: Actor | null, key: string): Promise<void> {
      const m = /^submissions\/([0-9a-f-]{36})\//.exec(key);
      if (!m) throw new AppError('submission.not_found');
      if (!actor) throw new AppError('auth.required');
      const row = await repo.get(m[1]!);
      if (!row) throw new AppError('submission.not_found');
      await deps.readAccess(actor, row);
    },
  };
}
export type SubmissionsService = ReturnType<typeof createSubmissionsService>;
