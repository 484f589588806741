import { registerNavPage, registerRecordExtension } from '../../lib/extensions';
import { AccountBehaviourPanel } from './AccountBehaviour';
import { FORECAST_PATH, PILLARS_PATH } from './api';

/**
 * Forecasting in the web app (issue 16 item 9, docs/forecasting.md): the forecast page and the
 * annual three-pillar grid in the navigation, the weekly behaviour chart on an account's page.
 */
export function registerForecasting(): void {
  registerRecordExtension('account', { Main: AccountBehaviourPanel });
  registerNavPage({ path: FORECAST_PATH, label: 'Forecast', object: 'opportunity' });
  registerNavPage({ path: PILLARS_PATH, label: 'Annual forecast', object: 'account' });
}
