import { registerNavPage } from '../../lib/extensions';
import { DASHBOARDS_PATH } from './api';

/** Dashboards in the web app (issue 16 items 4 and 9, docs/analytics.md#dashboards): the page in the navigation. */
export function registerDashboards(): void {
  registerNavPage({ path: DASHBOARDS_PATH, label: 'Dashboards', object: 'opportunity' });
}
