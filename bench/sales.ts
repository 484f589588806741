/**
 * Sales-module benchmark: Meridian's account roll-up, pipeline-by-stage and duplicate checks
 * against hand-written SQL giving the same answer, on the same PostgreSQL, in one run.
 *
 *   cd /work/main && npm exec -- node bench/sales.ts [--accounts 100000] [--opportunities 1000000]
 *       [--contacts N] [--seconds 5] [--warmup 1] [--rounds 2] [--concurrency 4] [--only rollup,pipeline,dup] [--keep]
 *
 * Creates a throwaway database on the local PostgreSQL server (dropped at the end), boots the
 * platform on it, creates an admin, generates accounts (as trees: one 10,000-node branch and
 * 100-node trees for the rest), contacts and opportunities with INSERT … SELECT generate_series,
 * then measures, with the same concurrency on each side:
 *   rollup    GET /api/v1/account/{id}/rollup (HTTP, client in a worker thread) and
 *             getAccountRollup() in-process, vs one hand-written recursive CTE;
 *   pipeline  Meridian has no aggregate endpoint: listRecords() paged through with the filter
 *             close_date = this_quarter (fields stage, amount; 200 a page) and summed in JS,
 *             vs SELECT stage, sum(amount) … GROUP BY stage;
 *   dup-*     findDuplicates() (the rules run by the beforeSave duplicate check on create) for a
 *             new contact / account, vs one hand-written indexed lookup.
 * Not a test: run it by hand. Modelled on bench/records.ts; see docs/performance.md.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';
import pg from 'pg';
import { captureQueries, createBenchDatabase, lit, measurePlan, resultTable, runHttpInWorker, runLoad, type Runner } from './lib.ts';

// ---------------------------------------------------------------------------------------------
// Arguments (the load loop, statistics and measurement plan are in bench/lib.ts)
// ---------------------------------------------------------------------------------------------

type OpName = 'rollup' | 'pipeline' | 'dup';

interface Options {
  accounts: number;
  opportunities: number;
  contacts: number;
  seconds: number;
  warmup: number;
  rounds: number;
  concurrency: number;
  pool: number;
  only: OpName[];
  keep: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { accounts: 100_000, opportunities: 1_000_000, contacts: -1, seconds: 5, warmup: 1, rounds: 2, concurrency: 4, pool: 10, only: ['rollup', 'pipeline', 'dup'], keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v < 0) throw new Error(`${a} needs a number`);
      return v;
    };
    if (a === '--accounts') o.accounts = Math.floor(num());
    else if (a === '--opportunities') o.opportunities = Math.floor(num());
    else if (a === '--contacts') o.contacts = Math.floor(num());
    else if (a === '--seconds') o.seconds = num();
    else if (a === '--warmup') o.warmup = num();
    else if (a === '--rounds') o.rounds = Math.max(1, Math.floor(num()));
    else if (a === '--concurrency') o.concurrency = Math.max(1, Math.floor(num()));
    else if (a === '--pool') o.pool = Math.max(1, Math.floor(num()));
    else if (a === '--only') o.only = String(argv[++i]).split(',') as OpName[];
    else if (a === '--keep') o.keep = true;
    else if (a === '--help' || a === '-h') {
      console.log('Usage: npm exec -- node bench/sales.ts [--accounts N] [--opportunities M] [--contacts K] [--seconds S] [--warmup S] [--rounds R] [--concurrency C] [--pool P] [--only rollup,pipeline,dup] [--keep]');
      process.exit(0);
    } else throw new Error(`Unknown argument ${a}`);
  }
  if (o.contacts < 0) o.contacts = o.accounts * 2;
  if (o.accounts < 10_100) throw new Error('--accounts must be at least 10100 (the measured branch has 10,000 nodes)');
  return o;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const { loadConfig } = await import('../packages/server/src/platform/config.ts');
  const { bootPlatform, createLogger } = await import('../packages/server/src/platform/boot.ts');
  const { modules } = await import('../packages/server/src/modules/index.ts');
  const { openDatabase } = await import('../packages/server/src/platform/db/connection.ts');
  const { buildApp } = await import('../packages/server/src/platform/http/app.ts');
  const { createUser } = await import('../packages/server/src/platform/auth/users.ts');
  const { createApiToken, actorFor } = await import('../packages/server/src/platform/auth/sessions.ts');
  const { systemActor } = await import('../packages/server/src/platform/records/context.ts');
  const { listRecords } = await import('../packages/server/src/platform/records/read.ts');
  const { getAccountRollup } = await import('../packages/server/src/modules/sales/queries/accountTree.ts');
  const { findDuplicates } = await import('../packages/server/src/modules/sales/duplicates/check.ts');
  const { LEGAL_SUFFIXES, normalizeCompanyName, normalizePhone, phoneKey, webDomain } = await import('../packages/server/src/modules/sales/domain/normalize.ts');

  const bench = await createBenchDatabase('sales');
  const { admin, dbName, databaseUrl, facts } = bench;

  console.log(`Meridian sales benchmark — ${new Date().toISOString()}`);
  for (const line of facts) console.log(line);
  console.log(`database ${dbName}; accounts ${opts.accounts}; contacts ${opts.contacts}; opportunities ${opts.opportunities}; concurrency ${opts.concurrency}; pool ${opts.pool}; ${opts.rounds} rounds of ${opts.warmup}s warm-up + ${opts.seconds}s per side\n`);

  let database: Awaited<ReturnType<typeof openDatabase>> | undefined;
  let raw: pg.Pool | undefined;
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  const t0 = performance.now();
  try {
    database = await openDatabase({ databaseUrl, poolSize: opts.pool });
    const config = { ...loadConfig({}), databaseUrl, logLevel: 'silent', publicUrl: 'http://127.0.0.1' };
    const platform = await bootPlatform({ config, modules, database, logger: createLogger('silent') });
    const contact = platform.registry.requireObject('contact');
    const account = platform.registry.requireObject('account');
    const opportunity = platform.registry.requireObject('opportunity');
    const T = {
      account: account.table,
      contact: contact.table,
      opportunity: opportunity.table,
      role: platform.registry.requireObject('account_contact_role').table,
      pipeline: platform.registry.requireObject('pipeline').table,
      stage: platform.registry.requireObject('pipeline_stage').table,
    };

    const adminUser = await createUser({ platform, actor: systemActor(), input: { email: 'bench-admin@example.com', firstName: 'Bench', lastName: 'Admin', profile: 'admin' } });
    const adminRow = { id: adminUser.id as string, email: 'bench-admin@example.com', profile: 'admin', active: true, time_zone: 'UTC', locale: 'en-US', full_name: 'Bench Admin' };
    const tokenInfo = await createApiToken({ platform, actor: actorFor(adminRow, 'api'), name: 'bench' });
    const actor = actorFor(adminRow, 'api', tokenInfo.id);
    const ctx = { platform, actor };
    const owner = adminRow.id;

    // The trigram threshold is per transaction in Meridian; here per session, for every connection.
    raw = new pg.Pool({ connectionString: databaseUrl, max: opts.pool, options: '-c TimeZone=UTC -c pg_trgm.similarity_threshold=0.6' });
    raw.on('error', () => {});

    // ---- Data, generated in SQL ------------------------------------------------------------
    // Accounts 1..10000 form the measured branch (a 10-ary tree under account 1); the rest are
    // 100-node trees (5 children per node). Ids are derived from the number: md5('a' || n)::uuid.
    const N = opts.accounts;
    const loadStart = performance.now();
    const step = async (label: string, q: string) => {
      const s = performance.now();
      await raw!.query(q);
      console.log(`  ${label}: ${((performance.now() - s) / 1000).toFixed(1)}s`);
    };
    const A = 'Acme Globex Initech Umbrella Stark Wayne Wonka Tyrell Cyberdyne Soylent Hooli Vandelay Massive Aperture Oscorp Monarch Nakatomi Duff Sterling Vehement'.split(' ');
    const B = ['Industries', 'Corp', 'Labs', 'Holdings', 'Systems', 'Logistics', 'Foods', 'Capital', 'Energy', 'Media'];
    const SYL = 'ka ro mi ven tal dor bex lin qua sor pel tri nov zar hul gen fas bri lom cus dra ept fin gor hax ivo jun kel mur ost'.split(' ');
    const arr = (xs: string[]) => `ARRAY[${xs.map(lit).join(',')}]`;
    console.log('generating data:');
    await step(`${N} accounts`, `INSERT INTO ${T.account} (id, owner_id, created_by, updated_by, created_at, updated_at, name, website, parent_account_id)
      SELECT md5('a' || n)::uuid, '${owner}', '${owner}', '${owner}', now() - (n || ' seconds')::interval, now() - (n || ' seconds')::interval,
        (${arr(A)})[1 + n % ${A.length}] || ' ' || initcap((${arr(SYL)})[1 + (n / ${A.length}) % ${SYL.length}] || (${arr(SYL)})[1 + (n / ${A.length * SYL.length}) % ${SYL.length}])
          || ' ' || (${arr(B)})[1 + (n / ${A.length * SYL.length * SYL.length}) % ${B.length}],
        'https://www.' || lower((${arr(A)})[1 + n % ${A.length}]) || n || '.example/',
        CASE WHEN n = 1 THEN NULL
             WHEN n <= 10000 THEN md5('a' || ((n - 2) / 10 + 1))::uuid
             WHEN (n - 10001) % 100 = 0 THEN NULL
             ELSE md5('a' || ((n - (n - 10001) % 100) + ((n - 10001) % 100 - 1) / 5))::uuid END
      FROM generate_series(1::bigint, ${N}) n ORDER BY n`);
    await step(`${opts.contacts} contacts`, `INSERT INTO ${T.contact} (id, owner_id, created_by, updated_by, created_at, updated_at, first_name, last_name, email, phone, mobile, account_id)
      SELECT md5('c' || n)::uuid, '${owner}', '${owner}', '${owner}', now() - (n || ' seconds')::interval, now() - (n || ' seconds')::interval,
        'First' || (n % 997), 'Last' || (n % 7919), 'person' || n || '@example' || (n % 50) || '.com',
        '+1 212 ' || lpad((n % 10000000)::text, 7, '0'), CASE WHEN n % 3 = 0 THEN '+1 646 ' || lpad(((n * 7) % 10000000)::text, 7, '0') END,
        md5('a' || (1 + (n * 2654435761::bigint) % ${N}))::uuid
      FROM generate_series(1::bigint, ${opts.contacts}) n`);
    const pipelineId = (await raw.query<{ id: string }>(`SELECT id FROM ${T.pipeline} WHERE deleted_at IS NULL ORDER BY is_default DESC NULLS LAST, created_at, id LIMIT 1`)).rows[0]?.id;
    // Opportunity ids are UUIDv7-shaped (creation time first, inserted oldest first) like the ones
    // Meridian assigns, so that id order follows the heap as in real data.
    // Close dates spread over three years (two back, one ahead): a quarter holds about 1/12 of them.
    const stages = ['prospecting', 'qualification', 'needs_analysis', 'proposal', 'negotiation', 'closed_won', 'partially_won', 'closed_lost'];
    await step(`${opts.opportunities} opportunities`, `INSERT INTO ${T.opportunity} (id, owner_id, created_by, updated_by, created_at, updated_at, name, account_id, amount, currency, probability, stage, close_date, pipeline_id)
      SELECT (lpad(to_hex(${Date.now()}::bigint - n * 1000), 12, '0') || '7' || substr(md5('o' || n), 1, 3) || '8' || substr(md5('o' || n), 4, 15))::uuid, '${owner}', '${owner}', '${owner}', now() - (n || ' seconds')::interval, now() - (n || ' seconds')::interval,
        'Deal ' || n, md5('a' || (1 + (n * 40503::bigint) % ${N}))::uuid, ((n * 7919) % 100000) + 0.5, 'USD', (n % 10) * 10,
        (${arr(stages)})[1 + (n * 31) % 8], (current_date - 730 + ((n * 104729::bigint) % 1095)::int), ${pipelineId ? `'${pipelineId}'::uuid` : 'NULL'}
      FROM generate_series(${opts.opportunities}::bigint, 1, -1) n`);
    await step('ANALYZE', 'ANALYZE');
    const loadSeconds = (performance.now() - loadStart) / 1000;
    const sizes = (await raw.query<{ t: string; s: string }>(`SELECT c.relname AS t, pg_size_pretty(pg_total_relation_size(c.oid)) AS s FROM pg_class c WHERE c.relname IN ('${T.account}','${T.contact}','${T.opportunity}')`)).rows;
    console.log(`generated in ${loadSeconds.toFixed(1)}s; ${sizes.map((x) => `${x.t} ${x.s}`).join(', ')}\n`);

    // ---- Hand-written SQL ------------------------------------------------------------------
    const root = (await raw.query<{ id: string }>(`SELECT md5('a1')::uuid AS id`)).rows[0]!.id;
    // Same answer as getAccountRollup: subtree accounts, contacts (own or via a role), open /
    // weighted / won per currency, open and won from the stage flags of the deal's pipeline.
    const rawRollupSql = `WITH RECURSIVE sub(id) AS (
        SELECT id FROM ${T.account} WHERE id = $1 AND deleted_at IS NULL
        UNION SELECT c.id FROM ${T.account} c JOIN sub s ON c.parent_account_id = s.id WHERE c.deleted_at IS NULL),
      dp AS (SELECT id FROM ${T.pipeline} WHERE deleted_at IS NULL ORDER BY is_default DESC NULLS LAST, created_at, id LIMIT 1),
      o AS (SELECT o.currency, o.amount, o.probability, o.won_amount,
          coalesce(s.is_won OR s.is_partial, o.stage IN ('closed_won', 'partially_won')) AS won, coalesce(s.is_lost, o.stage = 'closed_lost') AS lost
        FROM ${T.opportunity} o JOIN sub ON sub.id = o.account_id
        LEFT JOIN ${T.stage} s ON s.deleted_at IS NULL AND s.api_value = o.stage AND s.pipeline_id = coalesce(o.pipeline_id, (SELECT id FROM dp))
        WHERE o.deleted_at IS NULL),
      m AS (SELECT currency, count(*) FILTER (WHERE NOT won AND NOT lost) AS open_count, sum(amount) FILTER (WHERE NOT won AND NOT lost) AS open_amount,
          sum(round(amount * coalesce(probability, 0) / 100, 2)) FILTER (WHERE NOT won AND NOT lost) AS weighted,
          count(*) FILTER (WHERE won) AS won_count, sum(coalesce(won_amount, amount)) FILTER (WHERE won) AS won_amount FROM o GROUP BY currency)
      SELECT (SELECT count(*) FROM sub) AS accounts,
        (SELECT count(*) FROM ${T.contact} c WHERE c.deleted_at IS NULL AND (c.account_id IN (SELECT id FROM sub)
           OR c.id IN (SELECT r.contact_id FROM ${T.role} r WHERE r.deleted_at IS NULL AND r.account_id IN (SELECT id FROM sub)))) AS contacts,
        (SELECT json_agg(m ORDER BY currency) FROM m) AS money`;
    type RawRollup = { accounts: string; contacts: string; money: Array<{ currency: string; open_count: number; open_amount: number | null; weighted: number | null; won_count: number; won_amount: number | null }> | null };
    const rawRollup = async () => {
      const r = (await raw!.query<RawRollup>(rawRollupSql, [root])).rows[0]!;
      const money = r.money ?? [];
      const per = (k: 'open_amount' | 'weighted' | 'won_amount') => money.filter((x) => x[k] !== null).map((x) => ({ currency: x.currency ?? 'USD', amount: Number(x[k]) }));
      return { account: root, accounts: Number(r.accounts), contacts: Number(r.contacts), openOpportunities: money.reduce((n, x) => n + Number(x.open_count), 0), openPipeline: per('open_amount'), weightedPipeline: per('weighted'), wonOpportunities: money.reduce((n, x) => n + Number(x.won_count), 0), won: per('won_amount') };
    };

    // This quarter, in UTC (the admin's zone), as [start, end) dates.
    const now = new Date();
    const q0 = new Date(Date.UTC(now.getUTCFullYear(), Math.floor(now.getUTCMonth() / 3) * 3, 1));
    const q1 = new Date(Date.UTC(q0.getUTCFullYear(), q0.getUTCMonth() + 3, 1));
    const qStart = q0.toISOString().slice(0, 10);
    const qEnd = q1.toISOString().slice(0, 10);
    const rawPipelineSql = `SELECT stage, sum(amount) AS amount, count(*) AS n FROM ${T.opportunity} WHERE deleted_at IS NULL AND close_date >= $1 AND close_date < $2 GROUP BY stage ORDER BY stage`;
    const rawPipeline = async () => {
      const r = await raw!.query<{ stage: string; amount: string; n: string }>(rawPipelineSql, [qStart, qEnd]);
      return Object.fromEntries(r.rows.map((x) => [x.stage, { amount: Number(x.amount), n: Number(x.n) }]));
    };
    const quarterFilter = { field: 'close_date', op: 'eq', value: { relative: 'this_quarter' } };
    let pages = 0;
    const meridianPipeline = async () => {
      const out: Record<string, { amount: number; n: number }> = {};
      let cursor: string | undefined;
      do {
        const page = await listRecords({ ctx, object: opportunity, filter: quarterFilter, fields: ['stage', 'amount'], sort: 'id', limit: 200, cursor });
        pages++;
        for (const row of page.data as unknown as Array<{ stage: string; amount: number | string | null }>) {
          const e = (out[row.stage] ??= { amount: 0, n: 0 });
          // Sum in cents so the JS total is exact like numeric in SQL.
          e.amount += Math.round(Number(row.amount ?? 0) * 100);
          e.n++;
        }
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      for (const e of Object.values(out)) e.amount /= 100;
      return Object.fromEntries(Object.keys(out).sort().map((k) => [k, out[k]!]));
    };

    // Duplicate checks: Meridian's rules (findDuplicates, which refuseDuplicates runs on create)
    // against one hand-written statement over the same expression indexes (startup.ts).
    const phoneKeyExpr = (c: string) => `right(regexp_replace(${c}, '[^0-9]', '', 'g'), 7)`;
    const webDomainExpr = (c: string) => {
      let e = `lower(btrim(${c}))`;
      for (const p of ['^[a-z][a-z0-9+.-]*://', '^[^/?#@]*@', '[:/?#].*$', '^www\\.', '\\.$']) e = `regexp_replace(${e}, ${lit(p)}, '')`;
      return e;
    };
    const companyExpr = (c: string) => `btrim(regexp_replace(btrim(regexp_replace(lower(${c}), '[^a-z0-9]+', ' ', 'g')), ${lit(`( (${LEGAL_SUFFIXES.join('|')}))+$`)}, ''))`;
    // Phones: the key index narrows, then the full digits confirm (Meridian confirms with libphonenumber in JS;
    // all generated numbers carry +1, so comparing the digits of the E.164 form gives the same answer here).
    const rawDupContactSql = `SELECT id, name, score FROM (SELECT DISTINCT ON (id) * FROM (SELECT id, last_name AS name, 1 AS score, created_at FROM ${T.contact} WHERE deleted_at IS NULL AND lower(email) = $1
      UNION SELECT id, last_name, 0.9, created_at FROM ${T.contact} WHERE deleted_at IS NULL AND ${phoneKeyExpr('phone')} = ANY($2::text[]) AND regexp_replace(phone, '[^0-9]', '', 'g') = ANY($3::text[])
      UNION SELECT id, last_name, 0.9, created_at FROM ${T.contact} WHERE deleted_at IS NULL AND ${phoneKeyExpr('mobile')} = ANY($2::text[]) AND regexp_replace(mobile, '[^0-9]', '', 'g') = ANY($3::text[])
      ) u ORDER BY id, score DESC) d ORDER BY score DESC, created_at LIMIT 5`;
    const rawDupAccountSql = `SELECT id, name, score FROM (SELECT DISTINCT ON (id) * FROM (
        SELECT id, name, 0.9 AS score, 0::real AS sim, 0 AS rule, created_at FROM ${T.account} WHERE deleted_at IS NULL AND ${webDomainExpr('website')} = $1
        UNION ALL SELECT id, name, 0.95, 0, 1, created_at FROM ${T.account} WHERE deleted_at IS NULL AND ${companyExpr('name')} = $2
        UNION ALL (SELECT id, name, round(similarity(name, $3)::numeric, 2), similarity(name, $3), 2, created_at FROM ${T.account}
          WHERE deleted_at IS NULL AND name % $3 AND similarity(name, $3) >= 0.6 ORDER BY similarity(name, $3) DESC, created_at LIMIT 5)
      ) u ORDER BY id, score DESC) d ORDER BY score DESC, rule, sim DESC, created_at LIMIT 5`;
    let serial = 0;
    const newContact = () => {
      const n = 50_000_000 + serial++;
      return { first_name: 'New', last_name: `Person${n}`, email: `new.person${n}@example.org`, phone: `+1 415 ${String(n % 10_000_000).padStart(7, '0')}`, mobile: `+1 628 ${String((n * 3) % 10_000_000).padStart(7, '0')}` };
    };
    const newAccount = () => {
      const n = 50_000_000 + serial++;
      return { name: `Zephyrine Quantum ${n} GmbH`, website: `https://www.zephyrine${n}.example/` };
    };
    const digits = (p: string | null | undefined) => normalizePhone(p).replace(/\D/g, '');
    const rawDupContact = async (c: { email: string; phone: string; mobile: string | null }) => (await raw!.query(rawDupContactSql, [c.email.toLowerCase(), [...new Set([phoneKey(c.phone), phoneKey(c.mobile)].filter(Boolean))], [...new Set([digits(c.phone), digits(c.mobile)].filter(Boolean))]])).rows;
    const rawDupAccount = async (a: ReturnType<typeof newAccount>) => (await raw!.query(rawDupAccountSql, [webDomain(a.website), normalizeCompanyName(a.name), a.name])).rows;

    // ---- Same answers? -----------------------------------------------------------------------
    const m1 = await getAccountRollup({ ctx, id: root });
    const r1 = await rawRollup();
    console.log(`roll-up of the branch: ${m1.accounts} accounts, ${m1.contacts} contacts, ${m1.openOpportunities} open + ${m1.wonOpportunities} won deals`);
    console.log(`  same answer as the hand-written CTE: ${JSON.stringify(m1) === JSON.stringify(r1) ? 'yes' : `NO\n  meridian ${JSON.stringify(m1)}\n  raw      ${JSON.stringify(r1)}`}`);
    if (opts.only.includes('pipeline')) {
      pages = 0;
      let p1!: Awaited<ReturnType<typeof meridianPipeline>>;
      const qs = await captureQueries(async () => void (p1 = await meridianPipeline()));
      const pageSql = qs.filter((x) => new RegExp(`FROM "?${T.opportunity}"?`).test(x.text))[1] ?? qs.filter((x) => new RegExp(`FROM "?${T.opportunity}"?`).test(x.text))[0];
      console.log(`  statements for one Meridian pipeline total: ${qs.length}`);
      if (pageSql) {
        const p = (await raw.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${pageSql.text}`, pageSql.values)).rows.map((x) => x['QUERY PLAN']);
        console.log(`  Meridian page SQL (2nd page): ${pageSql.text.replace(/\s+/g, ' ')}\n  params ${JSON.stringify(pageSql.values).slice(0, 300)}\n${p.map((l) => `    ${l}`).join('\n')}`);
      }
      const p2 = await rawPipeline();
      const total = Object.values(p2).reduce((n, x) => n + x.n, 0);
      console.log(`pipeline this quarter (${qStart} – ${qEnd}): ${total} opportunities; Meridian pages through them in ${pages} listRecords calls of 200`);
      console.log(`  same answer as GROUP BY: ${JSON.stringify(p1) === JSON.stringify(p2) ? 'yes' : `NO\n  meridian ${JSON.stringify(p1)}\n  raw      ${JSON.stringify(p2)}`}`);
    }
    {
      const c = newContact();
      const q = await captureQueries(async () => void (await findDuplicates({ ctx, object: contact, record: c })));
      console.log(`duplicate check, new contact: ${q.length} statements; raw finds ${(await rawDupContact(c)).length} candidates`);
      const a = newAccount();
      const qa = await captureQueries(async () => void (await findDuplicates({ ctx, object: account, record: a })));
      console.log(`duplicate check, new account: ${qa.length} statements; raw finds ${(await rawDupAccount(a)).length} candidates`);
      const fuzzy = qa.find((x) => /similarity\(/.test(x.text));
      if (fuzzy) {
        const cl = await raw.connect();
        try {
          await cl.query('SET pg_trgm.similarity_threshold = 0.6');
          const p = (await cl.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE) ${fuzzy.text}`, fuzzy.values)).rows.map((x) => x['QUERY PLAN']);
          console.log(`  Meridian similar_name SQL: ${fuzzy.text.replace(/\s+/g, ' ')}\n${p.map((l) => `    ${l}`).join('\n')}`);
        } finally {
          cl.release();
        }
      }
      // Existing records must be found by both.
      const ex = (await raw.query<{ email: string; phone: string; mobile: string | null }>(`SELECT email, phone, mobile FROM ${T.contact} WHERE mobile IS NOT NULL ORDER BY id LIMIT 1`)).rows[0]!;
      const md = await findDuplicates({ ctx, object: contact, record: { ...ex } });
      const rd = await rawDupContact(ex);
      console.log(`  existing contact: Meridian ${md.length} candidates, raw ${rd.length}${md.map((x) => x.id).sort().join() === rd.map((x) => x.id).sort().join() ? ' (same ids)' : ' (DIFFERENT ids)'}`);
      const exA = (await raw.query<{ name: string; website: string }>(`SELECT name, website FROM ${T.account} ORDER BY id LIMIT 1`)).rows[0]!;
      const mda = await findDuplicates({ ctx, object: account, record: { ...exA } });
      const rda = await rawDupAccount(exA);
      console.log(`  existing account: Meridian ${mda.length} candidates (${[...new Set(mda.map((x) => x.rule))].join(', ')}), raw ${rda.length}${mda.map((x) => x.id).sort().join() === rda.map((x) => x.id).sort().join() ? ' (same ids)' : ' (DIFFERENT ids)'}`);
      const plan = async (sqlText: string, params: unknown[]) => (await raw!.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE) ${sqlText}`, params)).rows.map((x) => x['QUERY PLAN']).filter((l) => /Scan|Execution Time/.test(l)).map((l) => l.trim().replace(/\s+\(cost.*$/, '').replace(/^->\s*/, '')).join(' + ');
      console.log(`  raw contact plan: ${await plan(rawDupContactSql, [c.email, [phoneKey(c.phone), phoneKey(c.mobile)], [digits(c.phone), digits(c.mobile)]])}`);
      const client = await raw.connect();
      try {
        await client.query('SET pg_trgm.similarity_threshold = 0.6');
        const p = (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE) ${rawDupAccountSql}`, [webDomain(a.website), normalizeCompanyName(a.name), a.name])).rows.map((x) => x['QUERY PLAN']).filter((l) => /Scan|Execution Time/.test(l)).map((l) => l.trim().replace(/\s+\(cost.*$/, '').replace(/^->\s*/, '')).join(' + ');
        console.log(`  raw account plan: ${p}`);
      } finally {
        client.release();
      }
    }
    console.log('');

    // ---- HTTP app --------------------------------------------------------------------------
    app = await buildApp(platform, { logger: false });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as { port: number }).port;
    {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/account/${root}/rollup`, { headers: { authorization: `Bearer ${tokenInfo.token}` } });
      const body = await res.text();
      console.log(`GET /api/v1/account/{id}/rollup: HTTP ${res.status}, same body as in-process: ${body === JSON.stringify(m1) ? 'yes' : body.slice(0, 200)}\n`);
    }

    // ---- Measurement ---------------------------------------------------------------------------
    const C = opts.concurrency;
    const W = opts.warmup;
    const S = opts.seconds;
    const plan: Array<[string, Array<[string, Runner]>]> = [];
    if (opts.only.includes('rollup')) {
      plan.push(['rollup 10k', [
        ['raw', (on) => runLoad(C, W, S, async () => void (await rawRollup()), on)],
        ['service', (on) => runLoad(C, W, S, async () => void (await getAccountRollup({ ctx, id: root })), on)],
        ['http', (on) => runHttpInWorker({ port, token: tokenInfo.token, paths: [`/api/v1/account/${root}/rollup`], concurrency: C, warmup: W, seconds: S }, on)],
      ]]);
    }
    if (opts.only.includes('pipeline')) {
      plan.push(['pipeline/qtr', [
        ['raw', (on) => runLoad(C, W, S, async () => void (await rawPipeline()), on)],
        ['service', (on) => runLoad(C, W, S, async () => void (await meridianPipeline()), on)],
      ]]);
    }
    if (opts.only.includes('dup')) {
      plan.push(['dup contact', [
        ['raw', (on) => runLoad(C, W, S, async () => void (await rawDupContact(newContact())), on)],
        ['service', (on) => runLoad(C, W, S, async () => void (await findDuplicates({ ctx, object: contact, record: newContact() })), on)],
      ]]);
      plan.push(['dup account', [
        ['raw', (on) => runLoad(C, W, S, async () => void (await rawDupAccount(newAccount())), on)],
        ['service', (on) => runLoad(C, W, S, async () => void (await findDuplicates({ ctx, object: account, record: newAccount() })), on)],
      ]]);
    }
    const results = await measurePlan({ plan, rounds: opts.rounds, warmup: W, admin, dbName });
    console.log(`\n${resultTable(results)}\n`);
    console.log('aim: each Meridian path within 1.5× of hand-written SQL (ratio column ≤ 1.5); duplicate check p95 < 20 ms');
    console.log(`load average at the end: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  } finally {
    await app?.close().catch(() => {});
    await raw?.end().catch(() => {});
    await database?.close().catch(() => {});
    await bench.finish(opts.keep);
    console.log(`total ${((performance.now() - t0) / 1000).toFixed(0)}s`);
  }
}

if (isMainThread) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
