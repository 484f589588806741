import { defineModule } from '../../platform/module.ts';
import type { JobDefinition } from '../../platform/jobs/boss.ts';
import { importMigrations } from './migrations.ts';
import { importSettings } from './settings.ts';
import { registerImportRoutes } from './routes.ts';
import { nextImportDue, runDueImports } from './engine/run.ts';
import { nextDryRunDue, runDueDryRuns } from './engine/dryRun.ts';

const importJobs: JobDefinition[] = [
  {
    // Wherever jobs run: imports queued by a process that does not run them, and running ones
    // whose process died — resumed after their checkpoint as soon as their lease runs out (the
    // due timer), the minute sweep as the backstop.
    name: 'imports.run',
    cron: '* * * * *',
    nextDueAt: nextImportDue,
    async run(platform) {
      const ran = await runDueImports(platform);
      if (ran) platform.logger.info({ ran }, 'imports run');
    },
  },
  {
    // Whole-file dry runs handed over by the request that started them, and running ones whose
    // process died — resumed after their checkpoint, the batches before it counted once.
    name: 'imports.dry-run',
    cron: '* * * * *',
    nextDueAt: nextDryRunDue,
    async run(platform) {
      const ran = await runDueDryRuns(platform);
      if (ran) platform.logger.info({ ran }, 'import dry runs run');
    },
  },
];

/**
 * Imports (docs/imports.md, issue 15 items 1–5, PLT-10): CSV and XLSX files streamed to disk,
 * encoding and delimiter detected, columns mapped to fields with suggestions, values parsed per
 * type and locale, lookups resolved (parents created when asked), insert/update/upsert with the
 * duplicate rules' skip/update/create, whole-file dry runs in the background (nothing written), background runs in batches through the record
 * pipeline with a checkpoint per batch (exactly once across a killed process), progress, cancel,
 * the error report and undo.
 */
export const importsModule = defineModule({
  name: 'imports',
  routes: registerImportRoutes,
  jobs: importJobs,
  migrations: importMigrations,
  settings: importSettings,
});

export { runDueImports, wakeImports } from './engine/run.ts';
