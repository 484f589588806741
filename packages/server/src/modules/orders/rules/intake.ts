import type { BeforeSaveArgs } from '../../../platform/records/hooks.ts';
import { AppError } from '../../../platform/errors.ts';
import { isBlank, refuse } from '../../billing/index.ts';
import { checkMapping } from '../intake/index.ts';
import { printerAddress } from '../jobTicket/channels.ts';

/** An order source's key is part of its URL; an own format needs a mapping that reads (checked with the intake's own checker). */
export function checkIntakeSource({ merged, data }: BeforeSaveArgs): void {
  if (typeof merged.key === 'string') data.key = merged.key = merged.key.trim().toLowerCase();
  if (!/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/.test(String(merged.key ?? ''))) refuse('key', 'invalid_key', 'Use 1–64 lower-case letters, digits and dashes (not at the ends)');
  if (!isBlank(merged.max_body_kb) && (Number(merged.max_body_kb) < 1 || Number(merged.max_body_kb) > 8192)) refuse('max_body_kb', 'out_of_range', 'Between 1 and 8192 KB');
  if (merged.production_channel === 'email' && isBlank(merged.production_email)) refuse('production_email', 'required', 'Give the address job tickets are e-mailed to');
  if (merged.production_channel === 'printer' && isBlank(merged.printer_url)) refuse('printer_url', 'required', "Give the printer's ipp:// address");
  if (!isBlank(merged.printer_url)) {
    try {
      printerAddress(String(merged.printer_url));
    } catch (error) {
      refuse('printer_url', 'invalid_printer_address', (error as Error).message);
    }
  }
  if (merged.format !== 'custom') return;
  if (isBlank(merged.mapping)) refuse('mapping', 'required', 'An own format needs a mapping from its fields to the order');
  let mapping: unknown;
  try {
    mapping = JSON.parse(String(merged.mapping));
  } catch {
    refuse('mapping', 'json_malformed', 'The mapping must be JSON (docs/intake-formats.md)');
  }
  const problems = checkMapping(mapping);
  if (problems.length) throw new AppError('rule_violation', problems[0]!.message, { errors: problems.map((p) => ({ field: p.field.startsWith('mapping') ? p.field : `mapping.${p.field}`, code: p.code, message: p.message })) });
}
