import type { MeridianModule } from '../platform/module.ts';
import { salesModule } from './sales/index.ts';
import { activitiesModule } from './activities/index.ts';
import { demoModule } from './demo/index.ts';
import { billingModule } from './billing/index.ts';
import { ordersModule } from './orders/index.ts';
import { invoicingModule } from './invoicing/index.ts';
import { portalModule } from './portal/index.ts';
import { dunningModule } from './dunning/index.ts';
import { paymentsModule } from './payments/index.ts';
import { creditModule } from './credit/index.ts';
import { automationModule } from './automation/index.ts';
import { leadCaptureModule } from './leadcapture/index.ts';
import { approvalsModule } from './approvals/index.ts';
import { forecastingModule } from './forecasting/index.ts';
import { privacyModule } from './privacy/index.ts';
import { analyticsModule } from './analytics/index.ts';
import { importsModule } from './imports/index.ts';

/**
 * The composition root's list: the modules this Meridian runs, in order (routes are registered and
 * start-up work runs in this order). Adding a module is its folder and one line here — see
 * docs/modules.md. The CLI and the test servers pass this list to bootPlatform.
 */
export const modules: readonly MeridianModule[] = [salesModule, activitiesModule, billingModule, ordersModule, invoicingModule, paymentsModule, creditModule, dunningModule, portalModule, automationModule, approvalsModule, leadCaptureModule, analyticsModule, importsModule, privacyModule, forecastingModule, demoModule];
