import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase } from '../../../test/db.ts';
import { nameArray, plainArray } from './arrays.ts';

describe('array literals', () => {
  it('are read by the database as the elements given (uuids, integers, names, NULL, quotes, backslashes, commas, braces)', async () => {
    const t = await createTestDatabase({ empty: true });
    try {
      const names = ['first_name', null, 'NULL', 'null', 'a"b', 'c\\d', 'e,f', '{g}', ' h ', '', 'é'];
      const r = await sql<{ names: Array<string | null>; ids: string[]; ns: number[] }>`SELECT ${nameArray(names)}::text[] AS names,
        ${plainArray(['01a24fc3-c36f-7c3d-97e7-497403e7ebb7', '01a24fc3-c36f-7c3d-97e7-4975b1a06bae'])}::uuid[] AS ids, ${plainArray([1, 22, 333])}::int[] AS ns`.execute(t.database.db);
      expect(r.rows[0]!.names).toEqual(names);
      expect(r.rows[0]!.ids).toEqual(['01a24fc3-c36f-7c3d-97e7-497403e7ebb7', '01a24fc3-c36f-7c3d-97e7-4975b1a06bae']);
      expect(r.rows[0]!.ns).toEqual([1, 22, 333]);
      const empty = await sql<{ a: string[] }>`SELECT ${plainArray([])}::uuid[] AS a`.execute(t.database.db);
      expect(empty.rows[0]!.a).toEqual([]);
    } finally {
      await t.cleanup();
    }
  });
});
