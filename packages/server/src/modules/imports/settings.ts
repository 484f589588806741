import { defineSettings, setting } from '../../platform/settings.ts';

/** Imports' settings (docs/imports.md, docs/operations.md). */
export const importSettings = defineSettings('imports', {
  maxBytes: setting.integer('MERIDIAN_IMPORT_MAX_BYTES', 1024 * 1024 * 1024, 'largest CSV or XLSX file accepted for an import, in bytes (the file is streamed to disk, never held in memory)', { min: 1024 }),
  directory: setting.text('MERIDIAN_IMPORT_DIR', '', 'where uploaded import files are kept until the import is deleted (default <data dir>/imports); every process that runs jobs must see it'),
  batchRows: setting.integer('MERIDIAN_IMPORT_BATCH_ROWS', 500, 'rows written per transaction by a running import (each batch commits with its checkpoint)', { min: 1, max: 5000 }),
  leaseSeconds: setting.integer('MERIDIAN_IMPORT_LEASE_SECONDS', 60, 'seconds after its last batch before a running import whose process died is taken over by another', { min: 1 }),
  dryRunRows: setting.integer('MERIDIAN_IMPORT_DRY_RUN_ROWS', 2000, 'rows a dry run tries in the request that starts it (whole batches, each in a transaction rolled back); a longer file goes on in the background (imports.dry-run)', { min: 1, max: 100_000 }),
});
