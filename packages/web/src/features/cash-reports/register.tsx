import { registerNavPage } from '../../lib/extensions';

/** The Cash section in the navigation (issue 13 item 8): aging, DSO, cash collected, revenue by account tree. */
export function registerCashReports(): void {
  registerNavPage({ path: '/cash', label: 'Cash', object: 'invoice' });
}
