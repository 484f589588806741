import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { DEFAULT_MAX_DEPTH, problem, sizeProblem, type IntakeLimits, type IntakeProblem } from './types.ts';
import type { TreeObject } from './tree.ts';

/**
 * Hardened XML → plain tree (tree.ts). Everything dangerous is refused by looking at the text
 * before a parser sees it, so a hostile body costs one linear scan:
 * - over the byte limit → `too_large`, before the bytes are even decoded;
 * - any `<!DOCTYPE` or `<!ENTITY` → `xml_dtd_forbidden` (no DTD, so no external entities — XXE —
 *   and no entity expansion — billion laughs). With `doctype: 'external-id'` a bare
 *   `<!DOCTYPE cXML SYSTEM "…cXML.dtd">` (no internal subset) is blanked out and never loaded:
 *   cXML senders always put one there;
 * - nesting deeper than the limit → `too_deep`; a reference to any entity but the five XML
 *   predefined ones, or a second root element → `xml_malformed`;
 * then the validator reports other malformed XML with line and column (`xml_malformed`).
 * Processing instructions and comments are dropped, namespace prefixes are removed from names
 * (`cac:OrderLine` → `OrderLine`), and no value is converted: every text stays a string.
 */

export interface XmlOptions extends IntakeLimits {
  /** 'forbid' (default): any DOCTYPE is refused. 'external-id': a DOCTYPE naming only an external DTD is ignored. */
  doctype?: 'forbid' | 'external-id';
}

export interface XmlResult {
  /** The document: one key, the root element's local name. */
  value?: TreeObject;
  problems: IntakeProblem[];
}

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const REFERENCE = /&(?:#x([0-9a-fA-F]{1,6})|#([0-9]{1,7})|(amp|lt|gt|quot|apos));/g;
const ANY_AMPERSAND = /&(?!(?:#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|amp|lt|gt|quot|apos);)/;

function decodeReferences(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(REFERENCE, (all, hex: string | undefined, dec: string | undefined, name: string | undefined) => {
    if (name) return PREDEFINED[name];
    const code = parseInt(hex ?? dec ?? '', hex ? 16 : 10);
    return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : all;
  });
}

/** The parser's entity hook: the five predefined entities and character references, nothing else. */
const entityDecoder = {
  setExternalEntities() {},
  addInputEntities() {},
  reset() {},
  setXmlVersion() {},
  decode: decodeReferences,
};

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
  entityDecoder,
  ignoreDeclaration: true,
  ignorePiTags: true,
  allowBooleanAttributes: false,
  // The scan below already enforces the configured depth; this is the parser's own backstop.
  maxNestedTags: 10_000,
});

/** Reads the bytes as text: a BOM, else the declaration's encoding, else UTF-8; invalid bytes are an error. */
function decode(body: Buffer): string | IntakeProblem {
  let encoding = 'utf-8';
  let start = 0;
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) start = 3;
  else if (body[0] === 0xff && body[1] === 0xfe) (encoding = 'utf-16le'), (start = 2);
  else if (body[0] === 0xfe && body[1] === 0xff) (encoding = 'utf-16be'), (start = 2);
  else {
    const head = body.subarray(0, 200).toString('latin1');
    const declared = /^\s*<\?xml[^>]*\sencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head);
    if (declared) encoding = declared[1].toLowerCase();
  }
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(body.subarray(start));
  } catch (error) {
    return error instanceof RangeError && /encoding/i.test(error.message)
      ? problem('body', 'xml_malformed', `The XML encoding '${encoding}' is not supported.`)
      : problem('body', 'xml_malformed', `The body is not valid ${encoding.toUpperCase()} text.`);
  }
}

function lineColumn(text: string, index: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) (line += 1), (lineStart = i + 1);
  return `line ${line}, column ${index - lineStart + 1}`;
}

const BARE_DOCTYPE = /<!DOCTYPE\s+[A-Za-z_][\w:.-]*(?:\s+(?:SYSTEM\s+(?:"[^"[\]<>]*"|'[^'[\]<>]*')|PUBLIC\s+(?:"[^"<>]*"|'[^'<>]*')\s+(?:"[^"[\]<>]*"|'[^'[\]<>]*')))?\s*>/iy;

/** Refuses DTDs; with 'external-id', blanks a bare DOCTYPE in the prolog (same length, so positions stay right). */
function stripDoctype(text: string, mode: 'forbid' | 'external-id'): string | IntakeProblem {
  const forbidden = problem('body', 'xml_dtd_forbidden', 'Document type declarations and entities are not accepted (no DOCTYPE, no ENTITY).');
  if (/<!ENTITY/i.test(text)) return forbidden;
  const at = text.search(/<!DOCTYPE/i);
  if (at === -1) return text;
  if (mode === 'forbid') return forbidden;
  BARE_DOCTYPE.lastIndex = at;
  const m = BARE_DOCTYPE.exec(text);
  const prolog = text.slice(0, at).replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->/g, '');
  if (!m || prolog.trim() !== '' || /<!DOCTYPE/i.test(text.slice(at + m[0].length))) return forbidden;
  return text.slice(0, at) + ' '.repeat(m[0].length) + text.slice(at + m[0].length);
}

/**
 * One pass over the markup: nesting depth, entity references and a single root element. Leaves
 * everything else (unclosed tags, bad attributes) to the validator.
 */
function scan(text: string, maxDepth: number): IntakeProblem | undefined {
  let depth = 0;
  let roots = 0;
  let i = 0;
  const malformed = (at: number, message: string) => problem('body', 'xml_malformed', `Malformed XML at ${lineColumn(text, at)}: ${message}`);
  const badReference = (segment: string, offset: number) => {
    const m = ANY_AMPERSAND.exec(segment);
    return m ? malformed(offset + m.index, `'${segment.slice(m.index, m.index + 20).split(/[\s<]/)[0]}' is not one of the five predefined entities or a character reference.`) : undefined;
  };
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const end = lt === -1 ? text.length : lt;
    if (end > i) {
      const bad = badReference(text.slice(i, end), i);
      if (bad) return bad;
    }
    if (lt === -1) break;
    const skipTo = (terminator: string) => {
      const close = text.indexOf(terminator, lt);
      return close === -1 ? text.length : close + terminator.length;
    };
    if (text.startsWith('<!--', lt)) i = skipTo('-->');
    else if (text.startsWith('<![CDATA[', lt)) i = skipTo(']]>');
    else if (text.startsWith('<?', lt)) i = skipTo('?>');
    else if (text.startsWith('<!', lt)) i = skipTo('>');
    else {
      // A tag: find its '>' outside quoted attribute values.
      let j = lt + 1;
      let quote = '';
      for (; j < text.length; j += 1) {
        const c = text[j];
        if (quote) {
          if (c === quote) quote = '';
        } else if (c === '"' || c === "'") quote = c;
        else if (c === '>') break;
      }
      if (j >= text.length) return undefined; // unclosed tag: the validator says where
      const tag = text.slice(lt, j + 1);
      const bad = badReference(tag, lt);
      if (bad) return bad;
      if (tag[1] === '/') depth -= 1;
      else {
        if (depth === 0 && ++roots > 1) return malformed(lt, 'a document has exactly one root element.');
        if (tag[tag.length - 2] !== '/') {
          depth += 1;
          if (depth > maxDepth) return problem('body', 'too_deep', `The XML nests elements deeper than ${maxDepth} levels.`);
        }
      }
      i = j + 1;
    }
  }
  return undefined;
}

/** Parses an XML body with the limits above; never throws. */
export function parseXml(body: Buffer | string, options: XmlOptions = {}): XmlResult {
  const tooLarge = sizeProblem(body, options);
  if (tooLarge) return { problems: [tooLarge] };
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const decoded = typeof body === 'string' ? body : decode(body);
  if (typeof decoded !== 'string') return { problems: [decoded] };
  const text = stripDoctype(decoded, options.doctype ?? 'forbid');
  if (typeof text !== 'string') return { problems: [text] };
  if (text.trim() === '') return { problems: [problem('body', 'xml_malformed', 'The body is empty.')] };
  const scanned = scan(text, maxDepth);
  if (scanned) return { problems: [scanned] };
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (valid !== true) {
    const { line, col, msg } = valid.err;
    const where = col === undefined ? `line ${line}` : `line ${line}, column ${col}`;
    return { problems: [problem('body', 'xml_malformed', `Malformed XML at ${where}: ${msg}`)] };
  }
  try {
    const value = parser.parse(text) as TreeObject;
    if (Object.keys(value).length !== 1) return { problems: [problem('body', 'xml_malformed', 'The XML has no root element.')] };
    return { value, problems: [] };
  } catch (error) {
    return { problems: [problem('body', 'xml_malformed', `Malformed XML: ${(error as Error).message}`)] };
  }
}
