import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Navigate, Route, Routes } from 'react-router';
import { ApiProvider } from './api/ApiProvider';
import type { ApiClient } from './api/client';
import { LoginPage } from './auth/LoginPage';
import { BrandsPage } from './brands/BrandsPage';
import { RequireAuth } from './auth/RequireAuth';
import { CampaignDetailPage } from './campaigns/CampaignDetailPage';
import { CampaignsPage } from './campaigns/CampaignsPage';
import { NewCampaignPage } from './campaigns/NewCampaignPage';
import { IncidentPage } from './incidents/IncidentPage';
import { IncidentsPage } from './incidents/IncidentsPage';
import { ResponseMetricsPage } from './metrics/ResponseMetricsPage';
import { RecipientsPage } from './recipients/RecipientsPage';
import { BreachRegisterPage } from './report/BreachRegisterPage';
import { ReportPage } from './report/ReportPage';
import { ReviewPage } from './reviews/ReviewPage';
import { ReviewsPage } from './reviews/ReviewsPage';
import { NotFoundPage } from './shell/NotFoundPage';
import { Shell } from './shell/Shell';
import { UsersPage } from './users/UsersPage';

/** The one route table. Everything but /login needs a session. */
export function AppRoutes() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route
        element={
          <RequireAuth>
            <Shell />
          </RequireAuth>
        }
      >
        <Route index element={<Navigate to="/campaigns" replace />} />
        <Route path="campaigns" element={<CampaignsPage />} />
        <Route path="campaigns/new" element={<NewCampaignPage />} />
        <Route path="campaigns/:id" element={<CampaignDetailPage />} />
        <Route path="incidents" element={<IncidentsPage />} />
        <Route path="incidents/:id" element={<IncidentPage />} />
        <Route path="incidents/:id/report" element={<ReportPage />} />
        <Route path="breach-register" element={<BreachRegisterPage />} />
        <Route path="response-metrics" element={<ResponseMetricsPage />} />
        <Route path="recipients" element={<RecipientsPage />} />
        <Route path="reviews" element={<ReviewsPage />} />
        <Route path="reviews/:cid" element={<ReviewPage />} />
        <Route path="brands" element={<BrandsPage />} />
        <Route path="users" element={<UsersPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}

/** App-wide services; the router is supplied by the caller (browser or memory in tests). */
export function AppProviders({
  api,
  queryClient,
  children,
}: {
  api: ApiClient;
  queryClient: QueryClient;
  children: ReactNode;
}) {
  return (
    <ApiProvider client={api}>
      <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
    </ApiProvider>
  );
}
