import { T } from '../../platform/http/schema/common.ts';
import { MAX_LINES } from './money/index.ts';

/** Declared shapes of billing's route input and answers (validation, OpenAPI, response checks). */
const Money = T.String({ description: 'An amount with exactly the currency’s minor digits, e.g. "12.50", "1200" (JPY), "1.250" (KWD)' });
const DecimalText = T.String({ maxLength: 40, pattern: '^-?[0-9]+(\\.[0-9]+)?$', description: 'A decimal number as text, e.g. "12.5"' });
const Nullable = <S extends Parameters<typeof T.Union>[0][number]>(s: S) => T.Union([s, T.Null()]);

const DiscountInput = T.Object(
  { percent: T.Optional(DecimalText), amount: T.Optional(DecimalText) },
  { additionalProperties: false, minProperties: 1, maxProperties: 1, description: 'Either a percentage or an amount' },
);

export const DocumentInputSchema = T.Object(
  {
    currency: T.String({ minLength: 3, maxLength: 3, description: 'ISO 4217' }),
    taxInclusive: T.Optional(T.Boolean({ description: 'Unit prices include the line taxes' })),
    discount: T.Optional(Nullable(DiscountInput)),
    lines: T.Array(
      T.Object(
        {
          key: T.Optional(T.String({ maxLength: 64 })),
          quantity: DecimalText,
          unitPrice: DecimalText,
          discount: T.Optional(Nullable(DiscountInput)),
          taxes: T.Optional(T.Array(T.Object({ id: T.String({ minLength: 1, maxLength: 64 }), name: T.Optional(T.String({ maxLength: 200 })), rate: DecimalText, compound: T.Optional(T.Boolean()) }, { additionalProperties: false }), { maxItems: 20 })),
        },
        { additionalProperties: false },
      ),
      { maxItems: MAX_LINES },
    ),
  },
  { additionalProperties: false },
);

const TaxAmount = T.Object({ id: T.String(), name: T.String(), rate: T.String(), compound: T.Boolean(), base: Money, amount: Money });
const Rounding = T.Object({ mode: T.String({ enum: ['half_up', 'half_even'] }), scope: T.String({ enum: ['line', 'document'] }) });

export const DocumentTotalsSchema = T.Object({
  currency: T.String(),
  rounding: Rounding,
  taxInclusive: T.Boolean(),
  lines: T.Array(T.Object({
    key: T.String(), quantity: T.String(), unitPrice: T.String(), gross: Money, lineDiscount: Money, net: Money, documentDiscount: Money, taxable: Money,
    taxes: T.Array(TaxAmount), taxTotal: Money, total: Money,
  })),
  subtotal: Money,
  documentDiscount: Money,
  taxable: Money,
  taxes: T.Array(TaxAmount),
  taxTotal: Money,
  total: Money,
});

const AppliedRate = T.Object({ id: T.String(), from: T.String(), to: T.String(), rate: T.String(), rateDate: T.String(), inverted: T.Boolean() });

export const ConversionSchema = T.Object({ amount: Money, currency: T.String(), date: T.String(), rate: Nullable(AppliedRate) });

export const ImportResultSchema = T.Object({
  rows: T.Integer({ description: 'Rates in the file' }),
  created: T.Integer(),
  updated: T.Integer({ description: 'Rates of a date and pair that existed with another value' }),
  unchanged: T.Integer(),
});

export const PriceAnswerSchema = T.Object({
  unitPrice: Money,
  currency: T.String(),
  quantity: T.String(),
  date: T.String(),
  taxInclusive: T.Boolean(),
  product: T.Object({ id: T.String(), code: T.String(), name: T.String() }),
  spec: Nullable(T.Object({ id: T.String(), name: T.String() })),
  uom: T.Object({ id: T.String(), code: T.String(), name: T.String() }),
  explanation: T.Object({
    priceBook: T.Object({ id: T.String(), name: T.String(), currency: T.String(), source: T.String({ enum: ['account', 'standard'] }) }),
    entry: T.Object({ id: T.String(), unitPrice: Money, currency: T.String(), minQuantity: T.String(), validFrom: Nullable(T.String()), validTo: Nullable(T.String()), forSpec: T.Boolean() }),
    quantityBreak: Nullable(T.String()),
    adjuster: Nullable(T.Object({ percent: T.String(), before: Money, after: Money })),
    conversion: Nullable(T.Composite([AppliedRate, T.Object({ before: Money, after: Money })])),
    steps: T.Array(T.String()),
  }),
  taxes: T.Object({
    exempt: Nullable(T.Object({ reason: T.String({ enum: ['account_exempt', 'category_exempt'] }), certificate: Nullable(T.String()) })),
    rates: T.Array(T.Object({ id: T.String(), name: T.String(), rate: T.String(), compound: T.Boolean() })),
  }),
});
