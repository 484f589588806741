import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/**
 * Normalisation used by duplicate rules and lead conversion. The company-name and domain
 * functions have SQL twins in ../duplicates/sql.ts that must stay equivalent (an expression
 * index serves the SQL side); normalize.test.ts checks the two agree.
 */

/** Legal-form words removed from the end of a company name ("Acme, Inc." = "ACME"). */
export const LEGAL_SUFFIXES = [
  'inc', 'incorporated', 'llc', 'llp', 'lp', 'ltd', 'limited', 'gmbh', 'mbh', 'ag', 'kg', 'corp', 'corporation', 'co', 'company',
  'plc', 'sa', 'sas', 'sarl', 'srl', 'spa', 'bv', 'nv', 'pty', 'oy', 'ab', 'as', 'aps', 'kk', 'pte', 'sl', 'se',
];

const SUFFIX_RE = new RegExp(`( (${LEGAL_SUFFIXES.join('|')}))+$`);

/** Lower-case, punctuation to single spaces, trailing legal forms dropped. '' when nothing is left. */
export function normalizeCompanyName(name: string | null | undefined): string {
  if (!name) return '';
  const words = name.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
  return words.replace(SUFFIX_RE, '').trim();
}

/** The host of a web address without `www.`, lower-case: "https://WWW.Acme.com/about" → "acme.com". */
export function webDomain(url: string | null | undefined): string {
  if (!url) return '';
  return url
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
    .replace(/^[^/?#@]*@/, '')
    .replace(/[:/?#].*$/, '')
    .replace(/^www\./, '')
    .replace(/\.$/, '');
}

/** Free-mail providers: their domain says nothing about the company. */
const FREE_MAIL = new Set(['gmail.com', 'googlemail.com', 'yahoo.com', 'hotmail.com', 'outlook.com', 'live.com', 'msn.com', 'aol.com', 'icloud.com', 'me.com', 'gmx.de', 'gmx.net', 'web.de', 'proton.me', 'protonmail.com', 'yandex.ru', 'mail.ru', 'qq.com']);

/** The company domain of an e-mail address, or '' for free-mail and invalid addresses. */
export function emailDomain(email: string | null | undefined): string {
  const at = email?.lastIndexOf('@') ?? -1;
  if (!email || at < 0) return '';
  const d = email.slice(at + 1).trim().toLowerCase();
  return FREE_MAIL.has(d) ? '' : d;
}

export function normalizeEmail(email: string | null | undefined): string {
  return email ? email.trim().toLowerCase() : '';
}

/** E.164 ("+14155552671") or '' when the number cannot be read; numbers without a country code are read as `region`. */
export function normalizePhone(phone: string | null | undefined, region: CountryCode = 'US'): string {
  if (!phone) return '';
  const p = parsePhoneNumberFromString(phone, region);
  return p && p.isPossible() ? p.number : '';
}

/** The last 7 digits: what the phone index holds to find candidates, checked exactly afterwards. */
export function phoneKey(phone: string | null | undefined): string {
  const digits = (phone ?? '').replace(/\D/g, '');
  return digits.length >= 7 ? digits.slice(-7) : '';
}
