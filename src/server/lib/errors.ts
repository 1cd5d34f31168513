import type { MessageCode } from './messages.js';

const STATUS_BY_PREFIX: [string, number][] = [
  ['auth.required', 401],
  ['auth.forbidden', 403],
  ['auth.invalid_credentials', 401],
  ['auth.account_disabled', 403],
  ['auth.email_taken', 409],
  ['campaign.slug_taken', 409],
  ['campaign.full', 409],
  ['campaign.not_open', 409],
  ['user.last_admin', 409],
  ['upload.not_member', 403],
  ['upload.too_large', 413],
  ['upload.too_many_concurrent', 429],
  ['upload.daily_limit', 429],
  ['upload.open_bytes_limit', 429],
  ['upload.offset_mismatch', 409],
  ['upload.size_exceeded', 413],
  ['upload.gone', 410],
  ['upload.busy', 423],
  ['upload.protocol_required', 412],
  ['upload.unsupported', 501],
  ['submission.already_adopted', 409],
  ['edit.not_uploading', 409],
  ['edit.clip_already_uploaded', 409],
  ['desk.out_of_scope', 403],
  ['desk.claimed_by_other', 409],
  ['studio.route_taken', 409],
  ['studio.name_taken', 409],
  ['desk.not_in_review', 409],
  ['desk.already_adopted', 409],
  ['desk.not_adopted', 409],
  ['desk.grade_changed', 409],
  ['ledger.idempotency_conflict', 409],
  ['ledger.insufficient_funds', 409],
  ['ledger.already_reversed', 409],
  ['ledger.not_reversible', 409],
  ['payout.insufficient_balance', 409],
  ['payout.request_conflict', 409],
  ['payout.not_batchable', 409],
  ['payout.not_markable', 409],
  ['payout.details_unreadable', 500],
  ['rain.no_packets_left', 409],
  ['rain.already_grabbed', 409],
  ['rain.not_open', 409],
  ['rain.busy', 503],
  ['rain.not_held', 409],
  ['beacon.kiosk_key_required', 401],
  ['publication.not_retryable', 409],
  ['publication.not_schedulable', 409],
  ['publication.not_unpublishable', 409],
  ['channel.not_connected', 409],
  ['channel.bad_state', 403],
  ['channel.connect_failed', 502],
  ['kiosk.name_taken', 409],
  ['kiosk.key_invalid', 401],
  ['beacon.kiosk_key_invalid', 403],
  ['beacon.not_live', 404],
  ['metrics.invalid_sample', 422],
  ['rain.session_exists', 409],
  ['rain.bad_token', 403],
  ['rain.account_too_new', 403],
  ['rain.not_eligible', 403],
  ['rain.submission_required', 403],
  ['grand_prize.not_confirmable', 409],
  ['grand_prize.over_cap', 409],
  ['grand_prize.already_confirmed', 409],
  ['grand_prize.held', 409],
  ['propagation_hold.already_decided', 409],
  ['request.rate_limited', 429],
  ['auth.code_limit', 429],
  ['auth.code_too_many_attempts', 429],
  ['auth.sms_failed', 502],
  ['request.too_large', 413],
  ['request.unsupported_media_type', 415],
  ['request.not_found', 404],
  ['request.uri_too_long', 414],
  ['request.headers_too_large', 431],
  ['request.range_not_satisfiable', 416],
  ['request.timeout', 408],
  ['kitchen.out_of_scope', 403],
  ['kitchen.story_not_found', 404],
  ['kitchen.form_not_found', 404],
  ['kitchen.stale_version', 409],
  ['kitchen.image_too_large', 413],
  ['kitchen.image_type', 415],
  ['kitchen.image_unreadable', 400],
  ['kitchen.too_many_images', 409],
  ['kitchen.video_not_adopted', 409],
  ['kitchen.form_invalid', 400],
  ['kitchen.form_exists', 409],
  ['kitchen.form_needs_video', 409],
  ['kitchen.form_planned', 409],
  ['kitchen.form_not_in_edit', 409],
  ['kitchen.form_not_in_review', 409],
  ['kitchen.review_moved', 409],
  ['kitchen.not_your_step', 403],
  ['kitchen.self_approval', 403],
  // Part `publish` (docs/kitchen-publishing.md).
  ['kitchen.review_incomplete', 409],
  ['kitchen.not_published', 409],
  ['kitchen.video_required', 409],
  ['kitchen.print_slot_missing', 409],
  ['kitchen.idea_feed_unusable', 409],
  ['kitchen.idea_has_story', 409],
  ['kitchen.idea_dropped', 409],
  ['kitchen.newspaper_name_taken', 409],
  ['kitchen.print_not_rendered', 404],
  ['kitchen.print_image_missing', 409],
  ['kitchen.print_chromium_missing', 503],
  ['kitchen.print_chromium_failed', 503],
  ['kitchen.print_render_failed', 500],
  // Issue 15, the command platform: the foundation's codes; each part appends its own below.
  ['command.out_of_scope', 403],
  ['command.assignment_not_found', 404],
  // Issue 15, part map (docs/command-map.md).
  ['command.location.not_working', 403],
  ['command.location.assignment_not_active', 409],
  ['command.location.no_consent', 409],
  ['command.location.recorded_in_future', 422],
  ['command.location.recorded_too_old', 422],
  ['command.location.too_frequent', 429],
  ['command.location.tiles_not_configured', 404],
  ['command.location.tile_unavailable', 502],
  // Part assign (docs/command.md).
  ['command.assignment.bad_times', 400],
  ['command.assignment.unknown_theme', 400],
  ['command.assignment.bad_person', 400],
  ['command.assignment.stale', 409],
  ['command.assignment.not_draft', 409],
  ['command.assignment.bad_transition', 409],
  ['command.assignment.no_candidates', 409],
  ['command.assignment.not_active', 409],
  ['command.assignment.not_accepted', 409],
  ['command.assignment.wrong_campaign', 409],
  ['command.assignment.wrong_theme', 409],
  ['command.offer.filled', 409],
  ['command.offer.expired', 409],
  ['command.offer.not_open', 409],
  // Part janus (docs/command-janus.md).
  ['command.janus.call_not_found', 404],
  ['command.janus.not_janus', 409],
  ['command.janus.call_not_live', 409],
  ['command.janus.watcher_cannot_publish', 403],
  ['command.janus.director_only', 403],
  ['command.janus.feed_not_found', 404],
  ['command.janus.not_publishing', 404],
  ['command.janus.unavailable', 503],
  ['command.janus.rejected', 502],
  ['command.broadcast.not_found', 404],
  ['command.broadcast.no_feed', 409],
  ['command.broadcast.failed', 503],
  // Issue 15, part live (docs/command-live.md).
  ['command.chat.assignment_ended', 409],
  ['command.chat.client_id_reused', 409],
  ['command.call.not_found', 404],
  ['command.call.offline', 409],
  ['command.call.busy', 409],
  ['command.call.assignment_not_active', 409],
  ['command.call.callee_required', 400],
  ['command.call.callee_not_allowed', 400],
  ['command.call.callee_not_working', 409],
  ['command.call.not_callee', 403],
  ['command.call.not_participant', 403],
  ['command.call.not_ringing', 409],
  ['command.call.ended', 409],
  ['command.call.relay_refused', 403],
  ['command.hub.bad_message', 400],
  ['command.hub.rate_limited', 429],
  ['command.hub.too_many_subscriptions', 409],
  ['command.hub.websocket_required', 426],
  // Issue 16, kiosks (docs/kiosk.md).
  ['kiosk.pairing_not_found', 404],
  ['kiosk.pairing_secret_invalid', 401],
  ['kiosk.code_unknown', 404],
  ['kiosk.group_name_taken', 409],
  ['kiosk.group_not_found', 404],
  ['kiosk.screen_not_found', 404],
  ['kiosk.layer_not_found', 404],
  ['kiosk.too_many_layers', 409],
  ['kiosk.command_not_found', 404],
  ['kiosk.screen_revoked', 409],
  ['kiosk.screenshot_invalid', 400],
  ['kiosk.screenshot_none', 404],
  ['kiosk.campaign_not_found', 404],
  // Issue 16, lending (docs/lending.md). A refused file answers 422 with the checker's own code.
  ['lending.file_type', 415],
  ['lending.title_exists', 409],
  ['lending.cover_none', 404],
  ['lending.licence_ended', 409],
  ['lending.loan_ended', 409],
  ['lending.hold_not_offered', 409],
  ['lending.hold_ended', 409],
  ['lending.position_stale', 409],
  ['lending.position_in_future', 422],
  ['lending.token_invalid', 403],
  // Issue 16, study (docs/study.md).
  ['study.collection_empty', 409],
  ['study.ref_unusable', 409],
  ['study.question_invalid', 400],
  ['study.sign_in_secret_invalid', 401],
  ['study.sign_in_expired', 409],
  ['study.sign_in_used', 409],
  ['study.session_invalid', 401],
  ['study.view_closed', 409],
  ['study.dwell_too_short', 409],
  ['study.quiz_none', 404],
  ['study.attempt_submitted', 409],
  ['study.attempt_expired', 409],
  ['study.answer_invalid', 400],
  ['study.too_many_tasks', 429],
  ['epub.too_large', 422],
  ['epub.not_zip', 422],
  ['epub.too_many_entries', 422],
  ['epub.zip_bomb', 422],
  ['epub.unsafe_path', 422],
  ['epub.bad_mimetype', 422],
  ['epub.no_container', 422],
  ['epub.no_opf', 422],
  ['pdf.not_pdf', 422],
  ['pdf.too_large', 422],
  ['pdf.active_content', 422],
  // Issue 16, the e-paper (docs/epaper.md). A refused PDF is 422 (the lending checker's pdf.* codes too).
  ['epaper.file_type', 415],
  ['epaper.too_many_pages', 422],
  ['epaper.pdf_unreadable', 422],
  ['epaper.page_shape', 422],
  ['epaper.render_timeout', 422],
  ['epaper.poppler_missing', 503],
  ['epaper.edition_exists', 409],
  ['epaper.not_ready', 409],
  ['epaper.story_unknown', 400],
  ['epaper.too_many_zones', 409],
  ['epaper.print_forms_none', 409],
  ['server.unavailable', 503],
  ['server.internal', 500],
];

/**
 * A domain error: services throw it with a code from lib/messages.ts; the one error handler
 * turns it into `{error: {code, message}}` in the request's language.
 */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: MessageCode,
    readonly params: Record<string, unknown> = {},
    options: { status?: number; details?: unknown; cause?: unknown } = {},
  ) {
    super(code, { cause: options.cause });
    this.name = 'AppError';
    this.details = options.details;
    this.status = options.status ?? statusFor(code);
  }
  readonly details: unknown;

  /** Seconds a client should wait before trying again (429 and 503 that say so), for Retry-After. */
  get retryAfterSeconds(): number | undefined {
    return (this.status === 429 || this.status === 503) && typeof this.params.seconds === 'number' ? this.params.seconds : undefined;
  }

  /** A failure of ours, worth an error log: a 5xx other than deliberate load shedding. */
  get isFailure(): boolean {
    return this.status >= 500 && !LOAD_SHEDDING.has(this.code);
  }
}

/** 503s that shed load on purpose ("tap again"): expected in a burst, thousands at a time. */
const LOAD_SHEDDING = new Set<string>(['rain.busy']);

function statusFor(code: string): number {
  const hit = STATUS_BY_PREFIX.find(([c]) => c === code);
  if (hit) return hit[1];
  // Every "no such thing" is a 404, whatever the module calls it: `x.not_found` and `x.session_not_found` alike.
  if (/[._]not_found$/.test(code)) return 404;
  return 400;
}

/** True when a database error is a unique-constraint violation (SQLSTATE 23505). */
/** The SQLSTATE of the PostgreSQL error in `err` or its causes (drizzle wraps the driver's), if any. */
export function pgErrorCode(err: unknown): string | undefined {
  return findPgError(err)?.code;
}

/** An integrity violation (SQLSTATE class 23): writing the same rows again fails again. */
export function isIntegrityViolation(err: unknown): boolean {
  return pgErrorCode(err)?.startsWith('23') ?? false;
}

export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = findPgError(err);
  return !!e && e.code === '23505' && (!constraint || e.constraint === constraint);
}

function findPgError(err: unknown): { code?: string; constraint?: string } | undefined {
  let cur: unknown = err;
  for (let i = 0; i < 5 && cur && typeof cur === 'object'; i++) {
    const c = cur as { code?: unknown; constraint?: string; cause?: unknown };
    if (typeof c.code === 'string' && /^[0-9A-Z]{5}$/.test(c.code)) return c as { code: string; constraint?: string };
    cur = c.cause;
  }
  return undefined;
}
