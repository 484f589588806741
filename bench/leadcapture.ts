/**
 * Speed-to-lead benchmark (issue 14 item 13): a web form submitted over real HTTP → the lead
 * created, routed by round robin and its owner notified in-app and by e-mail (a real SMTP server
 * in this process receives it). Per lead: the time from the visitor's POST to the owner's e-mail
 * arriving — the target is p99 < 5 s — against the raw SQL floor measured in the same run (one
 * INSERT of a lead row and of a notification row in a transaction).
 *
 *   cd /work/main && npm exec -- node bench/leadcapture.ts [--leads 400] [--concurrency 8] [--reps 4] [--keep]
 *
 * Creates a throwaway database on the local PostgreSQL server (dropped at the end; bench/lib.ts).
 * Checked: every submission answered 200, every lead created and assigned, the reps' shares equal,
 * one e-mail per lead, p99 under 5 s. Not a test: run it by hand. See docs/performance.md.
 */
import { performance } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { benchChecks, bootBenchPlatform, createBenchDatabase, fmt, parseBenchArgs } from './lib.ts';

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

async function main() {
  const opts = parseBenchArgs(process.argv.slice(2), { leads: 400, concurrency: 8, reps: 4 }, 'bench/leadcapture.ts [--leads N] [--concurrency N] [--reps N] [--keep]');
  const bench = await createBenchDatabase('leadcapture');
  console.log(`Meridian speed-to-lead benchmark — ${new Date().toISOString()}`);
  for (const line of bench.facts) console.log(line);
  console.log(`options: ${opts.leads} submissions, concurrency ${opts.concurrency}, ${opts.reps} reps in round robin\n`);
  const { check, failed } = benchChecks();

  // The owners' mailbox: when each e-mail arrived, by recipient and subject.
  const arrived = new Map<string, number>();
  const smtp = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const subject = /^Subject: (.*)$/m.exec(Buffer.concat(chunks).toString('utf8'))?.[1]?.trim() ?? '';
        arrived.set(subject, performance.now());
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));

  let booted: Awaited<ReturnType<typeof bootBenchPlatform>> | undefined;
  let app: Awaited<ReturnType<typeof import('../packages/server/src/platform/http/app.ts')['buildApp']>> | undefined;
  try {
    booted = await bootBenchPlatform(bench.databaseUrl);
    const { platform, db, table } = booted;
    platform.config.smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
    const { buildApp } = await import('../packages/server/src/platform/http/app.ts');
    const { createUser } = await import('../packages/server/src/platform/auth/users.ts');
    const { createRecord } = await import('../packages/server/src/platform/records/write.ts');
    const { systemActor } = await import('../packages/server/src/platform/records/context.ts');
    const { overrideSettings } = await import('../packages/server/src/platform/settings.ts');
    const { leadCaptureSettings } = await import('../packages/server/src/modules/leadcapture/settings.ts');
    overrideSettings(platform, leadCaptureSettings, { rateLimit: 0 });
    const ctx = { platform, actor: systemActor('system') };
    const make = (object: string, input: Record<string, unknown>) => createRecord({ ctx, object: platform.registry.requireObject(object), input });
    const group = await make('assignment_group', { name: 'Inside sales' });
    const reps: string[] = [];
    for (let i = 0; i < opts.reps; i++) {
      const u = await createUser({ platform, actor: systemActor('system'), input: { email: `rep${i}@bench.example`, lastName: `Rep ${i}`, profile: 'standard' } });
      reps.push(u.id);
      await make('assignment_group_member', { assignment_group: group.id, user: u.id });
    }
    await make('assignment_rule', { name: 'Everyone takes turns', sort_order: 1, target: 'round_robin', assignment_group: group.id });
    const form = await make('web_form', { name: 'Bench form', fields: 'first_name, last_name*, email*, company', min_seconds: 0 });
    app = await buildApp(platform, { logger: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

    // The raw floor: a lead row and a notification row in one transaction.
    const rawTimes: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      await db.query('BEGIN');
      const lead = await db.query(`INSERT INTO ${table('lead')} (id, last_name, email, status, owner_id) VALUES (gen_random_uuid(), $1, $2, 'new', $3) RETURNING id`, [`Raw ${i}`, `raw${i}@bench.example`, reps[i % reps.length]]);
      await db.query(`INSERT INTO user_notification (id, user_id, kind, object, record_id, title, body) VALUES (gen_random_uuid(), $1, 'bench', 'lead', $2, 't', 'b')`, [reps[i % reps.length], lead.rows[0].id]);
      await db.query('COMMIT');
      rawTimes.push(performance.now() - t0);
    }
    await db.query(`DELETE FROM user_notification WHERE kind = 'bench'`);
    await db.query(`DELETE FROM ${table('lead')} WHERE last_name LIKE 'Raw %'`);
    rawTimes.sort((a, b) => a - b);

    // Submissions: each worker loads the form (a token), then sends it; latency until the owner's e-mail arrived.
    const sentAt = new Map<string, { at: number; answered: number; status: number }>();
    let next = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: opts.concurrency }, async () => {
      for (;;) {
        const n = next++;
        if (n >= opts.leads) return;
        const page = await fetch(`${base}/api/v1/public/forms/${form.public_id}`);
        const { token } = (await page.json()) as { token: string };
        const name = `Visitor${n}`;
        const at = performance.now();
        const res = await fetch(`${base}/api/v1/public/forms/${form.public_id}`, {
          method: 'POST', headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ token, values: { first_name: 'Bench', last_name: name, email: `visitor${n}@prospect.example`, company: `Company ${n}` } }),
        });
        await res.arrayBuffer();
        sentAt.set(`New lead: Bench ${name} (Company ${n})`, { at, answered: performance.now(), status: res.status });
      }
    }));
    const wall = (performance.now() - t0) / 1000;
    const deadline = performance.now() + 30_000;
    while ([...sentAt.keys()].some((s) => !arrived.has(s)) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));

    const notified = [...sentAt].filter(([s]) => arrived.has(s)).map(([s, v]) => arrived.get(s)! - v.at).sort((a, b) => a - b);
    const answered = [...sentAt.values()].map((v) => v.answered - v.at).sort((a, b) => a - b);
    console.log(`raw floor (lead + notification INSERT, 1 tx): p50 ${fmt(pct(rawTimes, 50))} ms, p99 ${fmt(pct(rawTimes, 99))} ms`);
    console.log(`submit answered:  p50 ${fmt(pct(answered, 50))} ms, p95 ${fmt(pct(answered, 95))} ms, p99 ${fmt(pct(answered, 99))} ms`);
    console.log(`owner e-mailed:   p50 ${fmt(pct(notified, 50))} ms, p95 ${fmt(pct(notified, 95))} ms, p99 ${fmt(pct(notified, 99))} ms, max ${fmt(notified[notified.length - 1] ?? NaN)} ms`);
    console.log(`throughput: ${fmt(opts.leads / wall, 1)} submissions/s over ${fmt(wall, 1)} s; ratio of p50 to the raw floor ${fmt(pct(notified, 50) / pct(rawTimes, 50), 1)}×`);
    check('every submission answered 200', [...sentAt.values()].every((v) => v.status === 200), `${[...sentAt.values()].filter((v) => v.status !== 200).length} not 200`);
    const owners = (await db.query(`SELECT owner_id, count(*)::int AS n FROM ${table('lead')} WHERE web_form_id = $1 GROUP BY 1`, [form.id])).rows as Array<{ owner_id: string | null; n: number }>;
    check('every lead created and assigned', owners.reduce((s, o) => s + o.n, 0) === opts.leads && owners.every((o) => o.owner_id), owners.map((o) => o.n).join(', '));
    const shares = owners.map((o) => o.n);
    check('round robin fair', Math.max(...shares) - Math.min(...shares) <= (opts.leads % opts.reps ? 1 : 0), shares.join(' / '));
    check('one e-mail per lead', notified.length === opts.leads, `${notified.length} of ${opts.leads}`);
    check('form submit → owner notified p99 < 5 s', pct(notified, 99) < 5000, `${fmt(pct(notified, 99))} ms`);
  } finally {
    await app?.close();
    await booted?.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    await bench.finish(opts.keep);
  }
  if (failed()) process.exitCode = 2;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
