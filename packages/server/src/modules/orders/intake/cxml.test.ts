import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mapCxml } from './cxml.ts';
import { parseXml } from './xml.ts';
import type { TreeObject } from './tree.ts';

const sample = readFileSync(new URL('./fixtures/cxml-order-request.xml', import.meta.url), 'utf8');
const tree = (xml: string) => {
  const r = parseXml(xml, { doctype: 'external-id' });
  expect(r.problems).toEqual([]);
  return r.value as TreeObject;
};

describe('mapCxml', () => {
  it('maps a cXML 1.2 OrderRequest', () => {
    const { order, problems } = mapCxml(tree(sample));
    expect(problems).toEqual([]);
    expect(order).toMatchObject({
      externalId: 'PO-2024-00917',
      poNumber: 'PO-2024-00917',
      orderDate: '2024-06-10',
      currency: 'USD',
      customer: { accountNumber: 'C-10482', name: 'Atlas Manufacturing Inc.', email: 'ap@atlas-mfg.com' },
      contactName: 'Dana Whitfield',
      contactEmail: 'dana.whitfield@atlas-mfg.com',
      shipTo: { name: 'Atlas Manufacturing — Plant 2', street: '4100 Industrial Parkway\nBuilding C', city: 'Dayton', region: 'OH', postalCode: '45414', country: 'US' },
      notes: 'Please deliver before noon & call the dock 30 minutes ahead.',
    });
    expect(order?.lines).toEqual([
      { lineNumber: '1', sku: 'LBL-4X6-THERM', description: 'Thermal shipping labels 4" x 6", roll of 1000', quantity: '500', unitPrice: '1.85', uom: 'RL', requestedDate: '2024-06-18' },
      { lineNumber: '2', sku: 'TAPE-PKG-48', description: 'Packing tape 48 mm, case of 36', quantity: '12.5', unitPrice: '24.00', uom: 'CS', requestedDate: '2024-06-20' },
    ]);
  });

  it('takes the account number from the From credential when no extrinsic carries it, or from a named one', () => {
    const withoutExtrinsic = sample.replace('<Extrinsic name="CustomerNumber">C-10482</Extrinsic>', '');
    expect(mapCxml(tree(withoutExtrinsic)).order?.customer.accountNumber).toBe('AN01000123456');
    expect(mapCxml(tree(sample), { accountExtrinsics: ['costcenter'] }).order?.customer.accountNumber).toBe('PLANT2-MAINT');
    expect(mapCxml(tree(withoutExtrinsic), { accountCredentialDomain: 'duns' }).order?.customer.accountNumber).toBeUndefined();
  });

  it('keeps a single ItemOut as one line and reports what is missing as empty text for validation', () => {
    const xml = '<cXML><Request><OrderRequest><OrderRequestHeader orderDate="2024-01-05"/><ItemOut lineNumber="1"><ItemID/></ItemOut></OrderRequest></Request></cXML>';
    const { order, problems } = mapCxml(tree(xml));
    expect(problems).toEqual([]);
    expect(order).toMatchObject({ externalId: '', orderDate: '2024-01-05', lines: [{ lineNumber: '1', sku: '', quantity: '' }] });
  });

  it('refuses other documents, order updates and lines priced in another currency', () => {
    expect(mapCxml(tree('<Order/>')).problems).toMatchObject([{ field: 'body', code: 'wrong_document' }]);
    expect(mapCxml(tree('<cXML><Request><ProfileRequest/></Request></cXML>')).problems).toMatchObject([{ field: 'body', code: 'wrong_document' }]);
    expect(mapCxml(tree(sample.replace('type="new"', 'type="update"'))).problems).toMatchObject([{ field: 'body', code: 'unsupported_order_type' }]);
    const mixed = sample.replace('<Money currency="USD">24.00</Money>', '<Money currency="EUR">24.00</Money>');
    expect(mapCxml(tree(mixed)).problems).toMatchObject([{ field: 'lines[1].unitPrice', code: 'currency_mismatch' }]);
  });
});
