import { ruleViolation } from '../../../platform/errors.ts';
import type { BeforeSaveArgs } from '../../../platform/records/hooks.ts';
import { isBlank } from '../context.ts';

/**
 * Lead rules (SAL-5): a disqualified lead says why; a converted lead is read-only, and only the
 * conversion command may mark a lead converted: it sets the converted_* fields as its own values
 * (WriteOptions.systemValues), which clients cannot send.
 */
export function applyLeadRules({ operation, data, merged, previous, options }: BeforeSaveArgs): void {
  if (!options.systemValues) {
    if (previous?.status === 'converted') {
      const when = typeof previous.converted_at === 'string' ? ` on ${previous.converted_at.slice(0, 10)}` : '';
      throw ruleViolation([{ field: '', code: 'converted_read_only', message: `This lead was converted${when} and can no longer be changed; edit the contact, account or opportunity instead` }]);
    }
    if (data.status === 'converted') {
      throw ruleViolation([{ field: 'status', code: 'use_conversion', message: 'Leads become converted through Convert (POST /api/v1/lead/{id}/convert), not by setting the status' }]);
    }
  }
  const next = { ...merged, ...data };
  if (next.status === 'disqualified' && isBlank(next.disqualified_reason) && (operation === 'create' || 'status' in data || 'disqualified_reason' in data)) {
    throw ruleViolation([{ field: 'disqualified_reason', code: 'required', message: 'Say why the lead is disqualified' }]);
  }
}
