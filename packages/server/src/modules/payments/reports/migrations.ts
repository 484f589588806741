import { sql } from 'kysely';
import type { ModuleMigration } from '../../../platform/module.ts';

/** The cash reports' migrations (ids `payments/<id>`, after the module's own). */
export const cashReportMigrations: ModuleMigration[] = [];
