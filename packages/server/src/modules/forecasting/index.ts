import { defineModule } from '../../platform/module.ts';
import { field } from '../../platform/metadata/define.ts';
import { forecastingMigrations } from './migrations.ts';
import { registerForecastingRoutes } from './routes.ts';
import { forecastingJobs } from './jobs.ts';
import { ENTER_FORECAST } from './pillars/grid.ts';

/**
 * Forecasting (docs/forecasting.md; SAL-13, ANL-4 account behaviour; issue 16 items 6-9): forecasts by
 * period and owner rolled up the role hierarchy, quotas and managers' adjustments with their history;
 * the annual three-pillar plan per account and month compared with actuals classified by rule; weekly
 * account behaviour snapshots. Its own tables; deals, accounts and orders are read with the lists'
 * access conditions, invoices through invoicing's export.
 */
export const forecastingModule = defineModule({
  name: 'forecasting',
  fieldsFor: {
    product: [field('product_line', 'Product line', 'text', { helpText: 'Groups products for the three-pillar forecast: a current customer buying a line it had not bought before is upselling. Empty: the product is its own line.' })],
  },
  routes: registerForecastingRoutes,
  jobs: forecastingJobs,
  migrations: forecastingMigrations,
  capabilities: [
    { name: ENTER_FORECAST, label: 'Enter the annual forecast for any account', description: 'Brand managers: plan the three pillars of every account you can see, not only the ones you may edit' },
  ],
});

export { readForecast, FORECAST_FORMULA } from './queries/forecast.ts';
export { takeSnapshots } from './snapshots/take.ts';
export { classifyRevenue, splitDeal, PILLARS, type Pillar } from './pillars/classify.ts';
