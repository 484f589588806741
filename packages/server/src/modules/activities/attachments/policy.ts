import { fileTypeFromFile } from 'file-type';
import { AppError } from '../../../platform/errors.ts';

/**
 * What may be uploaded. The type is detected from the bytes (magic numbers, via file-type), never
 * taken from the client's Content-Type or the file name; files without a signature are accepted
 * only as plain text. Executables and scripts are refused whatever the configuration says.
 */
export const DEFAULT_ALLOWED_TYPES = [
  'application/pdf',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'text/plain',
  'text/csv',
  'application/zip',
  'application/rtf',
  'message/rfc822',
  'application/vnd.ms-outlook',
  'application/msword',
  'application/vnd.ms-excel',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/vnd.oasis.opendocument.presentation',
];

/** Never stored, even if an operator lists them: they run code when opened in a browser or on a desktop. */
export const NEVER_ALLOWED = new Set([
  'text/html', 'application/xhtml+xml', 'image/svg+xml', 'application/xml', 'text/xml', 'application/javascript', 'text/javascript',
  'application/x-msdownload', 'application/vnd.microsoft.portable-executable', 'application/x-dosexec', 'application/x-msi',
  'application/x-elf', 'application/x-executable', 'application/x-mach-binary', 'application/x-sh', 'application/x-shellscript',
  'application/java-archive', 'application/java-vm', 'application/wasm', 'application/x-shockwave-flash',
  'application/vnd.android.package-archive', 'application/x-apple-diskimage', 'application/x-deb', 'application/x-rpm',
]);

/** Names that make a desktop run or render the file, whatever its bytes. */
const DANGEROUS_EXTENSIONS = new Set(
  ('exe dll com scr pif cpl msi msp msc bat cmd ps1 psm1 psd1 vbs vbe js jse mjs cjs wsf wsh hta lnk reg inf scf url desktop ' +
    'jar class sh bash zsh csh ksh command tool app appimage run bin elf apk dmg pkg deb rpm iso ' +
    'html htm xhtml shtml mht mhtml svg svgz xml xsl xslt php phtml py pyw pl rb').split(' '),
);

/** OLE compound files are one signature for several formats: the extension says which. */
const CFB_BY_EXTENSION: Record<string, string> = {
  doc: 'application/msword',
  dot: 'application/msword',
  xls: 'application/vnd.ms-excel',
  xlt: 'application/vnd.ms-excel',
  ppt: 'application/vnd.ms-powerpoint',
  msg: 'application/vnd.ms-outlook',
};

const MARKUP_START = /^(?:<!doctype|<html|<head|<body|<script|<svg|<\?xml|<iframe|<object|#!)/i;

export function parseAllowedTypes(value: string | undefined): Set<string> {
  const list = value?.trim() ? value.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean) : DEFAULT_ALLOWED_TYPES;
  return new Set(list.filter((t) => !NEVER_ALLOWED.has(t)));
}

export function isDangerousExtension(ext: string): boolean {
  return DANGEROUS_EXTENSIONS.has(ext);
}

export function extensionOf(fileName: string): string {
  const m = /\.([^.]+)$/.exec(fileName);
  return m ? m[1]!.toLowerCase() : '';
}

const notAllowed = (message: string) =>
  new AppError('unsupported_media_type', message, { errors: [{ field: 'file', code: 'file_type_not_allowed', message }] });

/**
 * The content type to store for an upload, or a 415 naming the field. `head` is the start of the
 * file (at least a few KiB when the file is that long), used to recognise text.
 */
export async function detectContentType(args: { path: string; head: Buffer; fileName: string; allowed: Set<string> }): Promise<string> {
  const ext = extensionOf(args.fileName);
  if (DANGEROUS_EXTENSIONS.has(ext)) throw notAllowed(`Files named .${ext} are not accepted: they can run code when opened`);
  const detected = await fileTypeFromFile(args.path);
  let type: string;
  if (detected) {
    type = detected.mime === 'application/x-cfb' ? (CFB_BY_EXTENSION[ext] ?? detected.mime) : detected.mime;
  } else if (looksLikeText(args.head)) {
    type = ext === 'csv' ? 'text/csv' : ext === 'eml' ? 'message/rfc822' : 'text/plain';
  } else {
    throw notAllowed('The file type could not be recognised');
  }
  if (NEVER_ALLOWED.has(type) || !args.allowed.has(type)) throw notAllowed(`Files of type ${type} are not accepted`);
  return type;
}

/** Text: no NUL bytes, hardly any control characters, and not markup or a script in disguise. */
function looksLikeText(head: Buffer): boolean {
  let control = 0;
  for (const b of head) {
    if (b === 0) return false;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b) control++;
  }
  if (control > head.length / 100) return false;
  const start = head.subarray(0, 512).toString('latin1').replace(/^(?:\xef\xbb\xbf|\xfe\xff|\xff\xfe)/, '').trimStart();
  return !MARKUP_START.test(start);
}

/**
 * A file name safe to store and show: no directories, control or bidi-override characters (which
 * can make "invoice‮fdp.exe" read as a PDF), at most 255 characters keeping the extension.
 */
export function sanitizeFileName(raw: string): string {
  const base = raw.split(/[/\\]/).pop() ?? '';
  let name = base
    .normalize('NFC')
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g, '')
    .trim()
    .replace(/[. ]+$/, '');
  if (name === '' || name === '.' || name === '..') name = 'file';
  const chars = [...name];
  if (chars.length > 255) {
    const ext = extensionOf(name);
    const keep = ext && ext.length < 20 ? `.${ext}` : '';
    name = chars.slice(0, 255 - [...keep].length).join('') + keep;
  }
  return name;
}
