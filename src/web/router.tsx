import { createRouter } from '@tanstack/react-router';
import { QueryClient } from '@tanstack/react-query';
import { ApiError } from './api/client.js';
import { accountRoute } from './routes/account.js';
import { adminCampaignsRoute } from './routes/adminCampaigns.js';
import { editCampaignRoute, newCampaignRoute } from './routes/adminCampaignForm.js';
import { adminRainRoute } from './routes/adminRain.js';
import { adminUsersRoute } from './routes/adminUsers.js';
import { adminChannelsRoute } from './routes/adminChannels.js';
import { adminKiosksRoute } from './routes/adminKiosks.js';
import { grandPrizeRoute } from './routes/deskGrandPrize.js';
import { holdsRoute } from './routes/deskHolds.js';
import { channelDashboardRoute, contributorDashboardRoute, dashboardsIndexRoute, studioDashboardRoute, videoDashboardRoute } from './routes/dashboards.js';
import { signInRoute, signUpRoute } from './routes/auth.js';
import { campaignRoute, joinRoute } from './routes/campaign.js';
import { deskRoute } from './routes/desk.js';
import { auditRoute } from './routes/deskAudit.js';
import { dailyPicksRoute } from './routes/deskPicks.js';
import { queueRoute } from './routes/deskQueue.js';
import { reviewRoute } from './routes/deskReview.js';
import { studiosRoute } from './routes/deskStudios.js';
import { earningsRoute } from './routes/earnings.js';
import { financeRoute } from './routes/finance.js';
import { homeRoute } from './routes/home.js';
import { rainListRoute, rainSessionRoute } from './routes/rain.js';
import { rootRoute } from './routes/root.js';
import { submissionRoute, submissionsRoute } from './routes/submissions.js';
import { submitRoute } from './routes/submit.js';
import { submitEditRoute } from './routes/submitEdit.js';
import { chartRoute } from './routes/charts.js';
import { noticesRoute } from './routes/notices.js';
import { profileRoute } from './routes/profile.js';
import { videoRoute } from './routes/video.js';

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

const routeTree = rootRoute.addChildren([
  homeRoute,
  campaignRoute,
  joinRoute,
  signUpRoute,
  signInRoute,
  accountRoute,
  submitRoute,
  submitEditRoute,
  submissionsRoute,
  submissionRoute,
  earningsRoute,
  deskRoute,
  queueRoute,
  reviewRoute,
  studiosRoute,
  auditRoute,
  dailyPicksRoute,
  financeRoute,
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
]);

export const router = createRouter({
  routeTree,
  context: { queryClient },
  defaultPreload: 'intent',
  scrollRestoration: true,
});

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
