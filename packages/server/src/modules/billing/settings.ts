import { defineSettings, setting, type SettingSpec } from '../../platform/settings.ts';
import { parseDocumentLocale, parseLogoPath } from './quotes/document/settings.ts';
import { parseNumberFormat } from './quotes/numbering.ts';
import { isCurrency, ROUNDING_MODES, ROUNDING_SCOPES, type RoundingMode, type RoundingScope } from './money/index.ts';

function choice<T extends string>(env: string, fallback: T, allowed: readonly T[], doc: string): SettingSpec<T> {
  return {
    env,
    default: fallback,
    doc,
    parse(raw) {
      const value = raw.trim() as T;
      if (!allowed.includes(value)) throw new Error(`must be one of ${allowed.join(', ')}, got '${raw}'`);
      return value;
    },
  };
}

/**
 * The organisation's money settings (decision 0008). They are installation settings, not records:
 * the corporate currency and the rounding rules are chosen once, and every document stores the
 * rounding it was totalled with, so changing them never re-totals a document already issued.
 */
export const billingSettings = defineSettings('billing', {
  corporateCurrency: {
    env: 'MERIDIAN_CORPORATE_CURRENCY',
    default: 'USD',
    doc: 'the ISO 4217 currency the organisation reports in (product costs, converted totals)',
    parse(raw: string) {
      const code = raw.trim().toUpperCase();
      if (!isCurrency(code)) throw new Error(`must be an ISO 4217 currency code, got '${raw}'`);
      return code;
    },
  } satisfies SettingSpec<string>,
  roundingMode: choice<RoundingMode>('MERIDIAN_ROUNDING_MODE', 'half_up', ROUNDING_MODES, 'how ties round to the minor unit: half_up (away from zero) or half_even (banker’s)'),
  roundingScope: choice<RoundingScope>('MERIDIAN_TAX_ROUNDING', 'line', ROUNDING_SCOPES, 'where taxes are rounded: line (each line, then summed) or document (once per tax, spread over the lines)'),
  // Quotes (quotes/, docs/billing.md "Quotes").
  quoteNumberFormat: {
    env: 'MERIDIAN_QUOTE_NUMBER_FORMAT',
    default: 'Q-{YYYY}-{#####}',
    doc: 'quote numbers: {YYYY}, {YY} and {MM} of the creation date and one {#…} counter whose width is the number of #; the counter restarts when the date part changes',
    parse(raw: string) {
      parseNumberFormat(raw);
      return raw.trim();
    },
  } satisfies SettingSpec<string>,
  quoteValidityDays: setting.integer('MERIDIAN_QUOTE_VALIDITY_DAYS', 30, 'days a quote is valid from its price date when no date is given', { min: 1, max: 3650 }),
  quoteLinkDays: setting.integer('MERIDIAN_QUOTE_LINK_DAYS', 60, 'days a link to the online quote works when the sender gives no other (links can be revoked sooner)', { min: 1, max: 365 }),
  // The organisation on its documents (quotes/document/, docs/billing.md "Quote PDF").
  companyName: setting.text('MERIDIAN_COMPANY_NAME', 'Your company', 'the organisation\'s name printed on quotes and other documents'),
  companyAddress: setting.text('MERIDIAN_COMPANY_ADDRESS', '', 'the organisation\'s address on documents; lines separated by | (e.g. "1 Main St|Springfield, IL 62701|USA")'),
  companyLogo: {
    env: 'MERIDIAN_COMPANY_LOGO',
    default: undefined,
    doc: 'path of a PNG or JPEG logo printed at the top of documents (read when a document is rendered)',
    parse: parseLogoPath,
  } satisfies SettingSpec<string | undefined>,
  documentLocale: {
    env: 'MERIDIAN_DOCUMENT_LOCALE',
    default: 'en-US',
    doc: 'the locale (BCP 47, e.g. de-DE) of numbers, currencies and dates on documents when the contact and account have none',
    parse: parseDocumentLocale,
  } satisfies SettingSpec<string>,
  quoteApprovalPercent: setting.number('MERIDIAN_QUOTE_APPROVAL_DISCOUNT_PERCENT', 15, "effective discount (% below list prices) above which a quote needs the owner's manager's approval before it is sent, unless the sender's profile has billing.approve_quote_discounts", { min: 0 }),
});
