import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIntakeBody } from './parse.ts';
import { jsonMapping, xmlMapping } from './fixtures/mappings.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const codes = (r: { problems: { field: string; code: string }[] }) => r.problems.map((p) => `${p.field} ${p.code}`);

describe('parseIntakeBody', () => {
  it('reads the cXML, UBL and custom samples into valid orders', () => {
    const cxml = parseIntakeBody({ body: fixture('cxml-order-request.xml'), contentType: 'text/xml; charset=UTF-8', format: 'cxml' });
    expect(cxml.problems).toEqual([]);
    expect(cxml.order).toMatchObject({ externalId: 'PO-2024-00917', lines: [{ sku: 'LBL-4X6-THERM' }, { sku: 'TAPE-PKG-48' }] });
    const ubl = parseIntakeBody({ body: fixture('ubl-order.xml'), contentType: 'application/xml', format: 'ubl' });
    expect(ubl.problems).toEqual([]);
    expect(ubl.order).toMatchObject({ externalId: 'SO-88231', currency: 'EUR' });
    const json = parseIntakeBody({ body: fixture('custom-order.json'), contentType: 'application/json', format: 'custom', mapping: jsonMapping });
    expect(json.problems).toEqual([]);
    expect(json.order).toMatchObject({ externalId: 'WEB-100234', currency: 'USD' }); // normalized
    const xml = parseIntakeBody({ body: fixture('custom-order.xml'), format: 'custom', mapping: xmlMapping });
    expect(xml.problems).toEqual([]);
    expect(xml.order?.lines).toEqual([{ sku: 'POSTER-A2-GLOSS', description: 'A2 posters, gloss', quantity: '40', unitPrice: '3.10' }]);
  });

  it('refuses XXE and billion laughs in every XML format, and a UBL body with a DOCTYPE', () => {
    for (const format of ['cxml', 'ubl'] as const) {
      for (const name of ['xxe.xml', 'billion-laughs.xml']) {
        expect(parseIntakeBody({ body: fixture(name), format })).toEqual({ problems: [expect.objectContaining({ field: 'body', code: 'xml_dtd_forbidden' })] });
      }
    }
    expect(codes(parseIntakeBody({ body: fixture('xxe.xml'), format: 'custom', mapping: xmlMapping }))).toEqual(['body xml_dtd_forbidden']);
    const ublWithDoctype = Buffer.from(fixture('ubl-order.xml').toString().replace('<Order ', '<!DOCTYPE Order SYSTEM "order.dtd">\n<Order '));
    expect(codes(parseIntakeBody({ body: ublWithDoctype, format: 'ubl' }))).toEqual(['body xml_dtd_forbidden']);
  });

  it('refuses a 10 MB body at once, whatever the format', () => {
    const huge = Buffer.alloc(10 * 1024 * 1024, ' ');
    const started = performance.now();
    for (const format of ['cxml', 'ubl', 'custom'] as const) {
      expect(codes(parseIntakeBody({ body: huge, format, mapping: jsonMapping }))).toEqual(['body too_large']);
    }
    expect(performance.now() - started).toBeLessThan(50);
    expect(codes(parseIntakeBody({ body: fixture('ubl-order.xml'), format: 'ubl', limits: { maxBytes: 1000 } }))).toEqual(['body too_large']);
  });

  it('refuses deep nesting, malformed XML and malformed JSON with one body problem', () => {
    const deep = Buffer.from('<cXML>' + '<a>'.repeat(10_000) + '</a>'.repeat(10_000) + '</cXML>');
    expect(codes(parseIntakeBody({ body: deep, format: 'cxml' }))).toEqual(['body too_deep']);
    expect(codes(parseIntakeBody({ body: Buffer.from('<Order><ID>1</ID>'), format: 'ubl' }))).toEqual(['body xml_malformed']);
    expect(codes(parseIntakeBody({ body: Buffer.from('{"order": {"id": "1",}}'), format: 'custom', mapping: jsonMapping }))).toEqual(['body json_malformed']);
    const deepJson = Buffer.from('{"order":' + '['.repeat(10_000) + ']'.repeat(10_000) + '}');
    expect(codes(parseIntakeBody({ body: deepJson, format: 'custom', mapping: jsonMapping }))).toEqual(['body too_deep']);
  });

  it('checks the content type against the format, and needs a mapping for custom', () => {
    expect(codes(parseIntakeBody({ body: fixture('custom-order.json'), contentType: 'application/json', format: 'cxml' }))).toEqual(['body unsupported_media_type']);
    expect(codes(parseIntakeBody({ body: fixture('custom-order.json'), contentType: 'text/xml', format: 'custom', mapping: jsonMapping }))).toEqual(['body unsupported_media_type']);
    expect(codes(parseIntakeBody({ body: fixture('custom-order.json'), contentType: 'text/csv', format: 'custom', mapping: jsonMapping }))).toEqual(['body unsupported_media_type']);
    expect(codes(parseIntakeBody({ body: fixture('custom-order.json'), format: 'custom' }))).toEqual(['mapping required']);
    expect(codes(parseIntakeBody({ body: fixture('custom-order.json'), format: 'custom', mapping: { format: 'json' } }))).toEqual([
      'mapping.fields invalid',
      'mapping.lines invalid',
    ]);
  });

  it('validates what it read: negative and zero quantities, a missing sku — and keeps the order for the report', () => {
    const xml = fixture('cxml-order-request.xml').toString().replace('quantity="500"', 'quantity="-5"').replace('quantity="12.5"', 'quantity="0"').replace('<SupplierPartID>TAPE-PKG-48</SupplierPartID>', '');
    const r = parseIntakeBody({ body: Buffer.from(xml), format: 'cxml' });
    expect(codes(r)).toEqual(['lines[0].quantity not_positive', 'lines[1].sku required', 'lines[1].quantity not_positive']);
    expect(r.order?.externalId).toBe('PO-2024-00917');
    const json = JSON.stringify({ order: { id: 'W1', items: [{ sku: 'A', qty: -2 }, { qty: 1 }] } });
    expect(codes(parseIntakeBody({ body: Buffer.from(json), format: 'custom', mapping: jsonMapping }))).toEqual(['lines[1].sku required', 'lines[0].quantity not_positive']);
  });

  it('property: never throws, whatever the bytes, for every format', () => {
    const token = fc.constantFrom('<', '>', '/', '</a>', '<a>', '<a x="1">', '<!--', '-->', '<![CDATA[', ']]>', '<?xml version="1.0"?>', '&amp;', '&', '&#', ';', '"', "'", '{', '}', '[', ']', ':', ',', '"id"', '1', '-2', 'order', '\n');
    const text = fc.array(token, { maxLength: 60 }).map((parts) => parts.join(''));
    const body = fc.oneof(fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)), text.map((t) => Buffer.from(t)));
    fc.assert(
      fc.property(body, fc.constantFrom('cxml', 'ubl', 'custom-json', 'custom-xml'), (bytes, kind) => {
        const format = kind.startsWith('custom') ? 'custom' : (kind as 'cxml' | 'ubl');
        const mapping = kind === 'custom-xml' ? xmlMapping : jsonMapping;
        const result = parseIntakeBody({ body: bytes, format, mapping });
        expect(Array.isArray(result.problems)).toBe(true);
        if (!result.order) expect(result.problems.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });
});
