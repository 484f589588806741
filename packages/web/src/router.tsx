import { createRootRouteWithContext, createRoute, createRouter, Outlet } from '@tanstack/react-router';
import type { QueryClient } from '@tanstack/react-query';
import { SessionExpiredDialog } from './components/SessionExpiredDialog';
import { AppLayout } from './components/AppLayout';
import { SignInPage } from './features/auth/SignInPage';
import { SetupPage } from './features/auth/SetupPage';
import { HomePage } from './features/home/HomePage';
import { CalendarPage, validateCalendarSearch } from './features/calendar/CalendarPage';
import { ListPage } from './features/records/ListPage';
import { RecordPage } from './features/records/RecordPage';
import { NewRecordPage } from './features/records/NewRecordPage';
import { KanbanPage } from './features/kanban/KanbanPage';
import { ObjectsSettingsPage } from './features/settings/ObjectsSettingsPage';
import { ObjectSettingsPage } from './features/settings/ObjectSettingsPage';
import { IntegrationClientsPage } from './features/integrations/IntegrationClientsPage';
import { SingleSignOnPage } from './features/integrations/SingleSignOnPage';
import { TokensPage } from './features/settings/TokensPage';
import { NotificationSettingsPage } from './features/settings/NotificationSettingsPage';
import { NotFound } from './components/NotFound';
import { MergePage } from './features/sales/MergePage';
import { RecycleBinPage } from './features/admin/RecycleBinPage';
import { UsersPage } from './features/admin/UsersPage';
import { RolesPage } from './features/admin/RolesPage';
import { ProfilesPage } from './features/admin/ProfilesPage';
import { SharingPage } from './features/admin/SharingPage';
import { ErrorState } from './components/PageState';
import { BookingPage } from './features/booking/BookingPage';
import { OnlineQuotePage } from './features/online-quote/OnlineQuotePage';
import { ProductionBoardPage } from './features/orders/ProductionBoard';
import { PortalApp } from './portal/PortalApp';
import { CashReportsPage } from './features/cash-reports/CashReportsPage';
import { DunningPreviewPage } from './features/dunning/DryRunPage';
import { RunLogPage } from './features/automation/RunLogPage';
import { ApprovalInboxPage, APPROVALS_PATH } from './features/approvals/InboxPage';
import { ApprovalRespondPage } from './features/approvals/RespondPage';
import { ApprovalProcessesPage, PROCESSES_PATH } from './features/approvals/ProcessesPage';
import { ProcessBuilderPage } from './features/approvals/ProcessBuilder';
import { JobsPage, JOBS_PATH } from './features/jobs/JobsPage';
import { SpeedToLeadPage } from './features/leadcapture/SpeedToLeadPage';
import { LEAD_ASSIGNMENT_PATH, LeadAssignmentPage } from './features/leadcapture/LeadAssignmentPage';
import { ForecastPage } from './features/forecasting/ForecastPage';
import { PillarsPage } from './features/forecasting/PillarsPage';
import { ReportsPage } from './features/analytics/ReportsPage';
import { ReportBuilderPage } from './features/analytics/ReportBuilderPage';
import { DataQualityPage } from './features/analytics/DataQualityPage';
import { DashboardsPage } from './features/dashboards/DashboardsPage';
import { DashboardPage } from './features/dashboards/DashboardPage';
import { ImportsPage, IMPORTS_PATH } from './features/imports/ImportsPage';
import { ImportPage } from './features/imports/ImportPage';

const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

const rootRoute = createRootRouteWithContext<{ queryClient: QueryClient }>()({
  component: () => (
    <>
      <Outlet />
      <SessionExpiredDialog />
    </>
  ),
  notFoundComponent: () => <NotFound />,
});

const loginRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/login',
  validateSearch: (s: Record<string, unknown>) => ({ redirect: str(s.redirect) }),
  component: () => <SignInPage redirect={loginRoute.useSearch().redirect} />,
});

const setupRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/setup',
  validateSearch: (s: Record<string, unknown>) => ({ token: str(s.token) }),
  component: () => <SetupPage token={setupRoute.useSearch().token ?? ''} />,
});

// Public booking page of a scheduling link: for visitors without an account, outside the app layout.
const bookingRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/book/$slug',
  component: function BookingRoute() {
    const { slug } = bookingRoute.useParams();
    return <BookingPage key={slug} slug={slug} />;
  },
});

// The online quote behind a link sent to a customer: no session, outside the app layout.
const onlineQuoteRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/q/$token',
  component: function OnlineQuoteRoute() {
    const { token } = onlineQuoteRoute.useParams();
    return <OnlineQuotePage key={token} token={token} />;
  },
});

// The customer portal (src/portal/): its own layout and session, for an account's contacts.
const portalHomeRoute = createRoute({ getParentRoute: () => rootRoute, path: '/portal', component: () => <PortalApp path="" /> });
const portalRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/portal/$',
  component: function PortalRoute() {
    return <PortalApp path={portalRoute.useParams()._splat ?? ''} />;
  },
});

// The answer page of an approval e-mail's link: the token stands for the approver, no sign-in (features/approvals).
const approvalRespondRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/approvals/respond',
  validateSearch: (s: Record<string, unknown>) => ({ token: str(s.token), decision: str(s.decision) }),
  component: function ApprovalRespondRoute() {
    const { token, decision } = approvalRespondRoute.useSearch();
    return <ApprovalRespondPage token={token ?? ''} decision={decision} />;
  },
});

const appRoute = createRoute({ getParentRoute: () => rootRoute, id: 'app', component: AppLayout });

const homeRoute = createRoute({ getParentRoute: () => appRoute, path: '/', component: HomePage });

export const calendarRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/calendar',
  validateSearch: validateCalendarSearch,
  component: function CalendarRoute() {
    const { view, date } = calendarRoute.useSearch();
    return <CalendarPage view={view} date={date} />;
  },
});

export const listRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/o/$object',
  validateSearch: (s: Record<string, unknown>): { view?: string; filter?: string; sort?: string; q?: string } => ({
    view: str(s.view), filter: typeof s.filter === 'string' ? s.filter : s.filter ? JSON.stringify(s.filter) : undefined, sort: str(s.sort), q: str(s.q),
  }),
  component: function ListRoute() {
    const { object } = listRoute.useParams();
    const { view, filter, sort, q } = listRoute.useSearch();
    // The list writes its filter, sort and search back into the URL (shareable, survives a
    // reload) and follows the URL when it changes from outside (a "View all" link).
    return <ListPage key={object} object={object} viewId={view} filter={filter} sort={sort} q={q} />;
  },
});

const newRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/o/$object/new',
  component: function NewRoute() {
    const { object } = newRoute.useParams();
    return <NewRecordPage key={object} object={object} />;
  },
});

export const boardRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/o/$object/board',
  validateSearch: (s: Record<string, unknown>) => ({ field: str(s.field) }),
  component: function BoardRoute() {
    const { object } = boardRoute.useParams();
    const { field } = boardRoute.useSearch();
    return <KanbanPage key={object} object={object} field={field} />;
  },
});

// The orders' production board (features/orders): a module page, before /o/… so nothing shadows it.
const productionBoardRoute = createRoute({ getParentRoute: () => appRoute, path: '/orders/board', component: ProductionBoardPage });
const cashRoute = createRoute({ getParentRoute: () => appRoute, path: '/cash', component: CashReportsPage });
const cashReportRoute = createRoute({ getParentRoute: () => appRoute, path: '/cash/$report', component: CashReportsPage });
// Payment reminders' dry run and Send now (features/dunning).
// The approvals inbox and the jobs page (features/approvals, features/jobs).
const approvalsRoute = createRoute({ getParentRoute: () => appRoute, path: APPROVALS_PATH, component: ApprovalInboxPage });
const jobsRoute = createRoute({ getParentRoute: () => appRoute, path: JOBS_PATH, component: JobsPage });
// Settings → Approval processes: the list and the builder (features/approvals).
const approvalProcessesRoute = createRoute({ getParentRoute: () => appRoute, path: PROCESSES_PATH, component: ApprovalProcessesPage });
const newApprovalProcessRoute = createRoute({ getParentRoute: () => appRoute, path: `${PROCESSES_PATH}/new`, component: () => <ProcessBuilderPage /> });
const approvalProcessRoute = createRoute({
  getParentRoute: () => appRoute,
  path: `${PROCESSES_PATH}/$id`,
  component: function ApprovalProcessRoute() {
    return <ProcessBuilderPage id={approvalProcessRoute.useParams().id} />;
  },
});
const dunningPreviewRoute = createRoute({ getParentRoute: () => appRoute, path: '/reminders', component: DunningPreviewPage });
// Workflow rules' run log (features/automation).
const automationRunsRoute = createRoute({ getParentRoute: () => appRoute, path: '/automation/runs', component: RunLogPage });
// Lead capture's speed-to-lead report (features/leadcapture).
const speedToLeadRoute = createRoute({ getParentRoute: () => appRoute, path: '/speed-to-lead', component: SpeedToLeadPage });
const leadAssignmentRoute = createRoute({ getParentRoute: () => appRoute, path: LEAD_ASSIGNMENT_PATH, component: LeadAssignmentPage });
// The forecast and the annual three-pillar forecast (features/forecasting).
const forecastRoute = createRoute({ getParentRoute: () => appRoute, path: '/forecast', component: ForecastPage });
const pillarsRoute = createRoute({ getParentRoute: () => appRoute, path: '/forecast/pillars', component: PillarsPage });
// Reports and the report builder (features/analytics).
const reportsRoute = createRoute({ getParentRoute: () => appRoute, path: '/reports', component: ReportsPage });
const reportRoute = createRoute({ getParentRoute: () => appRoute, path: '/reports/$id', component: ReportBuilderPage });
const dataQualityRoute = createRoute({ getParentRoute: () => appRoute, path: '/data-quality', component: DataQualityPage });
// Dashboards (features/dashboards); `?edit=true` opens the editor.
const dashboardsRoute = createRoute({ getParentRoute: () => appRoute, path: '/dashboards', component: DashboardsPage });
const dashboardRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/dashboards/$id',
  validateSearch: (s: Record<string, unknown>) => ({ edit: s.edit === true || s.edit === 'true' ? true : undefined }),
  component: function DashboardRoute() {
    return <DashboardPage id={dashboardRoute.useParams().id} edit={!!dashboardRoute.useSearch().edit} />;
  },
});
// Imports: the history and the wizard of one import (features/imports).
const importsRoute = createRoute({ getParentRoute: () => appRoute, path: IMPORTS_PATH, component: ImportsPage });
const importRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/imports/$id',
  component: function ImportRoute() {
    const { id } = importRoute.useParams();
    return <ImportPage key={id} id={id} />;
  },
});

export const recordRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/o/$object/$id',
  validateSearch: (s: Record<string, unknown>) => ({ tab: str(s.tab) }),
  component: function RecordRoute() {
    const { object, id } = recordRoute.useParams();
    const { tab } = recordRoute.useSearch();
    return <RecordPage key={`${object}/${id}`} object={object} id={id} tab={tab} />;
  },
});

const objectsSettingsRoute = createRoute({ getParentRoute: () => appRoute, path: '/settings/objects', component: ObjectsSettingsPage });

const objectSettingsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/settings/objects/$object',
  component: function ObjectSettingsRoute() {
    const { object } = objectSettingsRoute.useParams();
    return <ObjectSettingsPage key={object} object={object} />;
  },
});

const tokensRoute = createRoute({ getParentRoute: () => appRoute, path: '/settings/tokens', component: TokensPage });
const integrationClientsRoute = createRoute({ getParentRoute: () => appRoute, path: '/settings/integration-clients', component: IntegrationClientsPage });
const singleSignOnRoute = createRoute({ getParentRoute: () => appRoute, path: '/settings/single-sign-on', component: SingleSignOnPage });
const notificationSettingsRoute = createRoute({ getParentRoute: () => appRoute, path: '/settings/notifications', component: NotificationSettingsPage });

const mergeRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/merge/$object',
  validateSearch: (s: Record<string, unknown>) => ({ ids: str(s.ids) }),
  component: function MergeRoute() {
    const { object } = mergeRoute.useParams();
    const { ids } = mergeRoute.useSearch();
    return <MergePage key={`${object}:${ids ?? ''}`} object={object} ids={ids ? ids.split(',').filter(Boolean) : []} />;
  },
});

const recycleBinRoute = createRoute({ getParentRoute: () => appRoute, path: '/recycle-bin', component: RecycleBinPage });
const usersRoute = createRoute({ getParentRoute: () => appRoute, path: '/settings/users', component: UsersPage });
const rolesRoute = createRoute({ getParentRoute: () => appRoute, path: '/settings/roles', component: RolesPage });

const profilesRoute = createRoute({ getParentRoute: () => appRoute, path: '/settings/profiles', component: ProfilesPage });
const sharingRoute = createRoute({ getParentRoute: () => appRoute, path: '/settings/sharing', component: SharingPage });

const routeTree = rootRoute.addChildren([
  loginRoute,
  portalHomeRoute,
  portalRoute,
  setupRoute,
  bookingRoute,
  onlineQuoteRoute,
  approvalRespondRoute,
  appRoute.addChildren([homeRoute, calendarRoute, productionBoardRoute, cashRoute, cashReportRoute, dunningPreviewRoute, automationRunsRoute, approvalsRoute, jobsRoute, approvalProcessesRoute, newApprovalProcessRoute, approvalProcessRoute, speedToLeadRoute, leadAssignmentRoute, forecastRoute, pillarsRoute, reportsRoute, reportRoute, dataQualityRoute, dashboardsRoute, dashboardRoute, importsRoute, importRoute, listRoute, newRoute, boardRoute, recordRoute, objectsSettingsRoute, objectSettingsRoute, tokensRoute, integrationClientsRoute, singleSignOnRoute, notificationSettingsRoute, mergeRoute, recycleBinRoute, usersRoute, rolesRoute, profilesRoute, sharingRoute]),
]);

export const router = createRouter({
  routeTree,
  context: { queryClient: undefined! },
  defaultErrorComponent: ({ error }) => {
    console.error(error);
    return <ErrorState error={error} />;
  },
  defaultPreload: false, scrollRestoration: true });

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
