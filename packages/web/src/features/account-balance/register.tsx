import { registerRecordExtension } from '../../lib/extensions';
import { AccountBalanceHeader, ContactAccountBalance } from './AccountBalance';

/** Balance, overdue, credit, last payment and DSO on the account's and the contact's page (issue 13 item 7). */
export function registerAccountBalance(): void {
  registerRecordExtension('account', { Summary: AccountBalanceHeader });
  registerRecordExtension('contact', { Summary: ContactAccountBalance });
}
