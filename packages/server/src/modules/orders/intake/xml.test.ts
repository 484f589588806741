import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseXml } from './xml.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const codes = (r: { problems: { code: string }[] }) => r.problems.map((p) => p.code);

describe('parseXml: the tree', () => {
  it('drops namespace prefixes, keeps attributes as @keys and every value as text', () => {
    const r = parseXml('<?xml version="1.0"?><?xml-stylesheet href="x.xsl"?><a:Order xmlns:a="urn:x" n="007"><a:Qty unit="EA">0012.50</a:Qty><a:Line>1</a:Line><a:Line>2</a:Line><!-- note --><Empty/></a:Order>');
    expect(r.problems).toEqual([]);
    expect(r.value).toEqual({ Order: { '@n': '007', Qty: { '#text': '0012.50', '@unit': 'EA' }, Line: ['1', '2'], Empty: '' } });
  });

  it('decodes the five predefined entities and character references, and leaves CDATA as written', () => {
    const r = parseXml('<a t="x &amp; y &#233;">&lt;b&gt; &quot;&apos; &#x20AC;<![CDATA[<raw> &amp;]]></a>');
    expect(r.value).toEqual({ a: { '#text': `<b> "' €<raw> &amp;`, '@t': 'x & y é' } });
  });

  it('reads the encoding from a BOM or the declaration', () => {
    const latin1 = Buffer.concat([Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><a>'), Buffer.from([0xe9]), Buffer.from('</a>')]);
    expect(parseXml(latin1).value).toEqual({ a: 'é' });
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<a>ü</a>', 'utf16le')]);
    expect(parseXml(utf16).value).toEqual({ a: 'ü' });
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<a>x</a>')]);
    expect(parseXml(bom).value).toEqual({ a: 'x' });
  });
});

describe('parseXml: hostile and broken bodies', () => {
  it('refuses an external entity (XXE) before parsing', () => {
    const r = parseXml('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>');
    expect(r).toEqual({ problems: [expect.objectContaining({ field: 'body', code: 'xml_dtd_forbidden' })] });
    expect(codes(parseXml(fixture('xxe.xml')))).toEqual(['xml_dtd_forbidden']);
    expect(codes(parseXml(fixture('xxe.xml'), { doctype: 'external-id' }))).toEqual(['xml_dtd_forbidden']);
  });

  it('refuses the billion laughs quickly, in both DOCTYPE modes', () => {
    const started = performance.now();
    expect(codes(parseXml(fixture('billion-laughs.xml')))).toEqual(['xml_dtd_forbidden']);
    expect(codes(parseXml(fixture('billion-laughs.xml'), { doctype: 'external-id' }))).toEqual(['xml_dtd_forbidden']);
    expect(performance.now() - started).toBeLessThan(250);
  });

  it('refuses DOCTYPE and ENTITY in any case, anywhere; tolerates only a bare external DOCTYPE when asked', () => {
    expect(codes(parseXml('<!doctype a><a/>'))).toEqual(['xml_dtd_forbidden']);
    expect(codes(parseXml('<a><!-- <!Entity x "y"> --></a>'))).toEqual(['xml_dtd_forbidden']);
    expect(codes(parseXml('<a/><!DOCTYPE a>'))).toEqual(['xml_dtd_forbidden']);
    const cxml = '<?xml version="1.0"?>\n<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">\n<cXML><x>1</x></cXML>';
    expect(codes(parseXml(cxml))).toEqual(['xml_dtd_forbidden']);
    expect(parseXml(cxml, { doctype: 'external-id' })).toEqual({ value: { cXML: { x: '1' } }, problems: [] });
    // An internal subset, a second DOCTYPE, or one after the root is still refused.
    expect(codes(parseXml('<!DOCTYPE cXML SYSTEM "cXML.dtd" [ ]><cXML/>', { doctype: 'external-id' }))).toEqual(['xml_dtd_forbidden']);
    expect(codes(parseXml('<!DOCTYPE a SYSTEM "a.dtd"><!DOCTYPE a SYSTEM "a.dtd"><a/>', { doctype: 'external-id' }))).toEqual(['xml_dtd_forbidden']);
    expect(codes(parseXml('<a/><!DOCTYPE a SYSTEM "a.dtd">', { doctype: 'external-id' }))).toEqual(['xml_dtd_forbidden']);
  });

  it('refuses a 10 MB body by its size, without decoding or parsing it', () => {
    const huge = Buffer.alloc(10 * 1024 * 1024, '<a>');
    const started = performance.now();
    const r = parseXml(huge);
    expect(performance.now() - started).toBeLessThan(50);
    expect(r).toEqual({ problems: [expect.objectContaining({ field: 'body', code: 'too_large' })] });
    expect(codes(parseXml('<a>12345</a>', { maxBytes: 10 }))).toEqual(['too_large']);
    expect(codes(parseXml('<a>1234</a>', { maxBytes: 11 }))).toEqual([]);
  });

  it('refuses 10,000 nested elements by depth, quickly', () => {
    const deep = '<a>'.repeat(10_000) + '</a>'.repeat(10_000);
    const started = performance.now();
    expect(codes(parseXml(deep))).toEqual(['too_deep']);
    expect(performance.now() - started).toBeLessThan(250);
    expect(codes(parseXml('<a><b><c/></b></a>', { maxDepth: 2 }))).toEqual([]);
    expect(codes(parseXml('<a><b><c></c></b></a>', { maxDepth: 2 }))).toEqual(['too_deep']);
    // '>' and '/>' inside attribute values do not confuse the depth count.
    expect(codes(parseXml('<a x="/>"><b y=\'>\'>t</b></a>', { maxDepth: 2 }))).toEqual([]);
  });

  it('reports malformed XML as one body problem with the line and column', () => {
    const r = parseXml('<Order>\n  <ID>1</ID>\n  <Line></Order>');
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ field: 'body', code: 'xml_malformed' });
    expect(r.problems[0].message).toMatch(/line 3/);
    for (const bad of ['', 'not xml at all', '<a>', '<a x=1></a>', '<a x="1" x="2"/>', '<a></b>', '<a/><b/>', '<a>&foo;</a>', '<a t="&nbsp;"/>', '<constructor>1</constructor>']) {
      const result = parseXml(bad);
      expect(result.value, bad).toBeUndefined();
      expect(codes(result), bad).toEqual(['xml_malformed']);
    }
    expect(codes(parseXml(Buffer.from([0x3c, 0x61, 0x3e, 0xff, 0xfe, 0x3c, 0x2f, 0x61, 0x3e])))).toEqual(['xml_malformed']);
    expect(codes(parseXml(Buffer.from('<?xml version="1.0" encoding="x-klingon"?><a/>')))).toEqual(['xml_malformed']);
  });

  it('never throws, whatever the bytes', () => {
    const samples = ['<', '<<<<', '<a', '<a b="', '<![CDATA[', '<!--', '<?xml', '</a>', '<a></a></a>', '&', '<a>&#xFFFFFFFF;</a>', '<a>&#0;</a>', '<__proto__/>'];
    for (const s of samples) expect(() => parseXml(s)).not.toThrow();
  });
});
