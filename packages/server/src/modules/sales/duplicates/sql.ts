import { sql, type RawBuilder } from 'kysely';
import { LEGAL_SUFFIXES } from '../domain/normalize.ts';

/**
 * SQL twins of domain/normalize.ts. Patterns are inlined as literals (not parameters) so a query
 * matches the expression indexes created in startup.ts, which use these same builders.
 */
const lit = (s: string) => sql.raw(`'${s.replace(/'/g, "''")}'`);

/** normalizeCompanyName() in SQL. */
export function companyNameSql(col: RawBuilder<unknown>): RawBuilder<string> {
  return sql<string>`btrim(regexp_replace(btrim(regexp_replace(lower(${col}), ${lit('[^a-z0-9]+')}, ${lit(' ')}, ${lit('g')})), ${lit(`( (${LEGAL_SUFFIXES.join('|')}))+$`)}, ${lit('')}))`;
}

/** webDomain() in SQL. */
export function webDomainSql(col: RawBuilder<unknown>): RawBuilder<string> {
  let e: RawBuilder<unknown> = sql`lower(btrim(${col}))`;
  for (const pattern of ['^[a-z][a-z0-9+.-]*://', '^[^/?#@]*@', '[:/?#].*$', '^www\\.', '\\.$']) {
    e = sql`regexp_replace(${e}, ${lit(pattern)}, ${lit('')})`;
  }
  return e as RawBuilder<string>;
}

/** phoneKey() in SQL: the last 7 digits. */
export function phoneKeySql(col: RawBuilder<unknown>): RawBuilder<string> {
  return sql<string>`right(regexp_replace(${col}, ${lit('[^0-9]')}, ${lit('')}, ${lit('g')}), 7)`;
}

export function lowerSql(col: RawBuilder<unknown>): RawBuilder<string> {
  return sql<string>`lower(${col})`;
}
