import { registerRecordExtension } from '../../lib/extensions';
import { CreditPanel } from './CreditPanel';

/** The credit limit, its explanation and the override on the account's page (issue 13 item 9, docs/credit.md). */
export function registerCredit(): void {
  registerRecordExtension('account', { Main: CreditPanel });
}
