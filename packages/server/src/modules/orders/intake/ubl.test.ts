import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mapUbl } from './ubl.ts';
import { parseXml } from './xml.ts';
import type { TreeObject } from './tree.ts';

const sample = readFileSync(new URL('./fixtures/ubl-order.xml', import.meta.url), 'utf8');
const tree = (xml: string) => parseXml(xml).value as TreeObject;

describe('mapUbl', () => {
  it('maps a UBL 2.1 Order (prefix-independent)', () => {
    const { order, problems } = mapUbl(tree(sample));
    expect(problems).toEqual([]);
    expect(order).toEqual({
      externalId: 'SO-88231',
      poNumber: 'HHN-PO-4471',
      orderDate: '2024-06-11',
      requestedDate: '2024-06-21',
      currency: 'EUR',
      customer: { accountNumber: 'C-20931', name: 'Harbor Health Network', email: 'mette.lund@harborhealth.org' },
      contactName: 'Mette Lund',
      contactEmail: 'mette.lund@harborhealth.org',
      shipTo: { name: 'Harbor Health — Central Stores', street: 'Sygehusvej 3\nBygning 7', city: 'Aarhus N', postalCode: '8200', region: 'Region Midtjylland', country: 'DK' },
      notes: 'Deliver to the loading bay at the rear of the building.',
      lines: [
        // 18.00 per 100 → 0.18 each
        { lineNumber: '1', sku: 'WB-LBL-WHT', description: 'Wristband labels', quantity: '2000', unitPrice: '0.18', uom: 'C62', requestedDate: undefined },
        { lineNumber: '2', sku: 'BAG-SPEC-500', description: 'Specimen bags, printed, box of 500', quantity: '4', unitPrice: '32.95', uom: 'BX', requestedDate: '2024-06-28' },
      ],
    });
    const otherPrefixes = sample.replaceAll('cbc:', 'b:').replaceAll('xmlns:cbc', 'xmlns:b').replaceAll('cac:', 'agg:').replaceAll('xmlns:cac', 'xmlns:agg');
    expect(mapUbl(tree(otherPrefixes)).order).toEqual(mapUbl(tree(sample)).order);
  });

  it('falls back: party id for the account, order ID for the PO, standard item id for the sku, DeliveryAddress', () => {
    const xml = `<Order><ID>77</ID><BuyerCustomerParty><Party><PartyIdentification><ID>GLN-1</ID></PartyIdentification></Party></BuyerCustomerParty>
      <Delivery><DeliveryAddress><CityName>Oslo</CityName></DeliveryAddress></Delivery>
      <OrderLine><LineItem><ID>1</ID><Quantity>3</Quantity><Item><StandardItemIdentification><ID schemeID="0160">7312345678904</ID></StandardItemIdentification></Item></LineItem></OrderLine></Order>`;
    const { order } = mapUbl(tree(xml));
    expect(order).toMatchObject({ externalId: '77', poNumber: '77', customer: { accountNumber: 'GLN-1' }, shipTo: { city: 'Oslo' }, lines: [{ sku: '7312345678904', quantity: '3' }] });
  });

  it('refuses another document and reports a line priced in another currency', () => {
    expect(mapUbl(tree('<Invoice><ID>1</ID></Invoice>')).problems).toMatchObject([{ field: 'body', code: 'wrong_document' }]);
    const mixed = sample.replace('<cbc:PriceAmount currencyID="EUR">32.95', '<cbc:PriceAmount currencyID="DKK">32.95');
    expect(mapUbl(tree(mixed)).problems).toMatchObject([{ field: 'lines[1].unitPrice', code: 'currency_mismatch' }]);
  });
});
