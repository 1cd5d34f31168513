import type { Submission } from '../../../contracts/submissions.js';
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
import { assertCan, assertOwnerOr, type Actor } from '../accounts/permissions.js';
import type { CampaignsRepository } from '../campaigns/campaigns.repository.js';
import type { SubmissionsRepository } from './submissions.repository.js';

export interface SubmissionsServiceDeps {
  db: Db;
  repo: SubmissionsRepository;
  campaigns: CampaignsRepository;
  storage: Storage;
  jobs: JobQueue;
  clock: Clock;
  limits: { concurrentUploads: number; bytesPerDay: number; expiryHours: number };
}

/** Storage keys of a submission all live under this prefix, so withdrawal removes them in one go. */
export const submissionPrefix = (id: string) => `submissions/${id}`;

export function createSubmissionsService(deps: SubmissionsServiceDeps) {
  const { db, repo, clock } = deps;

  function present(row: SubmissionRow, locale: Locale): Submission {
    const out = row.outputs;
    return {
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
  function parseMetadata(raw: Record<string, string | null | undefined>): Omit<UploadMetadata, 'location'> & { location?: { lat: number; lng: number; name?: string } } {
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

  return {
    present,
    parseMetadata,

    /**
     * Called when a tus upload is created: checks the contributor, the campaign, its theme and
     * size limit, and the contributor's limits, then records the submission as `uploading`.
     */
    async startUpload(actor: Actor, input: { uploadId: string; uploadLength: number | undefined; metadata: Record<string, string | null | undefined> }): Promise<SubmissionRow> {
      assertCan(actor, 'submission.create');
      const meta = parseMetadata(input.metadata);
      const uploadLength = input.uploadLength;
      if (uploadLength === undefined) throw new AppError('upload.length_required');
      const now = clock.now();
      return db.transaction(async (tx) => {
        const campaign = await deps.campaigns.get(meta.campaignId, tx);
        if (!campaign || !campaign.published) throw new AppError('campaign.not_found');
        if (now < campaign.startsAt || now >= campaign.endsAt) throw new AppError('campaign.not_open');
        if (!(await deps.campaigns.isMember(campaign.id, actor.id, tx))) throw new AppError('upload.not_member');
        if (!campaign.themes.some((t) => t.key === meta.theme)) throw new AppError('upload.unknown_theme', { theme: meta.theme });
        const maxBytes = campaign.rules.maxUploadBytes ?? 2 * 1024 ** 3;
        if (uploadLength > maxBytes) throw new AppError('upload.too_large', { maxMiB: Math.floor(maxBytes / 1024 ** 2) });
        if (uploadLength === 0) throw new AppError('media.empty');
        await repo.lockUser(actor.id, tx);
        if ((await repo.countUploading(actor.id, tx)) >= deps.limits.concurrentUploads) throw new AppError('upload.too_many_concurrent', { max: deps.limits.concurrentUploads });
        const today = await repo.bytesStartedSince(actor.id, startOfDayShanghai(now), tx);
        if (today + uploadLength > deps.limits.bytesPerDay) throw new AppError('upload.daily_limit', { maxMiB: Math.floor(deps.limits.bytesPerDay / 1024 ** 2) });
        return repo.create(
          {
            userId: actor.id,
            campaignId: campaign.id,
            theme: meta.theme,
            title: meta.title,
            description: meta.description ?? null,
            location: meta.location ?? null,
            consentAt: now,
            status: 'uploading',
            uploadId: input.uploadId,
            uploadLength,
            originalFilename: meta.filename,
          },
          tx,
        );
      });
    },

    /** The upload's owner, or a 404 for anyone else (an upload id reveals nothing). */
    async assertUploadOwner(actor: Actor, uploadId: string): Promise<void> {
      const row = await repo.getByUploadId(uploadId);
      if (!row || row.userId !== actor.id) throw new AppError('upload.not_found');
    },

    async recordUploadProgress(uploadId: string, offset: number): Promise<void> {
      const row = await repo.getByUploadId(uploadId);
      if (!row || row.status !== 'uploading' || row.uploadLength === 0) return;
      // 99 at most: 100 would claim the upload finished before the last byte is stored.
      await repo.setProgress(row.id, 'uploading', Math.min(99, Math.floor((offset / row.uploadLength) * 100)));
    },

    /**
     * The last byte has arrived: the file becomes the submission's original and processing is
     * queued in the same transaction, so a crash cannot leave a finished upload unprocessed.
     */
    async finishUpload(uploadId: string, file: string): Promise<SubmissionRow | undefined> {
      const row = await repo.getByUploadId(uploadId);
      if (!row || row.status !== 'uploading') return row;
      const original = `${submissionPrefix(row.id)}/original`;
      await deps.storage.moveFile(original, file);
      return db.transaction(async (tx) => {
        const updated = await repo.update(row.id, { status: 'processing', progress: 0, uploadId: null, outputs: { original } }, tx);
        await deps.jobs.send('media.process', { submissionId: row.id }, { tx, singletonKey: row.id });
        return updated;
      });
    },

    /** A tus termination (the contributor cancelled): nothing was submitted. */
    async abortUpload(uploadId: string): Promise<void> {
      const row = await repo.getByUploadId(uploadId);
      if (row && row.status === 'uploading') await repo.delete(row.id);
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
      assertOwnerOr(actor, row.userId, 'desk.access');
      return present(row, locale);
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

    /** Abandoned uploads: their submission rows go; the tus store removes the bytes. */
    async expireStaleUploads(): Promise<string[]> {
      const before = new Date(clock.now().getTime() - deps.limits.expiryHours * 3_600_000);
      const stale = await repo.listStaleUploads(before);
      for (const row of stale) await repo.delete(row.id);
      return stale.map((r) => r.uploadId).filter((x): x is string => !!x);
    },

    /** Who may read a stored media file: its owner, or the desk. */
    async assertMediaAccess(actor: Actor | null, key: string): Promise<void> {
      const m = /^submissions\/([0-9a-f-]{36})\//.exec(key);
      if (!m) throw new AppError('submission.not_found');
      const row = await repo.get(m[1]!);
      if (!row || !actor) throw new AppError(actor ? 'submission.not_found' : 'auth.required');
      assertOwnerOr(actor, row.userId, 'desk.access');
    },
  };
}
export type SubmissionsService = ReturnType<typeof createSubmissionsService>;
