import type { UserRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import type { PrivacyRepository } from './privacy.repository.js';

/** Bumped when a field changes meaning, so a reader of an old file knows what it holds. */
export const EXPORT_FORMAT = 'paike-my-data/1';

const iso = (d: Date | string | null | undefined) => (d == null ? null : new Date(d).toISOString());
const mediaUrl = (key: string | null | undefined) => (key ? `/api/media/${key}` : null);

export interface ExportServiceDeps {
  repo: PrivacyRepository;
  clock: Clock;
}

/**
 * "Export my data": everything Paike holds about the signed-in account, as one JSON document.
 * Every query is by the account's own id, so nothing of anyone else can be in it. Payout
 * details are the masked forms the account page shows (the full ones are encrypted for finance's
 * bank file only); video bytes are links the owner can open while signed in.
 */
export function createExportService(deps: ExportServiceDeps) {
  return {
    async export(user: UserRow) {
      const r = await deps.repo.exportRows(user.id);
      const balanceFen = r.ledger.reduce((a, e) => a + Number(e.amountFen), 0);
      return {
        format: EXPORT_FORMAT,
        exportedAt: deps.clock.now().toISOString(),
        profile: {
          id: user.id,
          name: user.name,
          email: user.email,
          phone: user.phone,
          locale: user.locale,
          roles: user.roles,
          createdAt: iso(user.createdAt),
        },
        campaignMemberships: r.memberships.map((m) => ({ campaignId: m.campaignId, slug: m.slug, title: m.title, joinedAt: iso(m.joinedAt) })),
        submissions: r.submissions.map((s) => ({
          id: s.id,
          campaignId: s.campaignId,
          theme: s.theme,
          title: s.title,
          description: s.description,
          location: s.location,
          status: s.status,
          grade: s.grade,
          rejectionCode: s.rejectionCode,
          originalFilename: s.originalFilename,
          durationSeconds: s.durationSeconds,
          width: s.width,
          height: s.height,
          consentAt: iso(s.consentAt),
          createdAt: iso(s.createdAt),
          processedAt: iso(s.processedAt),
          adoptedAt: iso(s.adoptedAt),
          withdrawnAt: iso(s.withdrawnAt),
          media: { playbackUrl: mediaUrl(s.outputs?.master), posterUrl: mediaUrl(s.outputs?.poster) },
        })),
        ledger: {
          balanceFen,
          owedFen: Math.max(0, -balanceFen),
          entries: r.ledger.map((e) => ({
            id: e.id,
            at: iso(e.at),
            amountFen: Number(e.amountFen),
            kind: e.kind,
            memo: e.memo,
            refs: e.refs,
            transferId: e.transferId,
          })),
        },
        payouts: r.payouts.map((p) => ({
          id: p.id,
          amountFen: Number(p.amountFen),
          method: p.method,
          realName: p.realNameMasked,
          account: p.accountMasked,
          bankName: p.bankName,
          status: p.status,
          failureReason: p.failureReason,
          requestedAt: iso(p.requestedAt),
          paidAt: iso(p.paidAt),
          failedAt: iso(p.failedAt),
        })),
        rewardHolds: r.holds.map((h) => ({
          kind: h.kind,
          submissionId: h.submission_id,
          amountFen: h.amount_fen == null ? null : Number(h.amount_fen),
          status: h.status,
          createdAt: iso(h.created_at),
          decidedAt: iso(h.decided_at),
        })),
        notices: r.notices.map((n) => ({
          id: n.id,
          kind: n.kind,
          submissionId: n.submissionId,
          params: n.params,
          createdAt: iso(n.createdAt),
          readAt: iso(n.readAt),
        })),
        rainWins: r.rainWins.map((g) => ({
          sessionId: g.sessionId,
          amountFen: Number(g.amountFen),
          wonAt: iso(g.wonAt),
          held: g.held,
          holdReason: g.holdReason,
          releasedAt: iso(g.releasedAt),
          paid: g.transferId !== null,
          ip: g.ip,
          deviceId: g.deviceId,
        })),
        sessions: r.sessions.map((s) => ({
          id: s.id,
          createdAt: iso(s.createdAt),
          lastSeenAt: iso(s.lastSeenAt),
          expiresAt: iso(s.expiresAt),
          revokedAt: iso(s.revokedAt),
          userAgent: s.userAgent,
          ip: s.ip,
        })),
      };
    },
  };
}

export type ExportService = ReturnType<typeof createExportService>;
export type MyDataExport = Awaited<ReturnType<ExportService['export']>>;
