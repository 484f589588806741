/**
 * Quotes benchmark (issue 11): price resolution for a 200-line quote against the same lookups in
 * hand-written SQL, and re-totalling 10,000 random stored quotes with zero differences.
 *
 *   cd /work/main && npm exec -- node bench/quotes.ts [--lines 200] [--repeat 15] [--quotes 10000] [--keep]
 *
 * Creates a throwaway database on the local PostgreSQL server (dropped at the end; see
 * bench/lib.ts), boots the platform on it, and creates through the record pipeline 200 products
 * in a standard USD book (every other one with a quantity break), an account with a −5 % price
 * adjuster in Québec (GST 5 % + QST 9.975 % compound). Then:
 *
 *   price   resolvePrice() for each line of a 200-line quote, in turn (what creating the quote's
 *           lines does), vs the same answer (book, entry with the break, adjuster, taxes) from
 *           hand-written SQL: one query per line, and one set-based query for all lines.
 *           Every unit price and tax list is compared first; a difference stops the run.
 *           Then createQuote with all lines, end to end, for scale.
 *   totals  10,000 quotes (1–20 lines each; USD, JPY, KWD; line and document discounts; taxes;
 *           tax-inclusive or not; unchosen optional lines) inserted with generate_series, then
 *           re-totalled by the quote code (lock, recalculateQuote with the money kernel, store)
 *           one transaction per quote; then every stored quote is checked against its stored
 *           lines in SQL and recomputed again from the numeric columns: both must find 0
 *           differences.
 *   pdf     the PDF of the 200-line quote: drawQuotePdf (the quote document's drawing) vs pdfkit
 *           drawing the same table directly here (same font, page, columns, rows, wrapping,
 *           repeated header and page numbers; no letterhead, terms or signature); plus reading
 *           and formatting, and renderQuotePdf end to end.
 * Not a test: run it by hand. See docs/performance.md.
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { captureQueries, createBenchDatabase } from './lib.ts';

interface Options {
  lines: number;
  repeat: number;
  quotes: number;
  keep: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { lines: 200, repeat: 15, quotes: 10_000, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1) throw new Error(`${a} needs a positive integer`);
      return v;
    };
    if (a === '--lines') o.lines = num();
    else if (a === '--repeat') o.repeat = num();
    else if (a === '--quotes') o.quotes = num();
    else if (a === '--keep') o.keep = true;
    else throw new Error(`Unknown argument ${a}; usage: bench/quotes.ts [--lines N] [--repeat R] [--quotes Q] [--keep]`);
  }
  return o;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const { loadConfig } = await import('../packages/server/src/platform/config.ts');
  const { bootPlatform, createLogger } = await import('../packages/server/src/platform/boot.ts');
  const { modules } = await import('../packages/server/src/modules/index.ts');
  const { openDatabase } = await import('../packages/server/src/platform/db/connection.ts');
  const { systemActor, inTransaction } = await import('../packages/server/src/platform/records/context.ts');
  const { createRecord } = await import('../packages/server/src/platform/records/write.ts');
  const { resolvePrice, resolvePrices, Decimal, roundMoney, computeQuoteFigures, roundingPolicy } = await import('../packages/server/src/modules/billing/index.ts');
  const { lockQuote, recalculateQuote, storeQuoteTotals, storedLines } = await import('../packages/server/src/modules/billing/quotes/recalculate.ts');
  const { createQuote } = await import('../packages/server/src/modules/billing/quotes/commands/create.ts');
  const { readQuoteDocumentInput } = await import('../packages/server/src/modules/billing/quotes/document/read.ts');
  const { buildQuoteDocument, drawQuotePdf, renderQuotePdf } = await import('../packages/server/src/modules/billing/index.ts');

  const bench = await createBenchDatabase('quotes');
  const { databaseUrl, facts } = bench;
  console.log(`Meridian quotes benchmark — ${new Date().toISOString()}`);
  for (const line of facts) console.log(line);
  let database: Awaited<ReturnType<typeof openDatabase>> | undefined;
  let raw: pg.Pool | undefined;
  const t0 = performance.now();
  try {
    database = await openDatabase({ databaseUrl, poolSize: 4 });
    const config = { ...loadConfig({}), databaseUrl, logLevel: 'silent', publicUrl: 'http://127.0.0.1' };
    const platform = await bootPlatform({ config, modules, database, logger: createLogger('silent') });
    raw = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    const ctx = { platform, actor: systemActor('api') };
    const object = (name: string) => platform.registry.requireObject(name);
    const table = (name: string) => object(name).table;
    const create = (name: string, input: Record<string, unknown>) => createRecord({ ctx, object: object(name), input });

    // ---- Catalogue through the record pipeline ---------------------------------------------
    const each = (await raw.query<{ id: string }>(`SELECT id FROM ${table('unit_of_measure')} WHERE code = 'each'`)).rows[0]!.id;
    const book = await create('price_book', { name: 'Standard USD', currency: 'USD', is_standard: true });
    await create('tax_rate', { name: 'GST', rate: 5, region: 'CA' });
    await create('tax_rate', { name: 'QST', rate: 9.975, region: 'QC', compound: true });
    const account = await create('account', { name: 'Hydro Nord', currency: 'USD', billing_state: 'QC', billing_country: 'CA', price_adjuster: -5 });
    const products: string[] = [];
    for (let i = 0; i < opts.lines; i++) {
      const p = await create('product', { code: `P-${i}`, name: `Product ${i}`, unit_of_measure: each, cost: 3 });
      products.push(p.id);
      await create('price_book_entry', { price_book: book.id, product: p.id, unit_price: (10 + (i % 97) + 0.37).toFixed(2) });
      if (i % 2 === 0) await create('price_book_entry', { price_book: book.id, product: p.id, unit_price: (8 + (i % 89) + 0.11).toFixed(2), min_quantity: 10 });
    }
    await raw.query('ANALYZE');
    const quantities = products.map((_, i) => String(1 + ((i * 7) % 25)));
    const date = new Date().toISOString().slice(0, 10);
    console.log(`catalogue: ${opts.lines} products, ${opts.lines + Math.ceil(opts.lines / 2)} entries\n`);

    // ---- 1. Price resolution ----------------------------------------------------------------
    const meridian = async () => {
      const out: Array<{ price: string; taxes: string }> = [];
      for (let i = 0; i < products.length; i++) {
        const a = await resolvePrice({ ctx, account: account.id, product: products[i]!, quantity: quantities[i]!, date });
        out.push({ price: a.unitPrice, taxes: a.taxes.rates.map((t) => t.name).join('+') });
      }
      return out;
    };
    // The batch a quote's lines are priced with (queries/priceMemo.ts): same answers, shared reads.
    const batched = async () => (await resolvePrices({ ctx, questions: products.map((product, i) => ({ account: account.id, product, quantity: quantities[i]!, date })) }))
      .map((a) => ({ price: a.unitPrice, taxes: a.taxes.rates.map((t) => t.name).join('+') }));
    const mode = roundingPolicy(platform).mode;
    const adjust = (price: string, adjuster: string | null) =>
      adjuster === null || Number(adjuster) === 0 ? new Decimal(price).toFixed(2) : roundMoney(new Decimal(price).times(new Decimal(100).plus(adjuster)).dividedBy(100), 'USD', mode).toFixed(2);
    // The same answer by hand: the account's book (else the standard one), the entry for the
    // product and unit valid on the date with the highest break reached, the adjuster, the taxes.
    const lineSql = `WITH a AS (SELECT id, price_adjuster, price_book_id, billing_state, billing_country, tax_exempt FROM ${table('account')} WHERE id = $1),
        b AS (SELECT coalesce((SELECT price_book_id FROM a), (SELECT id FROM ${table('price_book')} WHERE deleted_at IS NULL AND active AND is_standard ORDER BY (currency = 'USD') DESC, name, id LIMIT 1)) AS id),
        p AS (SELECT id, unit_of_measure_id, tax_category_id FROM ${table('product')} WHERE id = $2 AND active AND deleted_at IS NULL)
      SELECT e.unit_price::text AS price, (SELECT price_adjuster::text FROM a) AS adjuster,
        (SELECT string_agg(t.name, '+' ORDER BY t.compound, t.name) FROM ${table('tax_rate')} t, a
          WHERE t.deleted_at IS NULL AND t.active AND NOT coalesce(a.tax_exempt, false) AND t.tax_category_id IS NULL
            AND (t.region IS NULL OR lower(t.region) IN (lower(a.billing_state), lower(a.billing_country)))) AS taxes
      FROM ${table('price_book_entry')} e, p, b
      WHERE e.deleted_at IS NULL AND e.active AND e.price_book_id = b.id AND e.product_id = p.id AND e.unit_of_measure_id = p.unit_of_measure_id AND e.product_spec_id IS NULL
        AND coalesce(e.valid_from, '-infinity'::date) <= $3::date AND coalesce(e.valid_to, 'infinity'::date) >= $3::date AND coalesce(e.min_quantity, 0) <= $4::numeric
      ORDER BY coalesce(e.min_quantity, 0) DESC, e.valid_from DESC NULLS LAST, e.id LIMIT 1`;
    const perLine = async () => {
      const out: Array<{ price: string; taxes: string }> = [];
      for (let i = 0; i < products.length; i++) {
        const r = (await raw!.query<{ price: string; adjuster: string | null; taxes: string | null }>(lineSql, [account.id, products[i], date, quantities[i]])).rows[0]!;
        out.push({ price: adjust(r.price, r.adjuster), taxes: r.taxes ?? '' });
      }
      return out;
    };
    const setSql = `WITH l AS (SELECT * FROM unnest($2::uuid[], $4::numeric[]) WITH ORDINALITY AS l(product_id, quantity, n)),
        a AS (SELECT id, price_adjuster, price_book_id, billing_state, billing_country, tax_exempt FROM ${table('account')} WHERE id = $1),
        b AS (SELECT coalesce((SELECT price_book_id FROM a), (SELECT id FROM ${table('price_book')} WHERE deleted_at IS NULL AND active AND is_standard ORDER BY (currency = 'USD') DESC, name, id LIMIT 1)) AS id),
        tx AS (SELECT string_agg(t.name, '+' ORDER BY t.compound, t.name) AS taxes FROM ${table('tax_rate')} t, a
          WHERE t.deleted_at IS NULL AND t.active AND NOT coalesce(a.tax_exempt, false) AND t.tax_category_id IS NULL
            AND (t.region IS NULL OR lower(t.region) IN (lower(a.billing_state), lower(a.billing_country))))
      SELECT l.n, e.unit_price::text AS price, (SELECT price_adjuster::text FROM a) AS adjuster, (SELECT taxes FROM tx) AS taxes
      FROM l JOIN ${table('product')} p ON p.id = l.product_id AND p.active AND p.deleted_at IS NULL
      CROSS JOIN LATERAL (SELECT e.unit_price FROM ${table('price_book_entry')} e, b
        WHERE e.deleted_at IS NULL AND e.active AND e.price_book_id = b.id AND e.product_id = p.id AND e.unit_of_measure_id = p.unit_of_measure_id AND e.product_spec_id IS NULL
          AND coalesce(e.valid_from, '-infinity'::date) <= $3::date AND coalesce(e.valid_to, 'infinity'::date) >= $3::date AND coalesce(e.min_quantity, 0) <= l.quantity
        ORDER BY coalesce(e.min_quantity, 0) DESC, e.valid_from DESC NULLS LAST, e.id LIMIT 1) e
      ORDER BY l.n`;
    const setBased = async () => {
      const r = await raw!.query<{ price: string; adjuster: string | null; taxes: string | null }>(setSql, [account.id, products, date, quantities]);
      return r.rows.map((x) => ({ price: adjust(x.price, x.adjuster), taxes: x.taxes ?? '' }));
    };
    const expected = JSON.stringify(await meridian());
    const statements = await captureQueries(async () => void (await resolvePrice({ ctx, account: account.id, product: products[0]!, quantity: quantities[0]!, date })));
    console.log(`one resolvePrice: ${statements.length} SQL statements; the per-line SQL: 1; the set-based SQL: 1 for all ${opts.lines} lines`);
    const batchStatements = await captureQueries(async () => void (await batched()));
    console.log(`resolvePrices for all ${opts.lines} lines: ${batchStatements.length} SQL statements (${(batchStatements.length / opts.lines).toFixed(2)} per line)`);
    for (const [name, fn] of [['resolvePrices', batched], ['per-line SQL', perLine], ['set-based SQL', setBased]] as const) {
      const got = JSON.stringify(await fn());
      if (got !== expected) throw new Error(`${name} answers differently from resolvePrice:\n${got.slice(0, 400)}\n${expected.slice(0, 400)}`);
    }
    const timings: Record<string, number[]> = { resolvePrice: [], resolvePrices: [], 'per-line SQL': [], 'set-based SQL': [] };
    for (let r = 0; r < opts.repeat; r++) {
      // Rotate the order so background load falls on every side alike.
      const sides: Array<[string, () => Promise<unknown>]> = [['resolvePrice', meridian], ['resolvePrices', batched], ['per-line SQL', perLine], ['set-based SQL', setBased]];
      for (let k = 0; k < sides.length; k++) {
        const [name, fn] = sides[(k + r) % sides.length]!;
        const s = performance.now();
        await fn();
        timings[name]!.push(performance.now() - s);
      }
    }
    const m = Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, median(v.slice(1))]));
    console.log(`price resolution, ${opts.lines}-line quote, median of ${opts.repeat - 1} (first run dropped):`);
    const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))]!;
    console.log('| side | ms per quote | p95 ms | ms per line | ÷ per-line SQL | ÷ set-based SQL |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const [k, v] of Object.entries(m)) {
      console.log(`| ${k} | ${v.toFixed(1)} | ${p95(timings[k]!.slice(1)).toFixed(1)} | ${(v / opts.lines).toFixed(3)} | ${(v / m['per-line SQL']!).toFixed(2)}× | ${(v / m['set-based SQL']!).toFixed(2)}× |`);
    }

    // Creating the whole quote (createQuote: the quote, every line through the record pipeline —
    // priced, checked, history and outbox — and the totals once at the end), for scale.
    const creates: number[] = [];
    let bigQuote = '';
    for (let r = 0; r < 3; r++) {
      const s = performance.now();
      const made = await createQuote({
        ctx,
        input: { quote: { account: account.id, discount_percent: 5, terms_text: 'Payment within 30 days.' }, lines: products.map((p, i) => ({ product: p, quantity: quantities[i], ...(i % 10 === 0 ? { description: longDescription } : {}) })) },
      });
      bigQuote = made.quote.id;
      creates.push(performance.now() - s);
    }
    console.log(`\ncreateQuote with ${opts.lines} lines, end to end (median of 3): ${median(creates).toFixed(0)} ms`);

    // ---- The quote PDF (issue 11 item 14) ---------------------------------------------------
    const input = await inTransaction(ctx, (tx) => readQuoteDocumentInput(tx, bigQuote));
    const view = buildQuoteDocument(input);
    const [ours, direct] = [await drawQuotePdf(view), await drawTableDirectly(view)];
    const pagesOf = (pdf: Buffer) => (pdf.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length;
    const pdfTimes: Record<string, number[]> = { drawQuotePdf: [], 'pdfkit directly': [], read: [], build: [], renderQuotePdf: [] };
    for (let r = 0; r < opts.repeat; r++) {
      const sides: Array<[string, () => Promise<unknown>]> = [['drawQuotePdf', () => drawQuotePdf(view)], ['pdfkit directly', () => drawTableDirectly(view)]];
      for (let k = 0; k < sides.length; k++) {
        const [name, fn] = sides[(k + r) % sides.length]!;
        const s = performance.now();
        await fn();
        pdfTimes[name]!.push(performance.now() - s);
      }
      let s = performance.now();
      await inTransaction(ctx, (tx) => readQuoteDocumentInput(tx, bigQuote));
      pdfTimes.read!.push(performance.now() - s);
      s = performance.now();
      buildQuoteDocument(input);
      pdfTimes.build!.push(performance.now() - s);
      s = performance.now();
      await renderQuotePdf({ ctx, id: bigQuote });
      pdfTimes.renderQuotePdf!.push(performance.now() - s);
    }
    const p = Object.fromEntries(Object.entries(pdfTimes).map(([k, v]) => [k, median(v.slice(1))]));
    console.log(`\nquote PDF, ${opts.lines} lines: drawQuotePdf ${pagesOf(ours)} pages, ${(ours.length / 1024).toFixed(0)} KiB; directly ${pagesOf(direct)} pages, ${(direct.length / 1024).toFixed(0)} KiB; median of ${opts.repeat - 1}:`);
    console.log('| step | ms |');
    console.log('| --- | ---: |');
    for (const k of ['drawQuotePdf', 'pdfkit directly', 'read', 'build', 'renderQuotePdf']) console.log(`| ${k} | ${p[k]!.toFixed(1)} |`);
    console.log(`pdfkit directly ÷ drawQuotePdf: ${(p['pdfkit directly']! / p.drawQuotePdf!).toFixed(2)}× (aim ≥ 0.8×); drawQuotePdf ${p.drawQuotePdf! < 300 ? '<' : '≥'} 300 ms`);

    // ---- 2. Totals of 10,000 random stored quotes -------------------------------------------
    const owner = (await raw.query<{ id: string }>(`SELECT id FROM obj_user LIMIT 1`)).rows[0]?.id ?? null;
    const Q = table('quote');
    const L = table('quote_line');
    const s1 = performance.now();
    await raw.query(`SELECT setseed(0.42)`);
    await raw.query(`INSERT INTO ${Q} (id, owner_id, name, number, revision, status, account_id, currency, tax_inclusive, discount_percent, price_date, valid_until)
      SELECT md5('q' || n)::uuid, $1::uuid, 'B-' || n, 'B-' || n, 1, 'draft', $2::uuid, (ARRAY['USD','JPY','KWD'])[1 + n % 3], n % 4 = 0,
        CASE WHEN n % 3 = 0 THEN round((random() * 30)::numeric, 2) END, current_date, current_date + 30
      FROM generate_series(1, ${opts.quotes}) n`, [owner, account.id]);
    const taxSets = [`[]`, `[{"id":"gst","name":"GST","rate":"5","compound":false}]`, `[{"id":"gst","name":"GST","rate":"5","compound":false},{"id":"qst","name":"QST","rate":"9.975","compound":true}]`, `[{"id":"vat","name":"VAT","rate":"20","compound":false}]`];
    await raw.query(`INSERT INTO ${L} (id, owner_id, name, quote_id, position, product_id, quantity, unit_price, list_price, discount_percent, optional, selected, taxes)
      SELECT gen_random_uuid(), $1::uuid, 'line', q.id, k, $2::uuid, round((random() * 50 + 0.001)::numeric, 3), p.price, p.price + round((random() * 5)::numeric, m.digits),
        CASE WHEN random() < 0.3 THEN round((random() * 40)::numeric, 2) END, p.optional, NOT p.optional OR random() < 0.5,
        ($3::text[])[1 + floor(random() * 4)::int]
      FROM ${Q} q
      CROSS JOIN LATERAL (SELECT CASE q.currency WHEN 'JPY' THEN 0 WHEN 'KWD' THEN 3 ELSE 2 END AS digits) m
      CROSS JOIN LATERAL generate_series(1, 1 + (abs(hashtext(q.id::text)) % 20)) k
      CROSS JOIN LATERAL (SELECT round((random() * 2000 + 0.01)::numeric, m.digits) AS price, random() < 0.15 AS optional OFFSET 0) p
      WHERE q.number LIKE 'B-%'`, [owner, products[0], taxSets]);
    const counts = (await raw.query<{ q: string; l: string }>(`SELECT (SELECT count(*) FROM ${Q} WHERE number LIKE 'B-%') AS q, (SELECT count(*) FROM ${L} l JOIN ${Q} q ON q.id = l.quote_id WHERE q.number LIKE 'B-%') AS l`)).rows[0]!;
    console.log(`\n${counts.q} random quotes with ${counts.l} lines inserted in ${((performance.now() - s1) / 1000).toFixed(1)}s`);

    const ids = (await raw.query<{ id: string }>(`SELECT id FROM ${Q} WHERE number LIKE 'B-%' ORDER BY id`)).rows.map((r) => r.id);
    const s2 = performance.now();
    for (const id of ids) {
      await inTransaction(ctx, async (tx) => {
        const quote = (await lockQuote(tx, id))!;
        await storeQuoteTotals(tx, id, await recalculateQuote({ ctx: tx, quote }));
      });
    }
    const totalSeconds = (performance.now() - s2) / 1000;
    console.log(`re-totalled by the quote code (lock, kernel, store; one transaction each): ${totalSeconds.toFixed(1)}s, ${(ids.length / totalSeconds).toFixed(0)} quotes/s`);

    const sqlCheck = (await raw.query<{ n: string }>(`SELECT count(*) AS n FROM ${Q} q WHERE q.number LIKE 'B-%' AND (
        q.total <> (SELECT coalesce(sum(total), 0) FROM ${L} l WHERE l.quote_id = q.id AND l.selected)
        OR q.tax_total <> (SELECT coalesce(sum(tax_total), 0) FROM ${L} l WHERE l.quote_id = q.id AND l.selected)
        OR q.discount_total <> (SELECT coalesce(sum(document_discount), 0) FROM ${L} l WHERE l.quote_id = q.id AND l.selected)
        OR q.subtotal <> (SELECT coalesce(sum(net), 0) FROM ${L} l WHERE l.quote_id = q.id AND l.selected)
        OR q.taxable + q.tax_total <> q.total)`)).rows[0]!.n;
    console.log(`quotes whose stored lines do not add up to the stored totals (SQL): ${sqlCheck}`);

    const s3 = performance.now();
    let differences = 0;
    const policy = roundingPolicy(platform);
    for (const id of ids) {
      await inTransaction(ctx, async (tx) => {
        const quote = (await lockQuote(tx, id))!;
        const lines = await storedLines(tx, id);
        const discount = quote.discount_percent !== null && Number(quote.discount_percent) !== 0 ? { percent: quote.discount_percent } : null;
        const f = computeQuoteFigures({ currency: quote.currency, rounding: policy, taxInclusive: quote.tax_inclusive === true, discount, lines });
        const stored = (await raw!.query<{ total: string; tax_total: string }>(`SELECT total::text, tax_total::text FROM ${Q} WHERE id = $1`, [id])).rows[0]!;
        if (!new Decimal(stored.total).equals(f.document.total) || !new Decimal(stored.tax_total).equals(f.document.taxTotal)) differences++;
      });
    }
    console.log(`recomputed again from the numeric columns: ${differences} differences (${((performance.now() - s3) / 1000).toFixed(1)}s)`);
    if (Number(sqlCheck) !== 0 || differences !== 0) process.exitCode = 2;
  } finally {
    await raw?.end().catch(() => {});
    await database?.close().catch(() => {});
    await bench.finish(opts.keep);
    console.log(`total ${((performance.now() - t0) / 1000).toFixed(0)}s`);
  }
}

const longDescription = 'Annual inspection of the standby generator with the load test, the fuel system check and a written report for the site manager.';

/**
 * The comparison side of the PDF benchmark: the same table drawn with pdfkit by hand, as one
 * would without the document code — same font and page, the same column widths and strings,
 * rows measured and moved whole to the next page, the header repeated, "Page N of M" at the end.
 */
async function drawTableDirectly(view: import('../packages/server/src/modules/billing/index.ts').QuoteDocumentView): Promise<Buffer> {
  const { default: PDFDocument } = await import('pdfkit');
  const { documentFonts } = await import('../packages/server/src/modules/billing/quotes/document/fonts.ts');
  const doc = new PDFDocument({ size: view.paper, margins: { top: 50, left: 50, right: 50, bottom: 90 }, bufferPages: true, info: { CreationDate: view.info.created } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  const fonts = documentFonts();
  doc.registerFont('R', fonts.regular);
  doc.registerFont('B', fonts.bold);
  const widths = [22, 0, 44, 48, 72, 80];
  const pageWidth = doc.page.width - 100;
  widths[1] = pageWidth - widths.reduce((a, b) => a + b, 0);
  const header = ['#', 'Item', 'Qty', 'Unit', 'Unit price', 'Amount'];
  const right = [false, false, true, false, true, true];
  const drawHeader = (y: number) => {
    doc.rect(50, y, pageWidth, 20).fillColor('#eeeeee').fill().fillColor('#000000').font('B').fontSize(8);
    let x = 50;
    header.forEach((h, i) => {
      doc.text(h, x + 4, y + 5, { width: widths[i]! - 8, align: right[i] ? 'right' : 'left', lineBreak: false });
      x += widths[i]!;
    });
    return y + 20;
  };
  let y = drawHeader(200);
  for (const l of view.lines) {
    const w = widths[1]! - 8;
    let h = doc.font('B').fontSize(9).heightOfString(l.name, { width: w });
    if (l.description) h += doc.font('R').fontSize(8).heightOfString(l.description, { width: w });
    h += 8;
    if (y + h > doc.page.height - 90) {
      doc.addPage();
      y = drawHeader(50);
    }
    const cells = [l.position, '', l.quantity, l.unit, l.unitPrice, l.amount];
    let x = 50;
    cells.forEach((c, i) => {
      if (i === 1) {
        doc.font('B').fontSize(9).text(l.name, x + 4, y + 4, { width: w });
        if (l.description) doc.font('R').fontSize(8).text(l.description, x + 4, doc.y, { width: w });
      } else doc.font('R').fontSize(9).text(c, x + 4, y + 4, { width: widths[i]! - 8, align: right[i] ? 'right' : 'left', lineBreak: false });
      x += widths[i]!;
    });
    y += h;
    doc.moveTo(50, y).lineTo(50 + pageWidth, y).lineWidth(0.3).strokeColor('#cccccc').stroke();
  }
  if (y + view.totals.length * 14 + 24 > doc.page.height - 90) {
    doc.addPage();
    y = 50;
  }
  for (const t of view.totals) {
    doc.font(t.strong ? 'B' : 'R').fontSize(9).text(t.label, 300, y + 12, { width: 150, lineBreak: false }).text(t.value, 450, y + 12, { width: 95, align: 'right', lineBreak: false });
    y += 14;
  }
  const { start, count } = doc.bufferedPageRange();
  for (let i = start; i < start + count; i++) {
    doc.switchToPage(i);
    doc.page.margins.bottom = 0;
    doc.font('R').fontSize(8).text(`Page ${i + 1} of ${count}`, 50, doc.page.height - 60, { width: pageWidth, align: 'right', lineBreak: false });
  }
  doc.end();
  return done;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
