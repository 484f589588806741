import { T } from '../../platform/http/schema/common.ts';
import type { TSchema } from '@sinclair/typebox';

/** The portal's answers (declared once: validation, OpenAPI, the web app's types, the test servers' answer check). */
export const N = <S extends TSchema>(s: S) => T.Union([s, T.Null()]);
const Str = T.String();
const Amount = T.String({ description: 'A decimal amount, e.g. "1234.50"' });
export const AccountRef = T.Object({ id: Str, name: Str });

export const Line = T.Object({ name: Str, description: N(Str), quantity: Str, unitPrice: N(Str), net: Amount });

export const Invoice = T.Object({
  id: Str, number: Str, kind: Str, status: Str, account: AccountRef, invoiceDate: N(Str), dueDate: N(Str), currency: Str,
  total: Amount, taxTotal: Amount, openAmount: Amount, poNumber: N(Str), overdue: T.Boolean(),
});
export const InvoiceDetail = T.Composite([Invoice, T.Object({ lines: T.Array(Line) })]);

export const Quote = T.Object({
  id: Str, number: Str, title: N(Str), status: Str, account: AccountRef, currency: Str, validUntil: N(Str),
  subtotal: Amount, discountTotal: Amount, taxTotal: Amount, total: Amount, acceptedTotal: N(Str), answeredAt: N(Str), signedBy: N(Str), declineReason: N(Str),
  canAnswer: T.Boolean(),
});
export const QuoteDetail = T.Composite([Quote, T.Object({
  terms: N(Str),
  lines: T.Array(T.Composite([Line, T.Object({ id: Str, optional: T.Boolean(), selected: T.Boolean(), total: Amount })])),
})]);

export const Order = T.Object({
  id: Str, number: Str, status: Str, onHold: T.Boolean(), account: AccountRef, poNumber: N(Str), requestedDate: N(Str), orderedAt: N(Str), completedAt: N(Str),
  currency: Str, total: Amount,
});
export const OrderDetail = T.Composite([Order, T.Object({ lines: T.Array(Line) })]);

export const Payment = T.Object({
  id: Str, reference: Str, account: AccountRef, date: N(Str), amount: Amount, currency: Str, method: N(Str), status: Str,
  allocations: T.Array(T.Object({ invoiceId: Str, invoiceNumber: Str, amount: Amount })),
});

export const Statement = T.Object({
  account: AccountRef, currency: Str, from: Str, to: Str, openingBalance: Amount, closingBalance: Amount, currencies: T.Array(Str),
  lines: T.Array(T.Object({ date: Str, kind: T.Union([T.Literal('invoice'), T.Literal('credit_note'), T.Literal('payment')]), reference: Str, debit: Amount, credit: Amount, balance: Amount })),
});

const ContactFields = { firstName: N(Str), lastName: N(Str), title: N(Str), phone: N(Str), mobile: N(Str) };
const BillingFields = { email: N(Str), street: N(Str), city: N(Str), state: N(Str), postalCode: N(Str), country: N(Str) };
export const Profile = T.Object({
  contact: T.Object({ ...ContactFields, email: N(Str) }),
  billing: T.Object({ ...BillingFields, accountName: Str }),
});
const Patch = (fields: Record<string, TSchema>) => T.Object(Object.fromEntries(Object.keys(fields).map((k) => [k, T.Optional(N(T.String({ maxLength: k === 'street' ? 1000 : 255 })))])), { additionalProperties: false });
export const ProfileChange = T.Object({ contact: T.Optional(Patch(ContactFields)), billing: T.Optional(Patch(BillingFields)) }, { additionalProperties: false });

export const PortalLink = T.Object({ id: Str, label: Str, url: Str, description: N(Str), account: AccountRef });
export const PortalContact = T.Object({ id: Str, name: Str, title: N(Str), email: N(Str), phone: N(Str), account: AccountRef });

export const Me = T.Object({
  contact: T.Object({ id: Str, name: Str, email: N(Str) }),
  account: AccountRef,
  accounts: T.Array(AccountRef),
  company: Str,
  csrfToken: T.String({ description: 'Send it as X-CSRF-Token with every portal write' }),
  onlinePayment: T.Boolean({ description: 'Whether "Pay selected invoices" can start a payment' }),
  paymentsAvailable: T.Boolean({ description: 'Whether payment history is kept (the payments module is installed)' }),
});

export const Summary = T.Object({
  balances: T.Array(T.Object({ currency: Str, due: Amount, overdue: Amount, openInvoices: T.Integer(), overdueInvoices: T.Integer() })),
  openQuotes: T.Integer(),
  openOrders: T.Integer(),
});

export const AccessStatus = T.Object({
  contactId: Str, email: N(Str), state: T.Union([T.Literal('none'), T.Literal('granted'), T.Literal('revoked')]), grantedAt: N(Str), revokedAt: N(Str),
  activeSessions: T.Integer(), lastSignInAt: N(Str),
  log: T.Array(T.Object({ id: Str, at: Str, action: Str, detail: N(Str), ip: N(Str), userAgent: N(Str) })),
});

export const Pdf = T.Unsafe({ description: 'A PDF document', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } });
