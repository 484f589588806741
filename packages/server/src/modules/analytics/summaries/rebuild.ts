import type { Platform } from '../../../platform/kernel.ts';
import { resolveSummaries } from './declared.ts';
import { rebuildSummary } from './store.ts';

/** Recounts every summary from its records: after a load around the record pipeline (a benchmark's SQL, a restore). */
export async function rebuildSummaries(platform: Platform): Promise<void> {
  for (const summary of resolveSummaries(platform.registry)) await rebuildSummary(platform.db, summary);
}
