import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkMapping, parseCustom } from './mapping.ts';
import { jsonMapping, xmlMapping } from './fixtures/mappings.ts';
import { parseJson } from './json.ts';
import { select } from './tree.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

describe('custom mappings', () => {
  it('maps a JSON order, keeping numbers as the text that was sent', () => {
    const { order, problems } = parseCustom(fixture('custom-order.json'), jsonMapping);
    expect(problems).toEqual([]);
    expect(order).toMatchObject({
      externalId: 'WEB-100234',
      poNumber: 'PO 5521',
      orderDate: '2024-06-12',
      currency: 'usd',
      customer: { accountNumber: 'C-10482', name: 'Atlas Manufacturing Inc.', email: 'orders@atlas-mfg.com' },
      shipTo: { name: 'Atlas Manufacturing — Plant 2', street: '4100 Industrial Parkway', city: 'Dayton', region: 'OH', postalCode: '45414', country: 'US' },
      notes: 'Leave at reception if the dock is closed.',
      lines: [
        { sku: 'BC-STD-500', description: 'Business cards, 500, matte', quantity: '3', unitPrice: '42.50' },
        { sku: 'FLY-A5-1000', description: 'A5 flyers, 1000', quantity: '1', unitPrice: '119.00' },
      ],
    });
  });

  it('maps an XML order with attributes, prefixes in the path or not, and a single item as one line', () => {
    const { order, problems } = parseCustom(fixture('custom-order.xml'), xmlMapping);
    expect(problems).toEqual([]);
    expect(order).toMatchObject({
      externalId: 'WEB-100235',
      orderDate: '2024-06-12',
      currency: 'USD',
      customer: { accountNumber: 'C-20931', name: 'Riverside School District', email: 'purchasing@riverside-sd.org' },
      lines: [{ sku: 'POSTER-A2-GLOSS', quantity: '40', unitPrice: '3.10', description: 'A2 posters, gloss' }],
    });
  });

  it('follows [n] indexes and reaches into every element of an array', () => {
    const { value } = parseJson('{"orders":[{"id":"a","items":[{"sku":"x"},{"sku":"y"}]},{"id":"b","items":{"sku":"z"}}]}');
    expect(select(value, 'orders.id')).toEqual(['a', 'b']);
    expect(select(value, 'orders[1].id')).toEqual(['b']);
    expect(select(value, 'orders.items.sku')).toEqual(['x', 'y', 'z']);
    expect(select(value, 'orders[0].items[1].sku')).toEqual(['y']);
    expect(select(value, 'orders[1].items[0].sku')).toEqual(['z']); // a single object counts as an array of one
    expect(select(value, 'orders[5].id')).toEqual([]);
    expect(select(parseJson('[{"id":"r"}]').value, '[0].id')).toEqual(['r']);
    expect(select(value, 'orders.__proto__')).toEqual([]);
  });

  it('says which mapped path is missing from the body', () => {
    const body = JSON.stringify({ order: { items: [{ title: 'no sku', qty: 1 }] } });
    const { problems } = parseCustom(Buffer.from(body), jsonMapping);
    expect(problems).toEqual([
      { field: 'externalId', code: 'required', message: "The order id is missing: nothing at 'order.id'." },
      { field: 'lines[0].sku', code: 'required', message: "Line 1 has no sku: nothing at 'sku'." },
    ]);
    expect(parseCustom(Buffer.from('{"order":{"id":"1"}}'), jsonMapping).problems).toMatchObject([{ field: 'lines', code: 'required' }]);
  });
});

describe('checkMapping', () => {
  it('accepts the examples', () => {
    expect(checkMapping(jsonMapping)).toEqual([]);
    expect(checkMapping(xmlMapping)).toEqual([]);
  });

  it("names the definition's own paths", () => {
    const problems = checkMapping({
      format: 'json',
      fields: { poNumber: 'order..po', colour: 'x', currency: 'order.currency.@code', notes: 7 },
      lines: { path: 'order.items.@x', fields: { quantity: 'qty[a]', unitPrice: '' } },
      extra: true,
    });
    expect(problems.map((p) => `${p.field} ${p.code}`)).toEqual([
      'fields.poNumber invalid_path',
      'fields.colour unknown_field',
      'fields.currency invalid_path',
      'fields.notes invalid',
      'fields.externalId required',
      'lines.path invalid_path',
      'lines.fields.quantity invalid_path',
      'lines.fields.unitPrice invalid_path',
      'lines.fields.sku required',
      'extra unknown_field',
    ]);
    expect(checkMapping(null)).toMatchObject([{ field: 'mapping', code: 'invalid' }]);
    expect(checkMapping({ format: 'csv', fields: {}, lines: {} }).map((p) => p.field)).toEqual(['format', 'fields.externalId', 'lines.path', 'lines.fields', ]);
    expect(checkMapping({ ...xmlMapping, fields: { externalId: 'Order.@id.x' } })).toMatchObject([{ field: 'fields.externalId', code: 'invalid_path' }]);
  });

  it('an invalid mapping stops parsing with mapping problems', () => {
    const r = parseCustom(fixture('custom-order.json'), { ...jsonMapping, format: 'yaml' });
    expect(r.order).toBeUndefined();
    expect(r.problems).toMatchObject([{ field: 'mapping.format', code: 'invalid' }]);
  });
});

describe('parseJson: hostile and broken bodies', () => {
  it('reports malformed JSON as one body problem', () => {
    for (const bad of ['', '{', '{"a":1,}', "{'a':1}", 'null', '"text"', '12', '{"a":1}{"b":2}', '[1,2']) {
      const r = parseJson(bad);
      expect(r.value, bad).toBeUndefined();
      expect(r.problems, bad).toMatchObject([{ field: 'body', code: 'json_malformed' }]);
    }
    expect(parseJson('{\n  "a": 1,\n  "b": }').problems[0].message).toBe("Malformed JSON: Unexpected token '}'.");
    expect(parseJson('{\n  "a": 1\n  "b": 2}').problems[0].message).toBe("Malformed JSON: Expected ',' or '}' after property value at line 3, column 3.");
    expect(parseJson(Buffer.from([0x7b, 0xff, 0x7d])).problems).toMatchObject([{ code: 'json_malformed' }]);
  });

  it('refuses a body over the size limit and nesting over the depth limit, quickly', () => {
    const huge = Buffer.alloc(10 * 1024 * 1024, '[');
    let started = performance.now();
    expect(parseJson(huge).problems).toMatchObject([{ code: 'too_large' }]);
    expect(performance.now() - started).toBeLessThan(50);
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    started = performance.now();
    expect(parseJson(deep).problems).toMatchObject([{ code: 'too_deep' }]);
    expect(performance.now() - started).toBeLessThan(50);
    expect(parseJson('{"a":"[[[[[[["}', { maxDepth: 1 }).problems).toEqual([]);
    expect(parseJson('{"a":"\\"[[["}', { maxDepth: 1 }).problems).toEqual([]);
    expect(parseJson('{"a":[{}]}', { maxDepth: 2 }).problems).toMatchObject([{ code: 'too_deep' }]);
  });

  it('keeps big and precise numbers exactly as sent', () => {
    expect(parseJson('{"q":0.1000000000000000000001,"n":12345678901234567890,"t":true,"z":null}').value).toEqual({ q: '0.1000000000000000000001', n: '12345678901234567890', t: 'true' });
  });
});
