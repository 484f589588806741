/**
 * Approvals' record lock benchmark (issue 14 item 6): what the lock hook — a wildcard
 * beforeSave on every update — costs a write, against the same writes in the same run.
 *
 *   cd /work/main && npm exec -- node bench/approvals.ts [--records 2000] [--rounds 3] [--keep]
 *
 * Creates a throwaway database on the local PostgreSQL server (bench/lib.ts), boots the platform,
 * writes --records accounts in SQL, then updates each account's phone once per round, one write
 * after the other, as a non-admin actor (admins skip the hook):
 *   raw       the floor: the same UPDATEs in plain SQL, one statement each.
 *   none      updateRecord with no approval process anywhere: the hook answers from its map.
 *   process   updateRecord with an active process on account (none of the records pending):
 *             the hook asks the partial index whether the record waits for approval.
 *   pending   the same write refused because the record is pending (one in ten of the records):
 *             the cost of a 409, for scale.
 * Rounds alternate the three pipeline variants so the loaded machine's noise spreads over all of
 * them; the median round is reported. Not a test: run it by hand. See docs/performance.md.
 */
import { performance } from 'node:perf_hooks';
import { benchChecks, bootBenchPlatform, createBenchDatabase, parseBenchArgs } from './lib.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const opts = parseBenchArgs(process.argv.slice(2), { records: 2000, rounds: 3 }, 'bench/approvals.ts [--records N] [--rounds N] [--keep]');
  const { updateRecord } = await import('../packages/server/src/platform/records/write.ts');
  const { systemActor } = await import('../packages/server/src/platform/records/context.ts');
  const { saveApprovalProcess, deleteApprovalProcess } = await import('../packages/server/src/modules/approvals/index.ts');
  const bench = await createBenchDatabase('approvals');
  console.log(`Meridian approvals lock benchmark — ${new Date().toISOString()}`);
  for (const line of bench.facts) console.log(line);
  console.log(`options: ${opts.records} accounts, ${opts.rounds} rounds\n`);
  const { check, failed } = benchChecks();
  let booted: Awaited<ReturnType<typeof bootBenchPlatform>> | undefined;
  try {
    booted = await bootBenchPlatform(bench.databaseUrl);
    const { platform, db, table } = booted;
    await db.query(`INSERT INTO ${table('account')} (id, name, currency, employees) SELECT gen_random_uuid(), 'Customer ' || g, 'USD', 10 FROM generate_series(1, $1) g`, [opts.records]);
    const ids = (await db.query(`SELECT id FROM ${table('account')} ORDER BY id`)).rows.map((r: { id: string }) => r.id);
    await db.query('ANALYZE');
    // Non-admin, unrestricted by a profile: the lock hook runs in full, access adds nothing.
    const actor = { userId: null, isAdmin: false, via: 'api' as const, timeZone: 'UTC', locale: 'en-US' };
    const object = platform.registry.requireObject('account');
    let n = 0;
    const pipeline = async () => {
      const t0 = performance.now();
      for (const id of ids) await updateRecord({ ctx: { platform, actor }, object, id, input: { phone: `555 ${String(++n % 10000).padStart(4, '0')}` } });
      return (performance.now() - t0) / ids.length;
    };
    const raw = async () => {
      const t0 = performance.now();
      for (const id of ids) await db.query(`UPDATE ${table('account')} SET phone = $1, version = version + 1, updated_at = now() WHERE id = $2`, [`555 ${String(++n % 10000).padStart(4, '0')}`, id]);
      return (performance.now() - t0) / ids.length;
    };
    const admin = systemActor('api');
    const input = {
      name: 'bench_accounts', label: 'Bench', object: 'account', active: true, entryCriteria: null, submitters: [{ kind: 'owner' as const }],
      steps: [{ name: 'Manager', approvers: [{ kind: 'manager' as const }], mode: 'first' as const }],
    };
    const times: Record<'raw' | 'none' | 'process', number[]> = { raw: [], none: [], process: [] };
    await pipeline(); // warm-up: plans, caches
    for (let round = 0; round < opts.rounds; round++) {
      times.raw.push(await raw());
      times.none.push(await pipeline());
      const p = await saveApprovalProcess({ platform, actor: admin, input });
      times.process.push(await pipeline());
      await deleteApprovalProcess({ platform, actor: admin, id: p.id });
      console.log(`round ${round + 1}: raw ${times.raw.at(-1)!.toFixed(3)} ms, none ${times.none.at(-1)!.toFixed(3)} ms, process ${times.process.at(-1)!.toFixed(3)} ms per write`);
    }
    const [r, none, proc] = [median(times.raw), median(times.none), median(times.process)];
    console.log(`\nmedian per write: raw ${r.toFixed(3)} ms · pipeline without processes ${none.toFixed(3)} ms (${(none / r).toFixed(2)}× raw) · with an active process ${proc.toFixed(3)} ms (${(proc / none).toFixed(3)}× without, ${(proc / r).toFixed(2)}× raw)`);

    // Pending records refuse the write: the 409's cost, and the check that the lock holds.
    const p = await saveApprovalProcess({ platform, actor: admin, input });
    const pendingIds = ids.filter((_, i) => i % 10 === 0);
    await db.query(`INSERT INTO ${table('approval_request')} (id, name, target_object, record_id, process, status, submitted_at)
      SELECT gen_random_uuid(), 'Bench ' || x, 'account', x::text, 'bench_accounts', 'pending', now() FROM unnest($1::uuid[]) x`, [pendingIds]);
    let refused = 0;
    const t0 = performance.now();
    for (const id of pendingIds) {
      try {
        await updateRecord({ ctx: { platform, actor }, object, id, input: { phone: '+1 000 000 0000' } });
      } catch (error) {
        if ((error as { code?: string }).code === 'record_locked') refused++;
      }
    }
    console.log(`pending: ${pendingIds.length} writes refused in ${((performance.now() - t0) / pendingIds.length).toFixed(3)} ms each`);
    check('every write to a pending record refused with record_locked', refused === pendingIds.length, `${refused} of ${pendingIds.length}`);
    await deleteApprovalProcess({ platform, actor: admin, id: p.id });
    const phones = Number((await db.query(`SELECT count(*) FROM ${table('account')} WHERE phone = '+1 000 000 0000'`)).rows[0].count);
    check('no pending record changed', phones === 0, `${phones}`);
  } finally {
    await booted?.close();
    await bench.finish(opts.keep);
  }
  if (failed()) process.exitCode = 1;
}

await main();
