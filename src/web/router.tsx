import { createRoute, createRouter, lazyRouteComponent } from '@tanstack/react-router';
import { QueryClient } from '@tanstack/react-query';
import type { TrustLevel } from '../contracts/desk.js';
import type { ExternalChannelName } from '../contracts/distribution.js';
import { ApiError } from './api/client.js';
import type { QueueFilters } from './api/desk.js';
import { SEARCH_SORTS, SEARCH_STATUSES, type SearchFilters } from './api/deskSearch.js';
import { DASHBOARD_RANGES, EXTERNAL_CHANNELS, HOLD_STATUSES, TRUST, type DashboardRange } from './api/enums.js';
import type { HoldStatus } from './api/holds.js';
import { keys } from './api/queries.js';
import { TRANSFER_KINDS } from './api/ledgerExplorer.js';
import type { LedgerSearch } from './routes/financeLedger.js';
import { RouteError, RoutePending } from './routes/boundaries.js';
import { rootRoute } from './routes/root.js';
import type { StoryFilters } from './api/kitchenStories.js';

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      refetchOnWindowFocus: false,
      // 4xx answers will not change on retry; flaky phone networks deserve a couple.
      retry: (n, e) => !(e instanceof ApiError && e.status >= 400 && e.status < 500) && n < 2,
    },
  },
});

// Each route's URL, params and search checks live here, in the first load; its page is a chunk
// of its own (lazyRouteComponent), fetched when the route is first matched or a link to it is
// hovered or touched (defaultPreload: 'intent'). A contributor opening the QR link so downloads
// neither the desk, admin, finance nor the dashboards' echarts.

const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
const WEEK = /^\d{4}-W\d{2}$/;
const validateSearch = (s: Record<string, unknown>): { range?: DashboardRange } => ({ range: DASHBOARD_RANGES.find((r) => r === s.range) });

const accountRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/account',
  validateSearch: (s: Record<string, unknown>): { joined?: string } => ({
    joined: typeof s.joined === 'string' && s.joined ? s.joined : undefined,
  }),
  component: lazyRouteComponent(() => import('./routes/account.js'), 'AccountPage'),
});

const newCampaignRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/admin/campaigns/new',
  component: lazyRouteComponent(() => import('./routes/adminCampaignForm.js'), 'NewCampaignPage'),
});

const editCampaignRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/admin/campaigns/$id',
  component: lazyRouteComponent(() => import('./routes/adminCampaignForm.js'), 'EditCampaignPage'),
});

const adminCampaignsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/admin/campaigns',
  component: lazyRouteComponent(() => import('./routes/adminCampaigns.js'), 'AdminCampaignsPage'),
});

const adminChannelsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/admin/channels',
  validateSearch: (s: Record<string, unknown>): { connected?: ExternalChannelName; failed?: ExternalChannelName } => ({
    connected: EXTERNAL_CHANNELS.find((c) => c === s.connected),
    failed: EXTERNAL_CHANNELS.find((c) => c === s.failed),
  }),
  component: lazyRouteComponent(() => import('./routes/adminChannels.js'), 'AdminChannelsPage'),
});

const adminKiosksRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/admin/kiosks',
  component: lazyRouteComponent(() => import('./routes/adminKiosks.js'), 'AdminKiosksPage'),
});

const adminRainRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/admin/rain',
  component: lazyRouteComponent(() => import('./routes/adminRain.js'), 'AdminRainPage'),
});

const adminUsersRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/admin/users',
  // `user` opens one account's role editor (the audit log links here); `q` prefills the search.
  validateSearch: (s: Record<string, unknown>): { user?: string; q?: string } => ({ user: str(s.user), q: str(s.q) }),
  component: lazyRouteComponent(() => import('./routes/adminUsers.js'), 'AdminUsersPage'),
});

const SignUpPage = lazyRouteComponent(() => import('./routes/auth.js'), 'SignUpPage');
const signUpRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/sign-up',
  validateSearch: (s: Record<string, unknown>): { campaign?: string } => ({ campaign: str(s.campaign) }),
  component: SignUpPage,
});

const signInRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/sign-in',
  validateSearch: (s: Record<string, unknown>): { next?: string } => ({ next: str(s.next) }),
  component: lazyRouteComponent(() => import('./routes/auth.js'), 'SignInPage'),
});

const forgotPasswordRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/forgot-password',
  component: lazyRouteComponent(() => import('./routes/passwordReset.js'), 'ForgotPasswordPage'),
});

const resetPasswordRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/reset-password',
  component: lazyRouteComponent(() => import('./routes/passwordReset.js'), 'ResetPasswordPage'),
});

const campaignRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/c/$slug',
  component: lazyRouteComponent(() => import('./routes/campaign.js'), 'CampaignPage'),
});

const joinRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/c/$slug/join',
  // The QR link sends a signed-out visitor on to sign-up: fetch that page's chunk alongside this
  // one and /api/me instead of after them (one round trip less on a slow phone network).
  beforeLoad: ({ context }) => {
    if (!context.queryClient.getQueryData(keys.me)) void SignUpPage.preload?.();
  },
  component: lazyRouteComponent(() => import('./routes/campaign.js'), 'JoinPage'),
});

const chartRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/charts/$campaignId',
  validateSearch: (s: Record<string, unknown>): { week?: string } => ({
    week: typeof s.week === 'string' && WEEK.test(s.week) ? s.week : undefined,
  }),
  component: lazyRouteComponent(() => import('./routes/charts.js'), 'ChartPage'),
});

const dashboardsIndexRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/dashboards',
  component: lazyRouteComponent(() => import('./routes/dashboards.js'), 'DashboardsIndex'),
});

const videoDashboardRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/dashboards/videos/$id',
  validateSearch,
  component: lazyRouteComponent(() => import('./routes/dashboards.js'), 'VideoDashboard'),
});

const contributorDashboardRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/dashboards/contributors/$id',
  validateSearch,
  component: lazyRouteComponent(() => import('./routes/dashboards.js'), 'ContributorDashboard'),
});

const studioDashboardRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/dashboards/studios/$id',
  validateSearch,
  component: lazyRouteComponent(() => import('./routes/dashboards.js'), 'StudioDashboard'),
});

const channelDashboardRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/dashboards/channels/$channel',
  validateSearch,
  component: lazyRouteComponent(() => import('./routes/dashboards.js'), 'ChannelDashboard'),
});

const deskRoute = createRoute({ getParentRoute: () => rootRoute, path: '/desk', component: lazyRouteComponent(() => import('./routes/desk.js'), 'DeskPage') });

const auditRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/desk/audit',
  // Links from elsewhere (a user's page, an object) open the log already filtered.
  validateSearch: (s: Record<string, unknown>): { objectType?: string; objectId?: string; actorId?: string } => ({
    objectType: str(s.objectType),
    objectId: str(s.objectId),
    actorId: str(s.actorId),
  }),
  component: lazyRouteComponent(() => import('./routes/deskAudit.js'), 'AuditPage'),
});

const grandPrizeRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/desk/grand-prize',
  validateSearch: (s: Record<string, unknown>): { campaignId?: string } => ({
    campaignId: typeof s.campaignId === 'string' && /^[0-9a-f-]{36}$/i.test(s.campaignId) ? s.campaignId : undefined,
  }),
  component: lazyRouteComponent(() => import('./routes/deskGrandPrize.js'), 'GrandPrizePage'),
});

const holdsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/desk/holds',
  validateSearch: (s: Record<string, unknown>): { status?: HoldStatus } => ({
    status: HOLD_STATUSES.find((x) => x === s.status),
  }),
  component: lazyRouteComponent(() => import('./routes/deskHolds.js'), 'HoldsPage'),
});

const dailyPicksRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/desk/daily-picks',
  component: lazyRouteComponent(() => import('./routes/deskPicks.js'), 'PicksPage'),
});

const queueRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/desk/queue',
  validateSearch: (s: Record<string, unknown>): QueueFilters => {
    const dup = str(s.duplicate);
    const trust = str(s.trust);
    return {
      campaignId: str(s.campaignId),
      theme: str(s.theme),
      duplicate: dup === 'true' || dup === 'false' ? dup : undefined,
      trust: TRUST.includes(trust as TrustLevel) ? (trust as TrustLevel) : undefined,
      studioId: str(s.studioId),
    };
  },
  component: lazyRouteComponent(() => import('./routes/deskQueue.js'), 'QueuePage'),
});

const searchRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/desk/search',
  // Every filter lives in the URL, so a search is a link another editor can open; unknown values are dropped.
  validateSearch: (s: Record<string, unknown>): SearchFilters => {
    const day = (v: unknown) => (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : undefined);
    const uuid = (v: unknown) => (typeof v === 'string' && /^[0-9a-f-]{36}$/i.test(v) ? v : undefined);
    const page = Number(s.page);
    return {
      q: str(s.q)?.slice(0, 100),
      status: SEARCH_STATUSES.find((x) => x === s.status),
      campaignId: uuid(s.campaignId),
      theme: str(s.theme),
      studioId: uuid(s.studioId),
      contributor: str(s.contributor)?.slice(0, 100),
      from: day(s.from),
      to: day(s.to),
      sort: SEARCH_SORTS.find((x) => x === s.sort && x !== 'newest'),
      page: Number.isInteger(page) && page > 1 && page <= 10_000 ? page : undefined,
      item: uuid(s.item),
    };
  },
  component: lazyRouteComponent(() => import('./routes/deskSearch.js'), 'SearchPage'),
});

const reviewRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/desk/review/$id',
  component: lazyRouteComponent(() => import('./routes/deskReview.js'), 'ReviewPage'),
});

const studiosRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/desk/studios',
  component: lazyRouteComponent(() => import('./routes/deskStudios.js'), 'StudiosPage'),
});

const earningsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/earnings',
  component: lazyRouteComponent(() => import('./routes/earnings.js'), 'EarningsPage'),
});

const financeRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/finance',
  component: lazyRouteComponent(() => import('./routes/finance.js'), 'FinancePage'),
});

const UUID_RE = /^[0-9a-f-]{36}$/i;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const financeLedgerRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/finance/ledger',
  validateSearch: (s: Record<string, unknown>): LedgerSearch => ({
    accountId: typeof s.accountId === 'string' && UUID_RE.test(s.accountId) ? s.accountId : undefined,
    kind: TRANSFER_KINDS.find((k) => k === s.kind),
    from: typeof s.from === 'string' && DAY.test(s.from) ? s.from : undefined,
    to: typeof s.to === 'string' && DAY.test(s.to) ? s.to : undefined,
  }),
  component: lazyRouteComponent(() => import('./routes/financeLedger.js'), 'FinanceLedgerPage'),
});

const homeRoute = createRoute({ getParentRoute: () => rootRoute, path: '/', component: lazyRouteComponent(() => import('./routes/home.js'), 'HomePage') });

const noticesRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/notices',
  component: lazyRouteComponent(() => import('./routes/notices.js'), 'NoticesPage'),
});

const profileRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/u/$id',
  component: lazyRouteComponent(() => import('./routes/profile.js'), 'ProfilePage'),
});

const rainListRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/rain',
  component: lazyRouteComponent(() => import('./routes/rain.js'), 'RainListPage'),
});

const rainSessionRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/rain/$sessionId',
  component: lazyRouteComponent(() => import('./routes/rain.js'), 'RainSessionPage'),
});

const submissionsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/submissions',
  component: lazyRouteComponent(() => import('./routes/submissions.js'), 'SubmissionsPage'),
});

const submissionRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/submissions/$id',
  component: lazyRouteComponent(() => import('./routes/submissions.js'), 'SubmissionPage'),
});

const submitRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/submit',
  // Issue 15, part assign: /submit?assignment=<id> uploads footage for a task the person accepted.
  validateSearch: (s: Record<string, unknown>): { assignment?: string } => ({
    assignment: typeof s.assignment === 'string' && UUID_RE.test(s.assignment) ? s.assignment : undefined,
  }),
  component: lazyRouteComponent(() => import('./routes/submit.js'), 'SubmitPage'),
});

const submitEditRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/submit/edit',
  component: lazyRouteComponent(() => import('./routes/submitEdit.js'), 'EditPage'),
});

const videoRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/v/$id',
  component: lazyRouteComponent(() => import('./routes/video.js'), 'VideoPage'),
});

// Issue 14, part stories: the kitchen's stories list (filters in the URL), editor and revisions.
const KITCHEN_FORM_FILTER = /^(print|web|app|weibo|wechat|toutiao|penguin|screen):!?(planned|in_edit|in_review|ready|published)$/;
const kitchenRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/kitchen',
  validateSearch: (s: Record<string, unknown>): StoryFilters => {
    const uuid = (v: unknown) => (typeof v === 'string' && /^[0-9a-f-]{36}$/i.test(v) ? v : undefined);
    const forms = (Array.isArray(s.form) ? s.form : s.form === undefined ? [] : [s.form]).filter(
      (f): f is string => typeof f === 'string' && KITCHEN_FORM_FILTER.test(f),
    );
    return {
      q: str(s.q)?.slice(0, 100),
      studioId: uuid(s.studioId),
      tag: str(s.tag)?.slice(0, 30),
      form: forms.length ? [...new Set(forms)].slice(0, 16) : undefined,
    };
  },
  component: lazyRouteComponent(() => import('./routes/kitchen.js'), 'KitchenStoriesPage'),
});
const kitchenNewStoryRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/kitchen/stories/new',
  component: lazyRouteComponent(() => import('./routes/kitchenStory.js'), 'NewStoryPage'),
});
const kitchenStoryRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/kitchen/stories/$id',
  component: lazyRouteComponent(() => import('./routes/kitchenStory.js'), 'StoryPage'),
});
const kitchenRevisionsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/kitchen/stories/$id/revisions',
  validateSearch: (s: Record<string, unknown>): { v?: number; against?: number } => {
    const n = (v: unknown) => (Number.isInteger(Number(v)) && Number(v) >= 1 && Number(v) < 1_000_000 ? Number(v) : undefined);
    return { v: n(s.v), against: n(s.against) };
  },
  component: lazyRouteComponent(() => import('./routes/kitchenRevisions.js'), 'StoryRevisionsPage'),
});
// Issue 14, part `forms`: a story's forms, the review inbox, the chains per studio.
const kitchenFormsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/kitchen/stories/$id/forms',
  component: lazyRouteComponent(() => import('./routes/kitchenForms.js'), 'KitchenFormsPage'),
});
const kitchenReviewInboxRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/kitchen/review',
  component: lazyRouteComponent(() => import('./routes/kitchenForms.js'), 'KitchenReviewInboxPage'),
});
const kitchenReviewChainsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/kitchen/review/chains',
  component: lazyRouteComponent(() => import('./routes/kitchenForms.js'), 'KitchenReviewChainsPage'),
});
// Issue 14, part `publish`: a published story's public article (网/端).
const kitchenPublicStoryRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/stories/$id',
  component: lazyRouteComponent(() => import('./routes/kitchenPublicStory.js'), 'PublicStoryPage'),
});
// Issue 14, part plan: the day's budget board and the studios (docs/planning.md).
const PLAN_DAY = /^\d{4}-\d{2}-\d{2}$/;
const kitchenPlanRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/kitchen/plan',
  validateSearch: (s: Record<string, unknown>): { day?: string } => ({ day: typeof s.day === 'string' && PLAN_DAY.test(s.day) ? s.day : undefined }),
  component: lazyRouteComponent(() => import('./routes/kitchenPlan.js'), 'KitchenPlanPage'),
});
const kitchenStudiosRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/kitchen/studios',
  component: lazyRouteComponent(() => import('./routes/kitchenPlan.js'), 'KitchenStudiosPage'),
});
const kitchenStudioRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/kitchen/studios/$id',
  component: lazyRouteComponent(() => import('./routes/kitchenPlan.js'), 'KitchenStudioPage'),
});
// The 传播力 wall (issue 14, part wall): a full-screen page for the newsroom's big screen.
const wallRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/wall',
  validateSearch: (s: Record<string, unknown>): { lang?: 'en' } => ({ lang: s.lang === 'en' ? 'en' : undefined }),
  component: lazyRouteComponent(() => import('./routes/kitchenWall.js'), 'WallPage'),
});
// Issue 16: the kiosk's own app (docs/kiosk.md), full screen, Chinese unless `?lang=en`.
const kioskRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/kiosk',
  validateSearch: (s: Record<string, unknown>): { lang?: 'en' } => ({ lang: s.lang === 'en' ? 'en' : undefined }),
  component: lazyRouteComponent(() => import('./routes/kiosk.js'), 'KioskPage'),
});
// Lending (借阅, docs/lending.md): a title from a kiosk's QR, my shelf, the reader.
const lendTitleRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/lend/$titleId',
  component: lazyRouteComponent(() => import('./routes/lending.js'), 'LendTitlePage'),
});
const shelfRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/shelf',
  component: lazyRouteComponent(() => import('./routes/lending.js'), 'ShelfPage'),
});
const readRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/read/$loanId',
  component: lazyRouteComponent(() => import('./routes/lending.js'), 'ReaderPage'),
});
// The e-paper's admin page (docs/epaper.md): upload, zones, publish.
const adminEpaperRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/admin/epaper',
  component: lazyRouteComponent(() => import('./routes/adminEpaper.js'), 'AdminEpaperPage'),
});
// The lending catalogue's admin page (docs/lending.md): upload, licences, withdraw.
const adminLendingRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/admin/lending',
  component: lazyRouteComponent(() => import('./routes/adminLending.js'), 'AdminLendingPage'),
});
// Study (学习, docs/study.md): the phone confirms a kiosk's sign-in QR.
const studySignInRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/study/sign-in/$nonce',
  component: lazyRouteComponent(() => import('./routes/studySignIn.js'), 'StudySignInPage'),
});
// Part `print` of the central kitchen (docs/print.md).
const kitchenStoryPrintRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/kitchen/stories/$id/print',
  component: lazyRouteComponent(() => import('./routes/kitchenPrint.js'), 'StoryPrintPage'),
});
const kitchenNewspapersRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/kitchen/newspapers',
  component: lazyRouteComponent(() => import('./routes/kitchenNewspapers.js'), 'NewspapersPage'),
});
// Issue 15, part map (docs/command-map.md): the desk's map and the phone's location-share deep link.
const commandMapRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/command/map',
  component: lazyRouteComponent(() => import('./routes/commandMap.js'), 'CommandMapPage'),
});
const taskLocationRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/tasks/$id/location',
  component: lazyRouteComponent(() => import('./routes/taskLocation.js'), 'TaskLocationPage'),
});
// Issue 15, part assign: assignments on the desk (/command…) and tasks on the phone (/tasks…).
const COMMAND_STATUSES = ['draft', 'assigned', 'in_progress', 'submitted', 'completed', 'cancelled'] as const;
type CommandListSearch = { status?: (typeof COMMAND_STATUSES)[number]; overdue?: 'true'; studioId?: string; q?: string };
const commandRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/command',
  validateSearch: (s: Record<string, unknown>): CommandListSearch => ({
    status: COMMAND_STATUSES.find((x) => x === s.status),
    overdue: s.overdue === 'true' ? 'true' : undefined,
    studioId: typeof s.studioId === 'string' && UUID_RE.test(s.studioId) ? s.studioId : undefined,
    q: typeof s.q === 'string' && s.q ? s.q.slice(0, 100) : undefined,
  }),
  component: lazyRouteComponent(() => import('./routes/commandAssignments.js'), 'CommandAssignmentsPage'),
});
const commandNewAssignmentRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/command/assignments/new',
  component: lazyRouteComponent(() => import('./routes/commandAssignments.js'), 'NewAssignmentPage'),
});
const commandAssignmentRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/command/assignments/$id',
  component: lazyRouteComponent(() => import('./routes/commandAssignments.js'), 'AssignmentPage'),
});
const tasksRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/tasks',
  component: lazyRouteComponent(() => import('./routes/tasks.js'), 'TasksPage'),
});
const taskSettingsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/tasks/settings',
  component: lazyRouteComponent(() => import('./routes/tasks.js'), 'TaskSettingsPage'),
});
const taskRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/tasks/$id',
  component: lazyRouteComponent(() => import('./routes/tasks.js'), 'TaskPage'),
});
// Part `wall` of issue 15: the command wall (docs/command-wall.md).
const commandWallRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/command/wall',
  validateSearch: (s: Record<string, unknown>): { lang?: 'en' } => ({ lang: s.lang === 'en' ? 'en' : undefined }),
  component: lazyRouteComponent(() => import('./routes/commandWall.js'), 'CommandWallPage'),
});

// Issue 15, part janus: the public watch page of a broadcast call (docs/command-janus.md).
const liveWatchRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/live/$callId',
  component: lazyRouteComponent(() => import('./routes/commandLive.js'), 'LiveWatchPage'),
});
// Issue 15, part live (docs/command-live.md): deep links to the desk's and the phone's live contact.
const commandCallsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/command/calls/$assignmentId',
  component: lazyRouteComponent(() => import('./routes/commandContact.js'), 'DeskCallPage'),
});
const taskContactRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/tasks/$id/contact',
  component: lazyRouteComponent(() => import('./routes/commandContact.js'), 'FieldContactPage'),
});

const routeTree = rootRoute.addChildren([
  homeRoute,
  campaignRoute,
  joinRoute,
  signUpRoute,
  signInRoute,
  forgotPasswordRoute,
  resetPasswordRoute,
  accountRoute,
  submitRoute,
  submitEditRoute,
  submissionsRoute,
  submissionRoute,
  earningsRoute,
  deskRoute,
  queueRoute,
  searchRoute,
  reviewRoute,
  studiosRoute,
  auditRoute,
  dailyPicksRoute,
  financeRoute,
  financeLedgerRoute,
  adminCampaignsRoute,
  newCampaignRoute,
  editCampaignRoute,
  adminUsersRoute,
  adminChannelsRoute,
  adminKiosksRoute,
  grandPrizeRoute,
  holdsRoute,
  dashboardsIndexRoute,
  videoDashboardRoute,
  contributorDashboardRoute,
  studioDashboardRoute,
  channelDashboardRoute,
  adminRainRoute,
  rainListRoute,
  rainSessionRoute,
  videoRoute,
  chartRoute,
  profileRoute,
  noticesRoute,
  kitchenRoute,
  kitchenNewStoryRoute,
  kitchenStoryRoute,
  kitchenRevisionsRoute,
  kitchenFormsRoute,
  kitchenReviewInboxRoute,
  kitchenReviewChainsRoute,
  kitchenPublicStoryRoute,
  kitchenPlanRoute,
  kitchenStudiosRoute,
  kitchenStudioRoute,
  wallRoute,
  kitchenStoryPrintRoute,
  kitchenNewspapersRoute,
  // Issue 15, part map.
  commandMapRoute,
  taskLocationRoute,
  // Issue 15, part assign.
  commandRoute,
  commandNewAssignmentRoute,
  commandAssignmentRoute,
  tasksRoute,
  taskSettingsRoute,
  taskRoute,
  commandWallRoute,
  liveWatchRoute,
  // Issue 15, part live.
  commandCallsRoute,
  taskContactRoute,
  // Issue 16.
  kioskRoute,
  lendTitleRoute,
  shelfRoute,
  readRoute,
  studySignInRoute,
  adminEpaperRoute,
  adminLendingRoute,
]);

export const router = createRouter({
  routeTree,
  context: { queryClient },
  defaultPreload: 'intent',
  defaultPendingComponent: RoutePending,
  // Only a slow chunk shows the pending page; a quick one swaps in without a flash.
  defaultPendingMs: 300,
  defaultErrorComponent: RouteError,
  scrollRestoration: true,
});

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
