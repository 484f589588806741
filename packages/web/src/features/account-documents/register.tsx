import { registerRecordExtension } from '../../lib/extensions';
import { AccountDocuments } from './AccountDocuments';

/** An account's open orders and invoices, and an overdue banner, on its page (issue 12 item 8). */
export function registerAccountDocuments(): void {
  registerRecordExtension('account', { Summary: AccountDocuments });
}
