import { registerBooking } from './features/booking/register';
import { registerSales } from './features/sales/register';
import { registerQuoteDocuments } from './features/quote-send/register';
import { registerLineItems } from './features/line-items/register';
import { registerPriceBook } from './features/price-book/register';
import { registerMeetings } from './features/calendar/register';
import { registerOrders } from './features/orders/register';
import { registerOrderIntake } from './features/order-intake/register';
import { registerAccountBalance } from './features/account-balance/register';
import { registerAccountDocuments } from './features/account-documents/register';
import { registerCashReports } from './features/cash-reports/register';
import { registerInvoiceRuns } from './features/invoice-runs/register';
import { registerInvoices } from './features/invoices/register';
import { registerInvoiceExport } from './features/invoice-export/register';
import { registerPortalAccess } from './features/portal-access/register';
import { registerCredit } from './features/credit/register';
import { registerPayments } from './features/payments/register';
import { registerDunning } from './features/dunning/register';
import { registerAutomation } from './features/automation/register';
import { registerApprovals } from './features/approvals/register';
import { registerLeadCapture } from './features/leadcapture/register';
import { registerForecasting } from './features/forecasting/register';
import { registerAnalytics } from './features/analytics/register';
import { registerDashboards } from './features/dashboards/register';
import { registerPrivacy } from './features/privacy/register';

/**
 * The web app's composition root for feature extensions (lib/extensions.ts): each feature that
 * adds to the generic record page or board registers here, one line each. Called once at start.
 */
export function registerExtensions(): void {
  registerSales();
  registerBooking();
  registerLineItems();
  registerQuoteDocuments();
  registerPriceBook();
  registerMeetings();
  registerOrders();
  registerOrderIntake();
  registerAccountBalance();
  registerAccountDocuments();
  registerCashReports();
  registerInvoiceRuns();
  registerInvoices();
  registerInvoiceExport();
  registerPortalAccess();
  registerCredit();
  registerPayments();
  registerDunning();
  registerAutomation();
  registerApprovals();
  registerLeadCapture();
  registerForecasting();
  registerAnalytics();
  registerDashboards();
  registerPrivacy();
}
