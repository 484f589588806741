import { registerNavPage } from '../../lib/extensions';
import { DATA_QUALITY_PATH, REPORTS_PATH } from './api';

/** Analytics in the web app (issue 16 item 9, docs/analytics.md): the reports page in the navigation. */
export function registerAnalytics(): void {
  registerNavPage({ path: REPORTS_PATH, label: 'Reports', object: 'opportunity' });
  registerNavPage({ path: DATA_QUALITY_PATH, label: 'Data quality', object: 'contact' });
}
