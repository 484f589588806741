import { sql } from 'kysely';
import type { RecordContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import type { ObjectDefinition } from '../../../platform/metadata/types.ts';
import { getRecord, listRecords } from '../../../platform/records/read.ts';
import { canReadObject } from './canRead.ts';

export interface PersonData {
  object: string;
  person: ApiRecord;
  /** Records with a lookup to the person, by object (consents, opportunities' contact roles, invoices, activities regarding them…). */
  related: Record<string, ApiRecord[]>;
  /** Activities on the person's timeline (linked through activity links), by object. */
  timeline: Record<string, ApiRecord[]>;
}

async function listAll(ctx: RecordContext, object: ObjectDefinition, where: ReturnType<typeof sql<boolean>>): Promise<ApiRecord[]> {
  const out: ApiRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await listRecords({ ctx, object, where, limit: 200, cursor });
    out.push(...page.data);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

/**
 * Everything Meridian holds about a contact or lead that the caller may read, through the record
 * service (so field security and sharing apply): the record, every record with a lookup to it,
 * and the activities on its timeline.
 */
export async function collectPerson(ctx: RecordContext, objectName: string, id: string): Promise<PersonData> {
  const { registry } = ctx.platform;
  const object = registry.requireObject(objectName);
  const person = await getRecord({ ctx, object, id });
  const related: PersonData['related'] = {};
  for (const other of registry.listObjects()) {
    if (!canReadObject(ctx, other)) continue;
    const lookups = other.fields.filter((f) => f.type === 'lookup' && f.lookup?.object === objectName && !f.formula);
    if (!lookups.length) continue;
    // Column names come from the registry, never from input.
    const where = sql<boolean>`(${sql.join(lookups.map((f) => sql`${sql.ref(`t0.${f.column}`)} = ${id}::uuid`), sql` OR `)})`;
    const rows = await listAll(ctx, other, where);
    if (rows.length) related[other.apiName] = rows;
  }
  const timeline: PersonData['timeline'] = {};
  const link = registry.getObject('activity_link');
  if (link && canReadObject(ctx, link)) {
    const links = await listAll(ctx, link, sql<boolean>`t0.record_object = ${objectName} AND t0.record_id = ${id}`);
    for (const l of links) {
      const activity = registry.getObject(String(l.activity_object));
      if (!activity || !canReadObject(ctx, activity)) continue;
      const record = await getRecord({ ctx, object: activity, id: String(l.activity_id) }).catch(() => undefined);
      if (record) (timeline[activity.apiName] ??= []).push(record);
    }
  }
  return { object: objectName, person, related, timeline };
}
