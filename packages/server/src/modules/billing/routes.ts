import type { FastifyInstance } from 'fastify';
import { AppError, validationFailed } from '../../platform/errors.ts';
import type { Platform } from '../../platform/kernel.ts';
import { recordContext } from '../../platform/http/context.ts';
import { T, routeSchema } from '../../platform/http/schema/common.ts';
import { withIdempotency } from '../../platform/http/idempotency.ts';
import { findInvalidText } from '../../platform/http/body.ts';
import { CURRENCY_CODES, computeDocumentTotals, minorUnits, type DocumentInput } from './money/index.ts';
import { billingSettings } from './settings.ts';
import { roundingPolicy, today } from './context.ts';
import { resolvePrice } from './queries/resolvePrice.ts';
import { convertAmount } from './exchange/convert.ts';
import { importExchangeRates } from './exchange/import.ts';
import { ConversionSchema, DocumentInputSchema, DocumentTotalsSchema, ImportResultSchema, PriceAnswerSchema } from './schemas.ts';

const tags = ['billing'];
const Id = T.String({ maxLength: 64, description: 'A record id' });
const DecimalText = T.String({ maxLength: 40, pattern: '^-?[0-9]+(\\.[0-9]+)?$', description: 'A decimal number, e.g. 12.50' });
const DateText = T.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'YYYY-MM-DD' });
const Currency = T.String({ minLength: 3, maxLength: 3, description: 'ISO 4217 code, e.g. EUR' });
const CSV_LIMIT = 2 * 1024 * 1024;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Billing routes beyond generic CRUD (docs/billing.md): thin — the input is declared and
 * validated by its schema, one command or query answers.
 */
export function registerBillingRoutes(app: FastifyInstance, platform: Platform): void {
  const ctxOf = (request: Parameters<typeof recordContext>[1]) => recordContext(platform, request);

  app.get('/api/v1/billing/settings', {
    schema: routeSchema({
      tags,
      operationId: 'getBillingSettings',
      summary: 'The corporate currency, the rounding rules and the currencies with their minor units',
      response: {
        200: T.Object({
          corporateCurrency: T.String(),
          rounding: T.Object({ mode: T.String(), scope: T.String() }),
          currencies: T.Array(T.Object({ code: T.String(), minorUnits: T.Integer() })),
        }),
      },
    }),
  }, async (request) => {
    ctxOf(request);
    return {
      corporateCurrency: billingSettings.of(platform).corporateCurrency,
      rounding: roundingPolicy(platform),
      currencies: CURRENCY_CODES.map((code) => ({ code, minorUnits: minorUnits(code) })),
    };
  });

  app.get('/api/v1/billing/price', {
    schema: routeSchema({
      tags,
      operationId: 'resolvePrice',
      summary: 'What an account pays for a product (spec, unit) at a quantity on a date, with the explanation',
      querystring: T.Object({
        account: Id,
        product: Id,
        spec: T.Optional(Id),
        uom: T.Optional(T.String({ minLength: 1, maxLength: 64, description: "A unit's id or code; the product's unit when absent" })),
        quantity: T.Optional(DecimalText),
        date: T.Optional(DateText),
        currency: T.Optional(Currency),
      }, { additionalProperties: false }),
      response: { 200: PriceAnswerSchema },
    }),
  }, async (request) => {
    await platform.registry.ensureFresh();
    const q = request.query as { account: string; product: string; spec?: string; uom?: string; quantity?: string; date?: string; currency?: string };
    return resolvePrice({ ctx: ctxOf(request), ...q });
  });

  app.get('/api/v1/billing/convert', {
    schema: routeSchema({
      tags,
      operationId: 'convertAmount',
      summary: "An amount in another currency at a date's exchange rate (the latest on or before it)",
      querystring: T.Object({ amount: DecimalText, from: Currency, to: Currency, date: T.Optional(DateText) }, { additionalProperties: false }),
      response: { 200: ConversionSchema },
    }),
  }, async (request) => {
    const q = request.query as { amount: string; from: string; to: string; date?: string };
    const ctx = ctxOf(request);
    const date = q.date ?? today(ctx);
    return { ...(await convertAmount({ ctx, amount: q.amount, from: q.from, to: q.to, date })), date };
  });

  app.post('/api/v1/billing/totals', {
    schema: routeSchema({
      tags,
      operationId: 'computeDocumentTotals',
      summary: "Totals of a priced document (lines, discounts, taxes) with the organisation's rounding, exactly",
      body: DocumentInputSchema,
      response: { 200: DocumentTotalsSchema },
    }),
  }, async (request) => {
    ctxOf(request);
    const body = request.body as Omit<DocumentInput, 'rounding'>;
    return computeDocumentTotals({ ...body, rounding: roundingPolicy(platform) });
  });

  // text/csv is parsed only in this scope; every other route keeps JSON-only bodies.
  void app.register(async (scope) => {
    scope.addContentTypeParser('text/csv', { parseAs: 'buffer', bodyLimit: CSV_LIMIT }, (_request, body, done) => {
      let text: string;
      try {
        text = utf8.decode(body as Buffer);
      } catch {
        return done(new AppError('bad_request', 'The CSV is not valid UTF-8', { errors: [{ field: '', code: 'invalid_encoding', message: 'Send the CSV encoded as UTF-8' }] }), undefined);
      }
      if (findInvalidText(text) !== undefined) return done(validationFailed([{ field: '', code: 'invalid_characters', message: 'NUL characters and unpaired surrogates cannot be stored; remove them' }]), undefined);
      done(null, text);
    });

    scope.post('/api/v1/billing/exchange-rates/import', {
      bodyLimit: CSV_LIMIT,
      schema: routeSchema({
        tags,
        operationId: 'importExchangeRates',
        summary: 'Import exchange rates from CSV (Content-Type: text/csv; header date,from,to,rate), all rows or none',
        body: T.String({ minLength: 1, maxLength: CSV_LIMIT, description: 'CSV text, sent as text/csv' }),
        response: { 200: ImportResultSchema },
      }),
    }, async (request, reply) => {
      await platform.registry.ensureFresh();
      return withIdempotency({ request, reply, ctx: ctxOf(request), status: 200, run: (ctx) => importExchangeRates({ ctx, csv: request.body as string }) });
    });
  });
}
