import { sql } from 'kysely';
import { AppError } from '../../../platform/errors.ts';
import type { ObjectDefinition } from '../../../platform/metadata/types.ts';
import { inTransaction, type RecordContext } from '../../../platform/records/context.ts';
import type { BeforeSaveArgs } from '../../../platform/records/hooks.ts';
import { assertObjectPermission, visibilityCondition } from '../../../platform/access/policy.ts';
import { changed } from '../rules/changed.ts';
import { DUPLICATE_RULES, type Candidate, type DuplicateRule } from './rules.ts';

/** Candidates for one record over the given rules: one entry per record, its best-scoring rule, best first. */
export async function findDuplicates(args: { ctx: RecordContext; object: ObjectDefinition; record: Record<string, unknown>; rules?: DuplicateRule[]; excludeIds?: string[]; limit?: number }): Promise<Candidate[]> {
  const rules = args.rules ?? DUPLICATE_RULES[args.object.apiName] ?? [];
  const [found] = await findDuplicatesOfMany({ ctx: args.ctx, object: args.object, records: [{ record: args.record, rules, excludeIds: args.excludeIds ?? [] }], limit: args.limit });
  return found!;
}

/**
 * findDuplicates for several records at once, each with its own rules: one query per rule for all
 * the records that use it. Records of the list are not compared with each other.
 */
export async function findDuplicatesOfMany(args: { ctx: RecordContext; object: ObjectDefinition; records: Array<{ record: Record<string, unknown>; rules: DuplicateRule[]; excludeIds: string[] }>; limit?: number }): Promise<Candidate[][]> {
  const limit = args.limit ?? 5;
  const best = args.records.map(() => new Map<string, Candidate>());
  for (const rule of new Set(args.records.flatMap((r) => r.rules))) {
    const using = args.records.flatMap((r, i) => (r.rules.includes(rule) ? [i] : []));
    const found = await rule.findMany({ ctx: args.ctx, object: args.object, records: using.map((i) => args.records[i]!), limit });
    using.forEach((i, k) => {
      for (const c of found[k]!) {
        const seen = best[i]!.get(c.id);
        if (!seen || seen.score < c.score) best[i]!.set(c.id, c);
      }
    });
  }
  return best.map((b) => [...b.values()].sort((a, b) => b.score - a.score).slice(0, limit));
}

/**
 * beforeSave (PLT-6): a new record, or a change of a field a rule looks at, that matches an
 * existing record is refused with 409 `duplicate` and the candidates — unless the client
 * confirms with allowDuplicate.
 */
export async function refuseDuplicates(args: BeforeSaveArgs): Promise<void> {
  const [error] = await refuseDuplicatesOfMany([args]);
  if (error) throw error;
}

/**
 * refuseDuplicates for the records of one createRecords (an import's batch): the same decision for
 * each, the probes of each rule shared by all of them (one query per rule, not per rule and
 * record). Answers per record the error refuseDuplicates would throw. Each record is judged
 * against the stored records only, as refuseDuplicates judges each before any is inserted.
 */
export async function refuseDuplicatesOfMany(all: BeforeSaveArgs[]): Promise<Array<AppError | undefined>> {
  const errors: Array<AppError | undefined> = all.map(() => undefined);
  const probing = all.flatMap((args, i) => {
    if (args.options.allowDuplicate) return [];
    const rules = DUPLICATE_RULES[args.object.apiName] ?? [];
    const used = args.operation === 'create' ? rules : rules.filter((r) => r.fields.some((f) => changed(args.data, args.previous, f)));
    return used.length ? [{ i, args, rules: used }] : [];
  });
  if (!probing.length) return errors;
  const { ctx, object } = probing[0]!.args;
  const found = await findDuplicatesOfMany({
    ctx, object,
    records: probing.map(({ args, rules }) => ({ record: { ...args.merged, ...args.data }, rules, excludeIds: args.previous ? [args.previous.id] : [] })),
  });
  for (const [k, { i, args, rules }] of probing.entries()) {
    if (!found[k]!.length) continue;
    errors[i] = duplicateError(args, rules, await splitVisible(ctx, object, found[k]!));
  }
  return errors;
}

function duplicateError({ object, data, merged }: BeforeSaveArgs, rules: DuplicateRule[], { visible: candidates, hidden }: { visible: Candidate[]; hidden: number }): AppError | undefined {
  if (!candidates.length && !hidden) return undefined;
  const fieldOf = (rule: string) => rules.find((r) => r.name === rule)!.fields.find((f) => merged[f] ?? data[f]) ?? '';
  const first = candidates[0];
  const hiddenNote = hidden ? ` ${hidden === 1 ? 'A possible duplicate exists' : `${hidden} possible duplicates exist`} that you cannot see.` : '';
  const detail = first
    ? `This ${object.label.toLowerCase()} looks like ${first.name ?? 'an existing one'} (${first.rule.replace(/_/g, ' ')}).${hiddenNote} Save with allowDuplicate=true if it is a different one.`
    : `A possible duplicate of this ${object.label.toLowerCase()} exists that you cannot see. Save with allowDuplicate=true if it is a different one, or ask an administrator.`;
  return new AppError('duplicate', detail, {
    errors: first
      ? [...new Set(candidates.map((c) => c.rule))].map((rule) => ({ field: fieldOf(rule), code: 'duplicate', message: `Matches an existing ${object.label.toLowerCase()} (${rule.replace(/_/g, ' ')})` }))
      : [{ field: '', code: 'duplicate', message: 'Matches a record you cannot see' }],
    extra: { candidates, hiddenMatches: hidden },
  });
}

/**
 * Duplicates count whoever owns them, but a record the user may not see is only counted: no id,
 * name, rule or score (a score could be climbed towards the hidden name, issue 18 item 6).
 */
export async function splitVisible(ctx: RecordContext, object: ObjectDefinition, candidates: Candidate[]): Promise<{ visible: Candidate[]; hidden: number }> {
  const visible = visibilityCondition(ctx.actor, object, 't');
  if (!visible || !candidates.length) return { visible: candidates, hidden: 0 };
  const r = await sql<{ id: string }>`SELECT t.id FROM ${sql.table(object.table)} t WHERE t.id = ANY(${candidates.map((c) => c.id)}::uuid[]) AND ${visible}`.execute(ctx.trx ?? ctx.platform.db);
  const seen = new Set(r.rows.map((x) => x.id));
  const shown = candidates.filter((c) => seen.has(c.id));
  return { visible: shown, hidden: candidates.length - shown.length };
}

export interface DuplicatePair {
  records: Array<{ id: string; name: string }>;
  rules: string[];
  score: number;
}

/** Likely duplicate pairs of an object, best first, at most `limit` (GET /{object}/duplicates). */
export async function listDuplicatePairs(args: { ctx: RecordContext; object: ObjectDefinition; limit: number }): Promise<DuplicatePair[]> {
  const { object, limit } = args;
  assertObjectPermission(args.ctx.actor, object, 'read');
  // One transaction: the trigram threshold is set for it only, and PGlite runs it in one go.
  return inTransaction(args.ctx, async (ctx) => {
    const byPair = new Map<string, { a: string; b: string; rules: string[]; score: number }>();
    for (const rule of DUPLICATE_RULES[object.apiName] ?? []) {
      for (const p of await rule.pairs({ ctx, object, limit })) {
        const key = `${p.a}:${p.b}`;
        const seen = byPair.get(key) ?? { a: p.a, b: p.b, rules: [], score: 0 };
        if (!seen.rules.includes(p.rule)) seen.rules.push(p.rule);
        seen.score = Math.max(seen.score, p.score);
        byPair.set(key, seen);
      }
    }
    const pairs = [...byPair.values()].sort((x, y) => y.score - x.score || x.a.localeCompare(y.a)).slice(0, limit);
    const ids = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];
    const nameColumn = object.fields.find((f) => f.apiName === object.nameField)!.column;
    const names = new Map<string, string>();
    if (ids.length) {
      const visible = visibilityCondition(ctx.actor, object, 't');
      const r = await sql<{ id: string; name: string | null }>`SELECT t.id, ${sql.ref(`t.${nameColumn}`)} AS name FROM ${sql.table(object.table)} t
        WHERE t.id = ANY(${ids}::uuid[]) ${visible ? sql`AND ${visible}` : sql``}`.execute(ctx.trx);
      for (const row of r.rows) names.set(row.id, row.name ?? row.id);
    }
    // Only pairs the user can see both sides of (they are the ones they could merge).
    return pairs
      .filter((p) => names.has(p.a) && names.has(p.b))
      .map((p) => ({ records: [p.a, p.b].map((id) => ({ id, name: names.get(id)! })), rules: p.rules, score: p.score }));
  });
}
