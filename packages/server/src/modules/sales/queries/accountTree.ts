import { isFieldReadable, permissionsFor, visibilityCondition } from '../../../platform/access/policy.ts';
import { sql, type RawBuilder } from 'kysely';
import { badRequest } from '../../../platform/errors.ts';
import type { RecordContext } from '../../../platform/records/context.ts';
import { getRecord } from '../../../platform/records/read.ts';
import { db, objectOf, tableOf, visibleTo } from '../context.ts';

/**
 * Account tree reads (SAL-1). Every query walks down from one account with a recursive CTE over
 * the parent_account index (ix__obj_account__parent_account_id): each level is one index probe
 * per node, so the cost follows the subtree, not the table.
 */
export const DEFAULT_TREE_DEPTH = 25;
export const MAX_TREE_DEPTH = 100;
export const MAX_TREE_NODES = 10_000;

/** `WITH RECURSIVE subtree(id, parent_id, name, depth, path)` below (and including) `rootId`. */
function subtreeCte(ctx: RecordContext, rootId: string, maxDepth: number): RawBuilder<unknown> {
  const t = tableOf(ctx, 'account');
  return sql`WITH RECURSIVE subtree(id, parent_id, name, depth, path) AS (
      SELECT a.id, a.parent_account_id, a.name, 0, ARRAY[a.id] FROM ${t} a WHERE a.id = ${rootId} AND a.deleted_at IS NULL
      UNION ALL
      SELECT c.id, c.parent_account_id, c.name, s.depth + 1, s.path || c.id
      FROM subtree s JOIN ${t} c ON c.parent_account_id = s.id
      WHERE c.deleted_at IS NULL AND s.depth < ${maxDepth} AND NOT c.id = ANY(s.path)
    )`;
}

/** SQL condition "t0.id is in the subtree of rootId" for list queries (GET /api/v1/account?subtreeOf=). */
export function inSubtreeCondition(ctx: RecordContext, rootId: string, alias = 't0'): RawBuilder<boolean> {
  return sql<boolean>`${sql.ref(`${alias}.id`)} IN (${subtreeCte(ctx, rootId, MAX_TREE_DEPTH)} SELECT id FROM subtree)`;
}

export function parseDepth(value: unknown): number {
  if (value === undefined || value === '') return DEFAULT_TREE_DEPTH;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > MAX_TREE_DEPTH) throw badRequest(`depth must be an integer from 0 to ${MAX_TREE_DEPTH}`, [{ field: 'depth', code: 'out_of_range', message: `0–${MAX_TREE_DEPTH}` }]);
  return n;
}

export interface TreeNode {
  id: string;
  name: string;
  parent_account: string | null;
  depth: number;
  /** Ids from the requested account down to this one. */
  path: string[];
  /** Children below the depth limit are not listed; this says whether there are any. */
  has_children: boolean;
}

/**
 * The subtree as the caller sees it, `WITH RECURSIVE subtree(…)`: the walk goes through every
 * account (a visible grandchild can hang below an invisible child), but depth, path and parent
 * count only visible accounts — `vdepth`, `vpath` and `vparent` (the nearest visible ancestor) —
 * so neither an invisible account's id nor how many of them lie in between can be told. It walks
 * one visible level below `maxDepth`, which tells whether the last level listed has children.
 */
function visibleSubtreeCte(ctx: RecordContext, rootId: string, maxDepth: number): RawBuilder<unknown> {
  const t = tableOf(ctx, 'account');
  const visible = visibilityCondition(ctx.actor, objectOf(ctx, 'account'), 'c') ?? sql`true`;
  return sql`WITH RECURSIVE subtree(id, parent_id, name, depth, path, visible, vdepth, vpath, vparent) AS (
      SELECT a.id, a.parent_account_id, a.name, 0, ARRAY[a.id], true, 0, ARRAY[a.id], NULL::uuid FROM ${t} a WHERE a.id = ${rootId} AND a.deleted_at IS NULL
      UNION ALL
      SELECT c.id, c.parent_account_id, c.name, s.depth + 1, s.path || c.id, v.visible,
        s.vdepth + CASE WHEN v.visible THEN 1 ELSE 0 END,
        CASE WHEN v.visible THEN s.vpath || c.id ELSE s.vpath END,
        CASE WHEN s.visible THEN s.id ELSE s.vparent END
      FROM subtree s JOIN ${t} c ON c.parent_account_id = s.id CROSS JOIN LATERAL (SELECT coalesce(${visible}, false) AS visible) v
      WHERE c.deleted_at IS NULL AND s.vdepth <= ${maxDepth} AND s.depth < ${MAX_TREE_WALK} AND NOT c.id = ANY(s.path)
    )`;
}

/** Real levels a tree walk goes down at most (invisible levels included): it stops a runaway walk. */
const MAX_TREE_WALK = 1000;

/**
 * The subtree of an account in depth-first order (parents before children), depth-limited.
 * Accounts the user may not see are left out, and leave no trace (issue 18, item 9): their
 * visible children hang from the nearest visible ancestor, depths count visible levels, and
 * `has_children` means visible children.
 */
export async function getAccountTree(args: { ctx: RecordContext; id: string; depth?: number; limit?: number }): Promise<{ root: string; nodes: TreeNode[]; truncated: boolean }> {
  const { ctx, id } = args;
  await getRecord({ ctx, object: objectOf(ctx, 'account'), id, fields: ['id'] });
  const depth = args.depth ?? DEFAULT_TREE_DEPTH;
  const limit = Math.min(args.limit ?? MAX_TREE_NODES, MAX_TREE_NODES);
  const t = tableOf(ctx, 'account');
  const r = await sql<{ id: string; parent: string | null; name: string; depth: number; path: string[]; has_children: boolean }>`${visibleSubtreeCte(ctx, id, depth)}
    SELECT s.id, s.name, s.vdepth AS depth, s.vpath AS path, k.vparent IS NOT NULL AS has_children,
      CASE WHEN s.depth = 0 THEN (SELECT p.id FROM ${t} p WHERE p.id = s.parent_id AND p.deleted_at IS NULL ${visibleTo(ctx, 'account', 'p')}) ELSE s.vparent END AS parent
    FROM subtree s LEFT JOIN (SELECT DISTINCT vparent FROM subtree WHERE visible AND depth > 0) k ON k.vparent = s.id
    WHERE s.visible AND s.vdepth <= ${depth} ORDER BY s.vpath LIMIT ${limit + 1}`.execute(db(ctx));
  const rows = r.rows.slice(0, limit);
  return {
    root: id,
    truncated: r.rows.length > limit,
    nodes: rows.map((row) => ({ id: row.id, name: row.name, parent_account: row.parent, depth: Number(row.depth), path: parsePath(row.path), has_children: row.has_children })),
  };
}

/** pg returns uuid[] as an array; PGlite may too, or as '{a,b}' text. */
function parsePath(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  if (typeof v === 'string') return v.replace(/^\{|\}$/g, '').split(',').filter(Boolean);
  return [];
}

export interface MoneyByCurrency {
  currency: string;
  amount: number;
}

export interface AccountRollup {
  account: string;
  accounts: number;
  contacts: number | null;
  openOpportunities: number | null;
  openPipeline: MoneyByCurrency[] | null;
  weightedPipeline: MoneyByCurrency[] | null;
  wonOpportunities: number | null;
  won: MoneyByCurrency[] | null;
}

/**
 * Roll-ups over the whole subtree of an account: accounts, contacts (own or through a contact
 * role), open pipeline (amount and amount × probability) and won amount, per currency — amounts
 * in different currencies are never added up. Open/won come from the opportunity's pipeline stage flags.
 * The figures count only what the caller can see (issue 18): records their sharing lets them
 * read, and amounts only when their profile shows the field (a hidden `amount` leaves the open and
 * weighted pipeline out, a hidden `won_amount` the won total); an object they may not read counts
 * as null. So a roll-up never reveals an invisible deal's existence or value.
 */
export async function getAccountRollup(args: { ctx: RecordContext; id: string }): Promise<AccountRollup> {
  const { ctx, id } = args;
  await getRecord({ ctx, object: objectOf(ctx, 'account'), id, fields: ['id'] });
  const cte = subtreeCte(ctx, id, MAX_TREE_DEPTH);
  const and = (object: string, alias: string) => {
    const v = visibilityCondition(ctx.actor, objectOf(ctx, object), alias);
    return v ? sql` AND ${v}` : sql``;
  };
  const readable = (object: string) => permissionsFor(ctx.actor, objectOf(ctx, object)).read;
  const shows = (object: string, field: string) => {
    const o = objectOf(ctx, object);
    const f = o.fields.find((x) => x.apiName === field);
    return !!f && isFieldReadable(ctx.actor, o, f);
  };
  const counts = await sql<{ accounts: string; contacts: string }>`${cte}
    SELECT (SELECT count(*) FROM subtree st JOIN ${tableOf(ctx, 'account')} a ON a.id = st.id WHERE true${and('account', 'a')}) AS accounts,
      (SELECT count(*) FROM ${tableOf(ctx, 'contact')} c WHERE c.deleted_at IS NULL${and('contact', 'c')} AND (
        c.account_id IN (SELECT id FROM subtree)
        OR c.id IN (SELECT r.contact_id FROM ${tableOf(ctx, 'account_contact_role')} r WHERE r.deleted_at IS NULL AND r.account_id IN (SELECT id FROM subtree))
      )) AS contacts`.execute(db(ctx));
  const money = await sql<{ currency: string | null; open_count: string; open_amount: string | null; weighted: string | null; won_count: string; won_amount: string | null }>`${cte},
    default_pipeline AS (SELECT id FROM ${tableOf(ctx, 'pipeline')} WHERE deleted_at IS NULL ORDER BY is_default DESC NULLS LAST, created_at, id LIMIT 1),
    opps AS (
      SELECT o.currency, o.amount, o.probability, o.won_amount,
        coalesce(s.is_won OR s.is_partial, o.stage IN ('closed_won', 'partially_won')) AS won,
        coalesce(s.is_lost, o.stage = 'closed_lost') AS lost
      FROM ${tableOf(ctx, 'opportunity')} o
      LEFT JOIN ${tableOf(ctx, 'pipeline_stage')} s ON s.deleted_at IS NULL AND s.api_value = o.stage
        AND s.pipeline_id = coalesce(o.pipeline_id, (SELECT id FROM default_pipeline))
      WHERE o.deleted_at IS NULL AND o.account_id IN (SELECT id FROM subtree)${and('opportunity', 'o')}
    )
    SELECT currency,
      count(*) FILTER (WHERE NOT won AND NOT lost) AS open_count,
      sum(amount) FILTER (WHERE NOT won AND NOT lost) AS open_amount,
      sum(round(amount * coalesce(probability, 0) / 100, 2)) FILTER (WHERE NOT won AND NOT lost) AS weighted,
      count(*) FILTER (WHERE won) AS won_count,
      sum(coalesce(won_amount, amount)) FILTER (WHERE won) AS won_amount
    FROM opps GROUP BY currency ORDER BY currency`.execute(db(ctx));
  const per = (key: 'open_amount' | 'weighted' | 'won_amount') =>
    money.rows.filter((row) => row[key] !== null).map((row) => ({ currency: row.currency ?? 'USD', amount: Number(row[key]) }));
  const opportunities = readable('opportunity');
  const amount = opportunities && shows('opportunity', 'amount');
  // The won total is won_amount, or amount where it is empty: both must be visible.
  const wonAmount = amount && shows('opportunity', 'won_amount');
  return {
    account: id,
    accounts: Number(counts.rows[0]!.accounts),
    contacts: readable('contact') ? Number(counts.rows[0]!.contacts) : null,
    openOpportunities: opportunities ? money.rows.reduce((n, row) => n + Number(row.open_count), 0) : null,
    openPipeline: amount ? per('open_amount') : null,
    weightedPipeline: amount ? per('weighted') : null,
    wonOpportunities: opportunities ? money.rows.reduce((n, row) => n + Number(row.won_count), 0) : null,
    won: wonAmount ? per('won_amount') : null,
  };
}

/** The EXPLAIN plan of the subtree query (tests check that it walks the parent index). */
export async function explainSubtree(ctx: RecordContext, rootId: string): Promise<string> {
  const r = await sql<{ 'QUERY PLAN': string }>`EXPLAIN ${subtreeCte(ctx, rootId, MAX_TREE_DEPTH)} SELECT id FROM subtree`.execute(db(ctx));
  return r.rows.map((row) => row['QUERY PLAN']).join('\n');
}
