import type { SettingSpec } from '../../../platform/settings.ts';

/** `name=value|name=value`: how Meridian's tax names map to the accounting product's tax codes. */
export function parseTaxMap(raw: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const entry of raw.split('|').map((e) => e.trim()).filter(Boolean)) {
    const at = entry.lastIndexOf('=');
    if (at <= 0 || at === entry.length - 1) throw new Error(`each entry must be 'taxes=code', got '${entry}'`);
    map.set(taxKeyOf(entry.slice(0, at)), entry.slice(at + 1).trim());
  }
  return map;
}

/** The lookup form of a key: tax names joined by " + ", compared without case or extra spaces. */
export function taxKeyOf(text: string): string {
  return text.split('+').map((p) => p.trim().replace(/\s+/g, ' ').toLowerCase()).filter(Boolean).join(' + ');
}

const choice = <T extends string>(env: string, fallback: T, allowed: readonly T[], doc: string): SettingSpec<T> => ({
  env,
  default: fallback,
  doc,
  parse(raw) {
    const value = raw.trim().toUpperCase() as T;
    if (!allowed.includes(value)) throw new Error(`must be one of ${allowed.join(', ')}, got '${raw}'`);
    return value;
  },
});

export const DATE_ORDERS = ['DD/MM/YYYY', 'MM/DD/YYYY'] as const;
export type DateOrder = (typeof DATE_ORDERS)[number];

/**
 * The accounting export's settings (docs/invoicing.md, "Accounting export"), part of invoicing's
 * declaration (settings.ts), so they are resolved and checked at boot like every other setting.
 */
export const exportSettingSpecs = {
  salesAccount: {
    env: 'MERIDIAN_EXPORT_SALES_ACCOUNT',
    default: '200',
    doc: "the revenue account code exported lines are booked to (Xero's AccountCode; Xero's default chart has 200 Sales)",
    parse(raw: string) {
      const code = raw.trim();
      if (!code || code.length > 40) throw new Error(`must be an account code of 1 to 40 characters, got '${raw}'`);
      return code;
    },
  } satisfies SettingSpec<string>,
  taxCodes: {
    env: 'MERIDIAN_EXPORT_TAX_CODES',
    default: new Map<string, string>(),
    doc: "the accounting product's tax code per combination of Meridian taxes, as 'GST=GST on Income|GST + QST=GST/QST on Sales|none=Tax Exempt'; unmapped combinations export their tax names joined by ' + ', lines without tax 'Tax Exempt'",
    parse: parseTaxMap,
  } satisfies SettingSpec<Map<string, string>>,
  xeroDateOrder: choice<DateOrder>('MERIDIAN_EXPORT_XERO_DATE_FORMAT', 'DD/MM/YYYY', DATE_ORDERS, "how dates are written in the Xero CSV: DD/MM/YYYY (Xero's template) or MM/DD/YYYY (for organisations in the United States)"),
};
