import { existsSync, openSync, readSync, closeSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Parsers of the document settings (billing/settings.ts): a bad value stops the process at
 * start with the variable's name instead of failing on the first PDF a customer asks for.
 */

/** A BCP 47 locale the runtime can format with (de-DE, fr-CA, en-US), canonicalised. */
export function parseDocumentLocale(raw: string): string {
  const [locale] = Intl.getCanonicalLocales(raw.trim());
  if (!locale || Intl.NumberFormat.supportedLocalesOf([locale]).length === 0) throw new Error(`is not a locale this server can format, got '${raw}'`);
  return locale;
}

/** A PNG or JPEG file (checked by its first bytes); the absolute path is kept. */
export function parseLogoPath(raw: string): string {
  const path = resolve(raw.trim());
  if (!existsSync(path)) throw new Error(`no such file: ${path}`);
  const head = Buffer.alloc(4);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, 4, 0);
  } finally {
    closeSync(fd);
  }
  const png = head.equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  const jpeg = head[0] === 0xff && head[1] === 0xd8;
  if (!png && !jpeg) throw new Error(`must be a PNG or JPEG image: ${path}`);
  return path;
}

/** The locales a customer's documents can be in (the account's and contact's "Document locale"). */
export const DOCUMENT_LOCALES = [
  'en-US', 'en-GB', 'en-CA', 'en-AU', 'en-IE', 'en-IN', 'en-NZ', 'en-ZA', 'fr-FR', 'fr-CA', 'fr-BE', 'fr-CH', 'de-DE', 'de-AT', 'de-CH',
  'it-IT', 'it-CH', 'es-ES', 'es-MX', 'es-AR', 'pt-PT', 'pt-BR', 'nl-NL', 'nl-BE', 'sv-SE', 'nb-NO', 'da-DK', 'fi-FI', 'pl-PL', 'cs-CZ',
  'sk-SK', 'hu-HU', 'ro-RO', 'bg-BG', 'el-GR', 'tr-TR', 'ru-RU', 'uk-UA', 'ja-JP', 'zh-CN', 'ko-KR',
] as const;
