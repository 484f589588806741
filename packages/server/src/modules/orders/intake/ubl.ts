import { Decimal } from '../../billing/index.ts';
import { datePart, firstText, joinedText, select, type TreeObject, type TreeValue } from './tree.ts';
import { problem, type IntakeAddress, type IntakeLine, type IntakeOrder, type IntakeProblem, type IntakeResult } from './types.ts';

/**
 * UBL 2.1 `Order` → IntakeOrder. Reads a parsed tree (xml.ts; `cbc:`/`cac:` prefixes already gone):
 *   ID (externalId), IssueDate, DocumentCurrencyCode, Note, CustomerReference or
 *   OrderReference/ID or OrderDocumentReference/ID (the PO; else the order ID itself — a UBL Order's
 *   ID is the buyer's order number),
 *   BuyerCustomerParty: SupplierAssignedAccountID (the account number we gave the buyer) or
 *     Party/PartyIdentification/ID, Party/PartyName/Name, Party/Contact (Name, ElectronicMail),
 *   Delivery: DeliveryAddress or DeliveryLocation/Address, DeliveryParty/PartyName/Name,
 *     RequestedDeliveryPeriod/EndDate (else StartDate),
 *   OrderLine/LineItem: ID, Quantity@unitCode, Price/PriceAmount (÷ Price/BaseQuantity when that
 *     is not 1), Item/Name or Item/Description, Item/SellersItemIdentification/ID (else
 *     StandardItemIdentification/ID, else BuyersItemIdentification/ID), Delivery/RequestedDeliveryPeriod.
 */

function address(node: TreeValue | undefined): IntakeAddress | undefined {
  if (node === undefined) return undefined;
  const streetName = firstText(node, 'StreetName');
  const building = firstText(node, 'BuildingNumber');
  const firstLine = streetName && building ? `${streetName} ${building}` : streetName;
  const street = [firstLine, firstText(node, 'AdditionalStreetName'), joinedText(node, 'AddressLine.Line')].filter(Boolean).join('\n');
  const result: IntakeAddress = {
    street: street || undefined,
    city: firstText(node, 'CityName'),
    postalCode: firstText(node, 'PostalZone'),
    region: firstText(node, 'CountrySubentity'),
    country: firstText(node, 'Country.IdentificationCode'),
  };
  return Object.values(result).some((v) => v !== undefined) ? result : undefined;
}

function requestedDate(delivery: TreeValue | undefined): string | undefined {
  return datePart(firstText(delivery, 'RequestedDeliveryPeriod.EndDate') ?? firstText(delivery, 'RequestedDeliveryPeriod.StartDate'));
}

/** The price of one unit: PriceAmount per BaseQuantity (UBL prices may be per 100 or per box). */
function unitPrice(price: TreeValue | undefined): string | undefined {
  const amount = firstText(price, 'PriceAmount');
  const base = firstText(price, 'BaseQuantity');
  if (amount === undefined || base === undefined) return amount;
  try {
    const perBase = new Decimal(base);
    if (perBase.eq(1) || perBase.lte(0)) return amount;
    return new Decimal(amount).div(perBase).toDecimalPlaces(6).toString();
  } catch {
    return amount; // not a number: validation reports it
  }
}

/** Maps a parsed UBL document; problems name IntakeOrder fields (or `body` for a wrong document). */
export function mapUbl(doc: TreeObject): IntakeResult {
  const root = doc.Order;
  if (root === undefined) return { problems: [problem('body', 'wrong_document', `Expected a UBL Order; the root element is <${Object.keys(doc)[0]}>.`)] };
  const problems: IntakeProblem[] = [];
  const currency = firstText(root, 'DocumentCurrencyCode');
  const buyer = select(root, 'BuyerCustomerParty')[0];
  const party = select(buyer, 'Party')[0];
  const delivery = select(root, 'Delivery')[0];
  const shipAddress = address(select(delivery, 'DeliveryAddress')[0] ?? select(delivery, 'DeliveryLocation.Address')[0]);
  const shipName = firstText(delivery, 'DeliveryParty.PartyName.Name');
  const shipTo = shipAddress || shipName ? { name: shipName, ...shipAddress } : undefined;
  const id = firstText(root, 'ID') ?? '';

  const lines: IntakeLine[] = select(root, 'OrderLine').map((orderLine, i) => {
    const item = select(orderLine, 'LineItem')[0];
    const priceCurrency = firstText(item, 'Price.PriceAmount.@currencyID');
    if (priceCurrency !== undefined && currency !== undefined && priceCurrency !== currency) {
      problems.push(problem(`lines[${i}].unitPrice`, 'currency_mismatch', `The line is priced in ${priceCurrency}, the order in ${currency}.`));
    }
    return {
      lineNumber: firstText(item, 'ID'),
      sku:
        firstText(item, 'Item.SellersItemIdentification.ID') ??
        firstText(item, 'Item.StandardItemIdentification.ID') ??
        firstText(item, 'Item.BuyersItemIdentification.ID') ??
        '',
      description: firstText(item, 'Item.Name') ?? firstText(item, 'Item.Description'),
      quantity: firstText(item, 'Quantity') ?? '',
      unitPrice: unitPrice(select(item, 'Price')[0]),
      uom: firstText(item, 'Quantity.@unitCode'),
      requestedDate: requestedDate(select(item, 'Delivery')[0]),
    };
  });

  const order: IntakeOrder = {
    externalId: id,
    poNumber: firstText(root, 'CustomerReference') ?? firstText(root, 'OrderReference.ID') ?? firstText(root, 'OrderDocumentReference.ID') ?? (id || undefined),
    orderDate: datePart(firstText(root, 'IssueDate')),
    requestedDate: requestedDate(delivery),
    currency,
    customer: {
      accountNumber: firstText(buyer, 'SupplierAssignedAccountID') ?? firstText(party, 'PartyIdentification.ID'),
      name: firstText(party, 'PartyName.Name') ?? firstText(party, 'PartyLegalEntity.RegistrationName'),
      email: firstText(party, 'Contact.ElectronicMail'),
    },
    contactName: firstText(party, 'Contact.Name') ?? firstText(buyer, 'BuyerContact.Name'),
    contactEmail: firstText(party, 'Contact.ElectronicMail') ?? firstText(buyer, 'BuyerContact.ElectronicMail'),
    shipTo,
    notes: joinedText(root, 'Note'),
    lines,
  };
  return { order, problems };
}
