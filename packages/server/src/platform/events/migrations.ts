import type { Migration } from '../db/migrations.ts';

/** System tables of the event backbone (webhook subscriptions, deliveries). Appended in order. */
export const eventMigrations: Migration[] = [];
