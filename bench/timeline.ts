/**
 * Activities benchmark (issue 6, ACT-1/ACT-2): the first page of a record's timeline when the
 * record has 10,000 items, and the "my day" reads (today's agenda and the overdue tasks) of a
 * user who owns 50,000 activities — Meridian against hand-written SQL giving the same answer,
 * on the same PostgreSQL, in one run.
 *
 *   cd /work/main && npm exec -- node bench/timeline.ts [--items 10000] [--mine 50000] [--noise 200000]
 *       [--seconds 5] [--warmup 1] [--rounds 2] [--concurrency 4] [--keep]
 *
 * Creates a throwaway database on the local PostgreSQL server (dropped at the end), boots the
 * platform, creates an admin and a sales rep (standard profile, America/New_York), and generates
 * with INSERT … SELECT generate_series:
 *   - one account with --items activities linked to it (tasks, meetings, calls, notes, logged
 *     e-mails; a third of the tasks and events upcoming) and 60 owner changes in its history;
 *   - --mine activities owned by the rep over five years (95 % of past tasks completed), plus 20
 *     weekly meetings and 10 daily tasks that repeat;
 *   - --noise other activities on 1,000 other accounts, so the link table is realistic.
 * Operations (each with a `raw` side of hand-written SQL, a `service` side calling Meridian
 * in-process and an `http` side through the real API, client in a worker thread):
 *   timeline p1     GET /api/v1/account/{id}/timeline?limit=50, as the admin; raw is the hand-written
 *                   query on the links' sort keys, `naive` the natural one without them (join all, sort);
 *   myday agenda    GET /api/v1/me/agenda for today, as the rep (recurring series expanded);
 *   myday overdue   GET /api/v1/task?filter=<mine, open, due before today>&sort=due_date&limit=50, as the rep.
 * Not a test: run it by hand. See bench/README.md and docs/performance.md.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';
import pg from 'pg';
import { captureQueries, createBenchDatabase, fmt, measurePlan, resultTable, runHttpInWorker, runLoad, type Runner } from './lib.ts';

interface Options {
  items: number;
  mine: number;
  noise: number;
  seconds: number;
  warmup: number;
  rounds: number;
  concurrency: number;
  pool: number;
  keep: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { items: 10_000, mine: 50_000, noise: 200_000, seconds: 5, warmup: 1, rounds: 2, concurrency: 4, pool: 10, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v < 0) throw new Error(`${a} needs a number`);
      return v;
    };
    if (a === '--items') o.items = Math.floor(num());
    else if (a === '--mine') o.mine = Math.floor(num());
    else if (a === '--noise') o.noise = Math.floor(num());
    else if (a === '--seconds') o.seconds = num();
    else if (a === '--warmup') o.warmup = num();
    else if (a === '--rounds') o.rounds = Math.max(1, Math.floor(num()));
    else if (a === '--concurrency') o.concurrency = Math.max(1, Math.floor(num()));
    else if (a === '--pool') o.pool = Math.max(1, Math.floor(num()));
    else if (a === '--keep') o.keep = true;
    else if (a === '--help' || a === '-h') {
      console.log('Usage: npm exec -- node bench/timeline.ts [--items N] [--mine N] [--noise N] [--seconds S] [--warmup S] [--rounds R] [--concurrency C] [--pool P] [--keep]');
      process.exit(0);
    } else throw new Error(`Unknown argument ${a}`);
  }
  return o;
}

const OPEN = `('not_started','in_progress','deferred')`;

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const { loadConfig } = await import('../packages/server/src/platform/config.ts');
  const { bootPlatform, createLogger } = await import('../packages/server/src/platform/boot.ts');
  const { modules } = await import('../packages/server/src/modules/index.ts');
  const { openDatabase } = await import('../packages/server/src/platform/db/connection.ts');
  const { buildApp } = await import('../packages/server/src/platform/http/app.ts');
  const { createUser } = await import('../packages/server/src/platform/auth/users.ts');
  const { createApiToken, buildActor } = await import('../packages/server/src/platform/auth/sessions.ts');
  const { systemActor } = await import('../packages/server/src/platform/records/context.ts');
  const { listRecords } = await import('../packages/server/src/platform/records/read.ts');
  const { updateRecord } = await import('../packages/server/src/platform/records/write.ts');
  const { getTimeline } = await import('../packages/server/src/modules/activities/queries/timeline.ts');
  const { getAgenda, parseWindow } = await import('../packages/server/src/modules/activities/queries/agenda.ts');
  const { expandDates, expandInstants } = await import('../packages/server/src/modules/activities/domain/recurrence.ts');
  const { startActivities } = await import('../packages/server/src/modules/activities/startup.ts');
  const { DateTime } = await import('luxon');

  const bench = await createBenchDatabase('timeline');
  const { admin, dbName, databaseUrl, facts } = bench;

  console.log(`Meridian timeline / my-day benchmark — ${new Date().toISOString()}`);
  for (const line of facts) console.log(line);
  console.log(`database ${dbName}; ${opts.items} items on one record; ${opts.mine} activities of one user; ${opts.noise} other activities; concurrency ${opts.concurrency}; pool ${opts.pool}; ${opts.rounds} rounds of ${opts.warmup}s warm-up + ${opts.seconds}s per side\n`);

  let database: Awaited<ReturnType<typeof openDatabase>> | undefined;
  let raw: pg.Pool | undefined;
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  const t0 = performance.now();
  try {
    database = await openDatabase({ databaseUrl, poolSize: opts.pool });
    const config = { ...loadConfig({}), databaseUrl, logLevel: 'silent', publicUrl: 'http://127.0.0.1' };
    const platform = await bootPlatform({ config, modules, database, logger: createLogger('silent') });
    const T = Object.fromEntries(['account', 'task', 'meeting', 'call', 'note', 'email_log', 'activity_link'].map((o) => [o, platform.registry.requireObject(o).table])) as Record<string, string>;

    const mkUser = async (email: string, profile: string, timeZone: string) => {
      const u = await createUser({ platform, actor: systemActor(), input: { email, firstName: 'Bench', lastName: profile, profile } });
      await raw!.query(`UPDATE obj_user SET time_zone = $1 WHERE id = $2`, [timeZone, u.id]);
      const row = { id: u.id as string, email, profile, role: null, active: true, time_zone: timeZone, locale: 'en-US', full_name: `Bench ${profile}` };
      const token = await createApiToken({ platform, actor: await buildActor(platform, row, 'api'), name: 'bench' });
      return { row, token: token.token, actor: await buildActor(platform, row, 'api', token.id) };
    };
    raw = new pg.Pool({ connectionString: databaseUrl, max: opts.pool, options: '-c TimeZone=UTC' });
    raw.on('error', () => {});
    const boss = await mkUser('bench-admin@example.com', 'admin', 'UTC');
    const rep = await mkUser('bench-rep@example.com', 'standard', 'America/New_York');
    const A = boss.row.id;
    const U = rep.row.id;

    // ---- Data ------------------------------------------------------------------------------
    const step = async (label: string, q: string) => {
      const s = performance.now();
      await raw!.query(q);
      console.log(`  ${label}: ${((performance.now() - s) / 1000).toFixed(1)}s`);
    };
    const sys = (owner: string, seconds: string) => `'${owner}', '${owner}', '${owner}', now() - (${seconds} || ' seconds')::interval, now() - (${seconds} || ' seconds')::interval`;
    console.log('generating data:');
    await step('1,001 accounts', `INSERT INTO ${T.account} (id, owner_id, created_by, updated_by, created_at, updated_at, name)
      SELECT md5('acct' || n)::uuid, ${sys(A, 'n')}, 'Account ' || n FROM generate_series(0, 1000) n`);
    const X = (await raw.query<{ id: string }>(`SELECT md5('acct0')::uuid AS id`)).rows[0]!.id;

    // One generator per kind: rows numbered n in [lo, hi), owned by owner, linked to account acct(n).
    // Dates: k in [0, 1) spreads them from 4 years back to 1 year ahead (upcoming ≈ 20 %).
    const when = (n: string, salt: number) => `now() - interval '1460 days' + (((${n} * ${salt}::bigint) % 1826) || ' days')::interval + (((${n} * 7) % 600 + 420) || ' minutes')::interval`;
    const gen = async (label: string, count: number, owner: string, acct: (n: string) => string, prefix: string) => {
      if (count <= 0) return;
      const part = (share: number) => Math.floor(count * share);
      const nT = part(0.3), nM = part(0.2), nC = part(0.2), nN = part(0.15);
      const nE = count - nT - nM - nC - nN;
      const id = (kind: string, n: string) => `md5('${prefix}${kind}' || ${n})::uuid`;
      await step(`${label}: ${nT} tasks`, `INSERT INTO ${T.task} (id, owner_id, created_by, updated_by, created_at, updated_at, subject, due_date, status, priority, account_id)
        SELECT ${id('t', 'n')}, ${sys(owner, 'n')}, 'Task ' || n, (${when('n', 7919)})::date,
          CASE WHEN (${when('n', 7919)}) < now() AND n % 20 <> 0 THEN 'completed' WHEN n % 3 = 0 THEN 'in_progress' ELSE 'not_started' END, 'normal', ${acct('n')}
        FROM generate_series(1, ${nT}) n`);
      for (const [kind, k, c] of [['meeting', 'm', nM], ['call', 'c', nC]] as const) {
        await step(`${label}: ${c} ${kind}s`, `INSERT INTO ${T[kind]} (id, owner_id, created_by, updated_by, created_at, updated_at, subject, start_at, end_at, time_zone, status, priority, account_id)
          SELECT ${id(k, 'n')}, ${sys(owner, 'n')}, '${kind} ' || n, ${when('n', 104729)}, ${when('n', 104729)} + interval '30 minutes', 'America/New_York',
            CASE WHEN (${when('n', 104729)}) < now() THEN 'held' ELSE 'scheduled' END, 'normal', ${acct('n')}
          FROM generate_series(1, ${c}) n`);
      }
      await step(`${label}: ${nN} notes`, `INSERT INTO ${T.note} (id, owner_id, created_by, updated_by, created_at, updated_at, title, body, account_id)
        SELECT ${id('n', 'n')}, ${sys(owner, '(n * 997) % 126000000')}, 'Note ' || n, '<p>Body ' || n || '</p>', ${acct('n')} FROM generate_series(1, ${nN}) n`);
      await step(`${label}: ${nE} e-mails`, `INSERT INTO ${T.email_log} (id, owner_id, created_by, updated_by, created_at, updated_at, subject, direction, sent_at, account_id)
        SELECT ${id('e', 'n')}, ${sys(owner, '(n * 991) % 126000000')}, 'Mail ' || n, 'outbound', now() - (((n * 991) % 126000000) || ' seconds')::interval, ${acct('n')} FROM generate_series(1, ${nE}) n`);
      // The links the afterSave hook would have written for each typed lookup.
      for (const [kind, k, c] of [['task', 't', nT], ['meeting', 'm', nM], ['call', 'c', nC], ['note', 'n', nN], ['email_log', 'e', nE]] as const) {
        await step(`${label}: ${c} ${kind} links`, `INSERT INTO ${T.activity_link} (id, owner_id, created_by, updated_by, created_at, updated_at, activity_object, activity_id, record_object, record_id)
          SELECT md5('${prefix}l${k}' || n)::uuid, ${sys(owner, 'n')}, '${kind}', ${id(k, 'n')}::text, 'account', (${acct('n')})::text FROM generate_series(1, ${c}) n`);
      }
    };
    await gen('record', opts.items, A, () => `'${X}'::uuid`, 'x');
    await gen('noise', opts.noise, A, (n) => `md5('acct' || (1 + ${n} % 1000))::uuid`, 'z');
    await gen('mine', opts.mine, U, (n) => `md5('acct' || (1 + ${n} % 1000))::uuid`, 'u');
    await step('rep: 20 weekly meetings, 10 daily tasks', `
      WITH m AS (INSERT INTO ${T.meeting} (id, owner_id, created_by, updated_by, created_at, updated_at, subject, start_at, end_at, time_zone, status, priority, recurrence_rule)
        SELECT md5('rm' || n)::uuid, ${sys(U, 'n')}, 'Weekly ' || n, date_trunc('day', now() - interval '400 days') + ((n * 37) || ' minutes')::interval + interval '13 hours',
          date_trunc('day', now() - interval '400 days') + ((n * 37) || ' minutes')::interval + interval '13 hours 30 minutes', 'America/New_York', 'scheduled', 'normal', 'FREQ=WEEKLY'
        FROM generate_series(1, 20) n RETURNING id)
      INSERT INTO ${T.task} (id, owner_id, created_by, updated_by, created_at, updated_at, subject, due_date, status, priority, recurrence_rule)
        SELECT md5('rt' || n)::uuid, ${sys(U, 'n')}, 'Daily ' || n, (now() - interval '300 days')::date, 'not_started', 'normal', 'FREQ=DAILY' FROM generate_series(1, 10) n`);
    // 60 owner changes of the record, through the pipeline so history is real.
    const adminCtx = { platform, actor: boss.actor };
    const account = platform.registry.requireObject('account');
    for (let i = 0; i < 60; i++) await updateRecord({ ctx: adminCtx, object: account, id: X, input: { owner: i % 2 ? A : U } });
    // Links written by SQL get their timeline sort keys the way a start-up fills them in.
    {
      const s0 = performance.now();
      await startActivities(platform);
      console.log(`  sort keys of the links (start-up backfill): ${((performance.now() - s0) / 1000).toFixed(1)}s`);
    }
    await step('ANALYZE', 'ANALYZE');

    // ---- Hand-written SQL ------------------------------------------------------------------
    // Timeline, page 1: the same UNION the natural hand-written query has; no access checks (admin).
    // The natural hand-written query without sort keys: join every link, sort, cut (for reference).
    const naiveTimelineSql = () => {
      const tz = 'UTC';
      const parts = [
        `SELECT 'task' AS kind, a.id::text AS item_id, COALESCE((a.due_date::timestamp AT TIME ZONE '${tz}'), a.created_at) AS at, (a.status IN ${OPEN}) AS upcoming, a.subject AS title, a.status::text AS status
          FROM ${T.activity_link} l JOIN ${T.task} a ON a.id = l.activity_id::uuid WHERE l.record_object = 'account' AND l.record_id = $1 AND l.activity_object = 'task' AND l.deleted_at IS NULL AND a.deleted_at IS NULL`,
        ...(['meeting', 'call'] as const).map((k) => `SELECT '${k}', a.id::text, a.start_at, (a.status = 'scheduled' AND a.start_at > now()), a.subject, a.status::text
          FROM ${T.activity_link} l JOIN ${T[k]} a ON a.id = l.activity_id::uuid WHERE l.record_object = 'account' AND l.record_id = $1 AND l.activity_object = '${k}' AND l.deleted_at IS NULL AND a.deleted_at IS NULL`),
        `SELECT 'email_log', a.id::text, COALESCE(a.sent_at, a.created_at), false, a.subject, a.direction::text
          FROM ${T.activity_link} l JOIN ${T.email_log} a ON a.id = l.activity_id::uuid WHERE l.record_object = 'account' AND l.record_id = $1 AND l.activity_object = 'email_log' AND l.deleted_at IS NULL AND a.deleted_at IS NULL`,
        `SELECT 'note', a.id::text, a.created_at, false, a.title, NULL
          FROM ${T.activity_link} l JOIN ${T.note} a ON a.id = l.activity_id::uuid WHERE l.record_object = 'account' AND l.record_id = $1 AND l.activity_object = 'note' AND l.deleted_at IS NULL AND a.deleted_at IS NULL`,
        `SELECT 'change', h.id::text, h.occurred_at, false, NULL, NULL FROM record_history h
          WHERE h.object = 'account' AND h.record_id = $1::uuid AND ((h.field IS NULL AND h.operation <> 'update') OR (h.operation = 'update' AND h.field IN ('owner')))`,
      ];
      return `SELECT * FROM (${parts.join(' UNION ALL ')}) u
        ORDER BY CASE WHEN u.upcoming THEN 0 ELSE 1 END, CASE WHEN u.upcoming THEN extract(epoch FROM u.at) ELSE -extract(epoch FROM u.at) END, u.item_id LIMIT 51`;
    };
    const naiveTimeline = async () => (await raw!.query<{ item_id: string }>(naiveTimelineSql(), [X])).rows.slice(0, 50).map((x) => x.item_id);
    // The best hand-written query on the same schema: each kind in sort-key index order, one page each, merged.
    const keyedTimelineSql = () => {
      const kinds: Array<[string, string, string]> = [['task', 'a.subject', 'a.status'], ['meeting', 'a.subject', 'a.status'], ['call', 'a.subject', 'a.status'], ['email_log', 'a.subject', 'a.direction'], ['note', 'a.title', 'NULL']];
      const branch = (k: string, title: string, status: string, up: 'up' | 'never' | 'passed') => `(SELECT '${k}' AS kind, l.activity_id AS item_id, ${up === 'up' ? 0 : 1} AS bucket, l.sort_at AS at, ${title}::text AS title, ${status}::text AS status
          FROM ${T.activity_link} l JOIN ${T[k]} a ON a.id = l.activity_id::uuid
          WHERE l.record_object = 'account' AND l.record_id = $1 AND l.activity_object = '${k}' AND l.deleted_at IS NULL AND a.deleted_at IS NULL AND l.sort_at IS NOT NULL
            AND ${up === 'up' ? `l.upcoming_until IS NOT NULL AND l.upcoming_until > now() ORDER BY l.sort_at, l.activity_id`
              : up === 'never' ? `l.upcoming_until IS NULL ORDER BY l.sort_at DESC, l.activity_id DESC`
              : `l.upcoming_until IS NOT NULL AND l.upcoming_until <= now() AND l.sort_at <= now() ORDER BY l.sort_at DESC, l.activity_id DESC`} LIMIT 51)`;
      const up = kinds.slice(0, 3).map(([k, t, st]) => branch(k, t, st, 'up'));
      const past = [...kinds.map(([k, t, st]) => branch(k, t, st, 'never')), ...kinds.slice(0, 3).map(([k, t, st]) => branch(k, t, st, 'passed')),
        `(SELECT 'change', h.id::text, 1, h.occurred_at, NULL, NULL FROM record_history h WHERE h.object = 'account' AND h.record_id = $1::uuid
            AND ((h.field IS NULL AND h.operation <> 'update') OR (h.operation = 'update' AND h.field IN ('owner'))) ORDER BY h.occurred_at DESC, h.id DESC LIMIT 51)`];
      return `(SELECT * FROM (${up.join(' UNION ALL ')}) p ORDER BY at, item_id LIMIT 51) UNION ALL (SELECT * FROM (${past.join(' UNION ALL ')}) p ORDER BY at DESC, item_id DESC LIMIT 51)`;
    };
    const rawTimeline = async () => {
      const rows = (await raw!.query<{ item_id: string; bucket: number; at: Date }>(keyedTimelineSql(), [X])).rows;
      rows.sort((x, y) => x.bucket - y.bucket || (x.bucket === 0 ? 1 : -1) * (x.at.getTime() - y.at.getTime() || (x.item_id < y.item_id ? -1 : 1)));
      return rows.slice(0, 50).map((x) => x.item_id);
    };
    const repTz = 'America/New_York';
    const today = DateTime.now().setZone(repTz).toISODate()!;
    const tomorrow = DateTime.fromISO(today, { zone: repTz }).plus({ days: 1 }).toISODate()!;
    const win = parseWindow({ from: today, to: tomorrow }, repTz);
    // Today's agenda: the rep's meetings, calls and tasks of today, series expanded with the same library.
    const rawAgenda = async () => {
      const out: string[] = [];
      for (const k of ['meeting', 'call']) {
        const r = await raw!.query<{ id: string; start_at: Date; end_at: Date | null; time_zone: string | null; recurrence_rule: string | null }>(
          `SELECT id, subject, status, start_at, end_at, time_zone, recurrence_rule FROM ${T[k]} WHERE owner_id = $1 AND deleted_at IS NULL AND start_at < $3 AND recurrence_rule IS NOT NULL
           UNION ALL
           SELECT id, subject, status, start_at, end_at, time_zone, recurrence_rule FROM ${T[k]} WHERE owner_id = $1 AND deleted_at IS NULL AND start_at < $3 AND recurrence_rule IS NULL
             AND (end_at IS NULL OR end_at - start_at <= interval '1 day') AND start_at >= $2::timestamptz - interval '1 day' AND COALESCE(end_at, start_at) >= $2
           UNION ALL
           SELECT id, subject, status, start_at, end_at, time_zone, recurrence_rule FROM ${T[k]} WHERE owner_id = $1 AND deleted_at IS NULL AND start_at < $3 AND recurrence_rule IS NULL
             AND end_at - start_at > interval '1 day' AND end_at >= $2`, [U, win.from, win.to]);
        for (const e of r.rows) {
          if (!e.recurrence_rule) out.push(e.id);
          else for (const s of expandInstants({ rule: e.recurrence_rule, start: e.start_at, timeZone: e.time_zone || repTz, from: new Date(win.from.getTime() - 1_800_000), to: win.to, exceptions: new Set<string>() })) if (s.getTime() + 1_800_000 >= win.from.getTime()) out.push(`${e.id}@${s.toISOString().replace('.000Z', 'Z')}`);
        }
      }
      const t = await raw!.query<{ id: string; due_date: string; recurrence_rule: string | null }>(
        `SELECT id, subject, status, due_date::text AS due_date, recurrence_rule FROM ${T.task} WHERE owner_id = $1 AND deleted_at IS NULL AND due_date <= $3::date AND recurrence_rule IS NOT NULL
           UNION ALL
           SELECT id, subject, status, due_date::text AS due_date, recurrence_rule FROM ${T.task} WHERE owner_id = $1 AND deleted_at IS NULL AND due_date <= $3::date
             AND recurrence_rule IS NULL AND due_date >= $2::date`, [U, today, today]);
      for (const x of t.rows) {
        if (!x.recurrence_rule) out.push(x.id);
        else for (const d of expandDates({ rule: x.recurrence_rule, start: x.due_date, from: today, to: today, exceptions: new Set<string>() })) out.push(`${x.id}@${d}`);
      }
      return out;
    };
    const rawOverdue = async () => (await raw!.query<{ id: string }>(
      `SELECT id, subject, due_date, status, priority FROM ${T.task} WHERE owner_id = $1 AND deleted_at IS NULL AND status IN ${OPEN} AND due_date < $2::date AND recurrence_rule IS NULL ORDER BY due_date, id LIMIT 50`, [U, today])).rows.map((x) => x.id);

    const repCtx = { platform, actor: rep.actor };
    const task = platform.registry.requireObject('task');
    // The home page's condition (packages/web/src/features/home/OverdueTasks.tsx).
    const overdueFilter = { and: [{ field: 'owner', op: 'eq', value: U }, { field: 'status', op: 'in', value: ['not_started', 'in_progress', 'deferred'] }, { field: 'due_date', op: 'lt', value: { relative: 'today' } }, { field: 'recurrence_rule', op: 'isNull' }] };
    const overdueFields = ['subject', 'due_date', 'status', 'priority'];
    const svcTimeline = async () => (await getTimeline({ ctx: adminCtx, object: 'account', id: X, limit: 50 })).data.map((x) => x.id);
    const svcAgenda = async () => (await getAgenda({ ctx: repCtx, from: win.from, to: win.to })).map((o) => (o.recurring ? `${o.id}@${o.start ?? o.dueDate}` : o.id));
    const svcOverdue = async () => (await listRecords({ ctx: repCtx, object: task, filter: overdueFilter, fields: overdueFields, sort: 'due_date', limit: 50 })).data.map((x) => x.id);

    // Same answers, or the comparison means nothing.
    const same = (a: string[], b: string[]) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
    const checks: Array<[string, string[], string[]]> = [['timeline', await rawTimeline(), await svcTimeline()], ['timeline (no sort keys)', await naiveTimeline(), await svcTimeline()], ['agenda', await rawAgenda(), await svcAgenda()], ['overdue', await rawOverdue(), await svcOverdue()]];
    for (const [name, a, b] of checks) console.log(`${name}: raw ${a.length} items, Meridian ${b.length}, same: ${same(a, b) ? 'yes' : 'NO'}`);

    // Round trips behind one call of each Meridian side.
    for (const [name, fn] of [['timeline', svcTimeline], ['agenda', svcAgenda], ['overdue', svcOverdue]] as const) {
      const qs = await captureQueries(async () => void (await fn()));
      console.log(`${name}: ${qs.length} statements — ${qs.map((q) => q.text.replace(/\s+/g, ' ').slice(0, 60)).join(' | ')}`);
    }
    const explain = async (label: string, q: string, params: unknown[]) => {
      const r = await raw!.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${q}`, params);
      console.log(`\n${label}:\n${r.rows.map((x: Record<string, string>) => `  ${x['QUERY PLAN']}`).join('\n')}`);
    };
    await explain('timeline (hand-written, sort keys)', keyedTimelineSql(), [X]);
    await explain('timeline (hand-written, no sort keys)', naiveTimelineSql(), [X]);
    await explain('overdue (hand-written)', `SELECT id FROM ${T.task} WHERE owner_id = $1 AND deleted_at IS NULL AND status IN ${OPEN} AND due_date < $2::date ORDER BY due_date, id LIMIT 50`, [U, today]);
    await explain('agenda, meetings (hand-written)', `SELECT id FROM ${T.meeting} WHERE owner_id = $1 AND deleted_at IS NULL AND start_at < $3 AND recurrence_rule IS NOT NULL
       UNION ALL SELECT id FROM ${T.meeting} WHERE owner_id = $1 AND deleted_at IS NULL AND start_at < $3 AND recurrence_rule IS NULL
         AND (end_at IS NULL OR end_at - start_at <= interval '1 day') AND start_at >= $2::timestamptz - interval '1 day' AND COALESCE(end_at, start_at) >= $2
       UNION ALL SELECT id FROM ${T.meeting} WHERE owner_id = $1 AND deleted_at IS NULL AND start_at < $3 AND recurrence_rule IS NULL AND end_at - start_at > interval '1 day' AND end_at >= $2`, [U, win.from, win.to]);

    app = await buildApp(platform);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    const enc = encodeURIComponent;

    // ---- Measurement -----------------------------------------------------------------------
    const C = opts.concurrency;
    const W = opts.warmup;
    const S = opts.seconds;
    const plan: Array<[string, Array<[string, Runner]>]> = [
      ['timeline p1', [
        ['raw', (on) => runLoad(C, W, S, async () => void (await rawTimeline()), on)],
        ['naive', (on) => runLoad(C, W, S, async () => void (await naiveTimeline()), on)],
        ['service', (on) => runLoad(C, W, S, async () => void (await svcTimeline()), on)],
        ['http', (on) => runHttpInWorker({ port, token: boss.token, paths: [`/api/v1/account/${X}/timeline?limit=50`], concurrency: C, warmup: W, seconds: S }, on)],
      ]],
      ['myday agenda', [
        ['raw', (on) => runLoad(C, W, S, async () => void (await rawAgenda()), on)],
        ['service', (on) => runLoad(C, W, S, async () => void (await svcAgenda()), on)],
        ['http', (on) => runHttpInWorker({ port, token: rep.token, paths: [`/api/v1/me/agenda?from=${today}&to=${tomorrow}`], concurrency: C, warmup: W, seconds: S }, on)],
      ]],
      ['myday overdue', [
        ['raw', (on) => runLoad(C, W, S, async () => void (await rawOverdue()), on)],
        ['service', (on) => runLoad(C, W, S, async () => void (await svcOverdue()), on)],
        ['http', (on) => runHttpInWorker({ port, token: rep.token, paths: [`/api/v1/task?filter=${enc(JSON.stringify(overdueFilter))}&fields=${overdueFields.join(',')}&sort=due_date&limit=50`], concurrency: C, warmup: W, seconds: S }, on)],
      ]],
    ];
    const results = await measurePlan({ plan, rounds: opts.rounds, warmup: W, admin, dbName });
    console.log(`\n${resultTable(results)}\n`);
    const worst = Math.max(...results.filter((x) => x.side === 'service' || x.side === 'http').map((x) => x.stats.p95));
    console.log(`aim: p95 < 30 ms for every Meridian side — worst p95 ${fmt(worst)} ms`);
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
