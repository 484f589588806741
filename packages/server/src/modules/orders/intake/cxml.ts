import { datePart, firstText, joinedText, select, textOf, type TreeObject, type TreeValue } from './tree.ts';
import { problem, type IntakeAddress, type IntakeLine, type IntakeOrder, type IntakeProblem, type IntakeResult } from './types.ts';

/**
 * cXML 1.2 `OrderRequest` → IntakeOrder. Reads a parsed tree (xml.ts; namespace prefixes already
 * gone). The buyer's order:
 *   cXML/Header/From/Credential/Identity            the buyer's identity (account number fallback)
 *   cXML/Request/OrderRequest/OrderRequestHeader    @orderID @orderDate @type (only "new" is taken)
 *     Total/Money@currency, ShipTo/Address, BillTo/Address, Contact (Name, Email), Comments,
 *     Extrinsic@name (the account number when the buyer sends it there)
 *   …/OrderRequest/ItemOut                          @quantity @lineNumber @requestedDeliveryDate,
 *     ItemID/SupplierPartID, ItemDetail/UnitPrice/Money, ItemDetail/Description, ItemDetail/UnitOfMeasure
 * The orderID is the buyer's purchase order number: it is both externalId and poNumber.
 */
export interface CxmlOptions {
  /** Extrinsic names that carry our account number, compared without case (default: the common ones below). */
  accountExtrinsics?: readonly string[];
  /** Header/From/Credential@domain whose Identity is the account number; by default the first From credential. */
  accountCredentialDomain?: string;
}

const DEFAULT_ACCOUNT_EXTRINSICS = ['AccountNumber', 'CustomerAccount', 'CustomerAccountNumber', 'CustomerNumber', 'CustomerID', 'SupplierAccountID'];

function address(node: TreeValue | undefined): IntakeAddress | undefined {
  if (node === undefined) return undefined;
  const postal = select(node, 'PostalAddress')[0];
  const result: IntakeAddress = {
    name: firstText(node, 'Name'),
    street: joinedText(postal, 'Street'),
    city: firstText(postal, 'City'),
    region: firstText(postal, 'State'),
    postalCode: firstText(postal, 'PostalCode'),
    country: firstText(postal, 'Country.@isoCountryCode') ?? firstText(node, '@isoCountryCode') ?? firstText(postal, 'Country'),
  };
  return Object.values(result).some((v) => v !== undefined) ? result : undefined;
}

function byName(nodes: TreeValue[], names: readonly string[]): string | undefined {
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  for (const node of nodes) {
    const name = firstText(node, '@name');
    if (name !== undefined && wanted.has(name.toLowerCase())) {
      const text = textOf(node);
      if (text !== undefined) return text;
    }
  }
  return undefined;
}

/** Maps a parsed cXML document; problems name IntakeOrder fields (or `body` for a wrong document). */
export function mapCxml(doc: TreeObject, options: CxmlOptions = {}): IntakeResult {
  const root = doc.cXML;
  if (root === undefined) return { problems: [problem('body', 'wrong_document', `Expected a cXML document; the root element is <${Object.keys(doc)[0]}>.`)] };
  const request = select(root, 'Request.OrderRequest')[0];
  if (request === undefined) return { problems: [problem('body', 'wrong_document', 'The cXML document has no Request/OrderRequest.')] };
  const header = select(request, 'OrderRequestHeader')[0];
  const problems: IntakeProblem[] = [];
  const type = firstText(header, '@type') ?? 'new';
  if (type !== 'new') problems.push(problem('body', 'unsupported_order_type', `cXML orders of type '${type}' are not taken; send changes as a new order or contact us.`));

  const orderId = firstText(header, '@orderID') ?? '';
  const shipTo = address(select(header, 'ShipTo.Address')[0]);
  const billTo = address(select(header, 'BillTo.Address')[0]);
  const contacts = select(header, 'Contact');
  const contact = contacts.find((c) => firstText(c, '@role') === 'buyer') ?? contacts[0];
  const credentials = select(root, 'Header.From.Credential');
  const credential = options.accountCredentialDomain
    ? credentials.find((c) => firstText(c, '@domain')?.toLowerCase() === options.accountCredentialDomain?.toLowerCase())
    : credentials[0];
  const accountNumber = byName(select(header, 'Extrinsic'), options.accountExtrinsics ?? DEFAULT_ACCOUNT_EXTRINSICS) ?? firstText(credential, 'Identity');
  const currency = firstText(header, 'Total.Money.@currency') ?? firstText(request, 'ItemOut.ItemDetail.UnitPrice.Money.@currency');

  const lines: IntakeLine[] = select(request, 'ItemOut').map((item, i) => {
    const priceCurrency = firstText(item, 'ItemDetail.UnitPrice.Money.@currency');
    if (priceCurrency !== undefined && currency !== undefined && priceCurrency !== currency) {
      problems.push(problem(`lines[${i}].unitPrice`, 'currency_mismatch', `The line is priced in ${priceCurrency}, the order in ${currency}.`));
    }
    return {
      lineNumber: firstText(item, '@lineNumber'),
      sku: firstText(item, 'ItemID.SupplierPartID') ?? '',
      description: firstText(item, 'ItemDetail.Description'),
      quantity: firstText(item, '@quantity') ?? '',
      unitPrice: firstText(item, 'ItemDetail.UnitPrice.Money'),
      uom: firstText(item, 'ItemDetail.UnitOfMeasure'),
      requestedDate: datePart(firstText(item, '@requestedDeliveryDate')),
    };
  });

  const order: IntakeOrder = {
    externalId: orderId,
    poNumber: orderId || undefined,
    orderDate: datePart(firstText(header, '@orderDate')),
    requestedDate: datePart(firstText(header, '@requestedDeliveryDate')),
    currency,
    customer: {
      accountNumber,
      name: billTo?.name ?? shipTo?.name,
      email: firstText(select(header, 'BillTo.Address')[0], 'Email'),
    },
    contactName: firstText(contact, 'Name'),
    contactEmail: firstText(contact, 'Email') ?? firstText(select(header, 'ShipTo.Address')[0], 'Email'),
    shipTo,
    notes: joinedText(header, 'Comments'),
    lines,
  };
  return { order, problems };
}
