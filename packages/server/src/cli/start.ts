import type { Logger } from 'pino';
import type { Config } from '../platform/config.ts';
import { bootPlatform } from '../platform/boot.ts';
import { buildApp } from '../platform/http/app.ts';
import { prepareFirstRun } from '../platform/auth/setup.ts';
import { startJobs } from '../platform/jobs/boss.ts';
import { registerWebApp } from '../platform/http/web.ts';
import { modules } from '../modules/index.ts';

/** `meridian start`: API + web app + in-process jobs, with a clean shutdown on SIGINT/SIGTERM. */
export async function startServer(args: { config: Config; logger: Logger }) {
  const { config, logger } = args;
  const platform = await bootPlatform({ config, modules, logger });
  const first = await prepareFirstRun(platform);
  const app = await buildApp(platform, { plugins: [registerWebApp] });
  const boss = await startJobs(platform);
  await app.listen({ port: config.port, host: config.host });
  const where = platform.database.kind === 'pglite' ? `PGlite in ${config.dataDir}` : 'PostgreSQL';
  console.log(`Meridian is running at ${config.publicUrl} (data: ${where})`);
  if (first.kind === 'created') console.log(`Created the first administrator: ${first.email}`);
  if (first.kind === 'setup') console.log(`\nNo administrator yet. Open this one-time link to set Meridian up:\n\n  ${first.url}\n`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down');
    await app.close();
    await boss.stop({ graceful: true, timeout: 5000 }).catch(() => {});
    await platform.database.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
