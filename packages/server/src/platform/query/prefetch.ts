/**
 * Loads the related records a condition's paths need, so evaluateCondition can run
 * synchronously — e.g. a validation rule on a record that is about to be saved and so cannot
 * be checked with SQL. One batched load per object per path level.
 */
import type { ConditionRecord, ParsedCondition, ParsedLeaf, ResolveRecord } from './parsed.ts';
import { getReferencedObject } from './field-kinds.ts';

/** Returns the records with these ids that exist and are not deleted (any order, missing ones left out). */
export type LoadRecords = (objectApiName: string, ids: string[]) => Promise<ConditionRecord[]>;

function listPathLeaves(node: ParsedCondition, into: ParsedLeaf[] = []): ParsedLeaf[] {
  if (node.kind === 'leaf') {
    if (node.steps.length > 1) into.push(node);
  } else {
    for (const child of node.children) listPathLeaves(child, into);
  }
  return into;
}

function readId(record: ConditionRecord, apiName: string): string | undefined {
  const value = Object.hasOwn(record, apiName) ? record[apiName] : undefined;
  return typeof value === 'string' ? value.toLowerCase() : undefined;
}

function isLive(record: ConditionRecord): boolean {
  return record.deleted_at === undefined || record.deleted_at === null;
}

export async function prefetchPathRecords(input: {
  condition: ParsedCondition;
  record: ConditionRecord;
  load: LoadRecords;
}): Promise<ResolveRecord> {
  const cache = new Map<string, Map<string, ConditionRecord>>();
  const lookup: ResolveRecord = (object, id) => cache.get(object)?.get(id.toLowerCase());
  // Each path walks from the record; `at` is where each one has got to.
  let walks = listPathLeaves(input.condition).map((leaf) => ({ leaf, at: input.record }));
  for (let depth = 0; walks.length > 0; depth += 1) {
    const wanted = new Map<string, Set<string>>();
    const next: Array<{ leaf: ParsedLeaf; object: string; id: string }> = [];
    for (const { leaf, at } of walks) {
      if (depth >= leaf.steps.length - 1) continue;
      const field = leaf.steps[depth].field;
      const object = getReferencedObject(field)!;
      const id = readId(at, field.apiName);
      if (!id) continue;
      next.push({ leaf, object, id });
      if (!cache.get(object)?.has(id)) {
        if (!wanted.has(object)) wanted.set(object, new Set());
        wanted.get(object)!.add(id);
      }
    }
    await Promise.all(
      [...wanted].map(async ([object, ids]) => {
        const loaded = await input.load(object, [...ids]);
        if (!cache.has(object)) cache.set(object, new Map());
        for (const record of loaded) {
          const id = readId(record, 'id');
          if (id && isLive(record)) cache.get(object)!.set(id, record);
        }
      }),
    );
    walks = next.flatMap(({ leaf, object, id }) => {
      const at = lookup(object, id);
      return at ? [{ leaf, at }] : [];
    });
  }
  return lookup;
}
