import { createQueryId, PostgresQueryCompiler, type Kysely, type RawBuilder } from 'kysely';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import type { CsvPage } from './streamTable.ts';

/**
 * A CSV export's lines through one `COPY (SELECT line … ORDER BY …) TO STDOUT` on PostgreSQL
 * (issue 15 item 14, stop 31). Keyset pages cost a query each (access condition, keyset, 2,000
 * rows out) and the driver's row object per line; COPY streams the same lines from one statement
 * and Node only strips the binary format's framing, so PostgreSQL and Node work side by side
 * without a round trip between pages.
 *
 * - The statement is listLinesQuery's: the access condition, readable fields, filter and order are
 *   compiled into it as for a page (no cursor, no limit).
 * - COPY takes no bind parameters. Values stay out of the SQL text all the same: each is sent
 *   once, as a bind parameter, into a setting of this export's own session (`set_config`), and the
 *   statement reads it back as an InitPlan (`(SELECT current_setting('meridian_export.pN')::type)`,
 *   evaluated once) typed as PostgreSQL typed the parameter in the prepared statement.
 * - FORMAT binary: the line (text) is sent as its bytes, unescaped (text format would escape the
 *   backslashes, CR, LF and tabs of every quoted cell); each tuple is a 2-byte field count and a
 *   4-byte length before them, which are dropped here, counting the rows for the audit.
 * - Its own connection, not the pool's: a slow download holds the statement (backpressure reaches
 *   PostgreSQL through the socket) and must not hold one of the pool's few connections. Closing it
 *   with the statement running destroys the socket, so an abandoned download ends the backend's work.
 */
export interface CopySource {
  /** The database URL (the connection's settings are the pool's: UTC). */
  connectionString: string;
  db: Kysely<any>;
  query: RawBuilder<{ line: string }>;
}

/** A parameter placeholder in the COPY statement instead of `$n`: the value read back from its setting. */
class SettingsCompiler extends PostgresQueryCompiler {
  #index = 0;
  readonly #types: string[];
  readonly #values: readonly unknown[];
  constructor(types: string[], values: readonly unknown[]) {
    super();
    this.#types = types;
    this.#values = values;
  }
  protected override appendValue(): void {
    const i = this.#index++;
    const type = this.#types[i] === 'unknown' ? 'text' : this.#types[i]!;
    if (this.#values[i] === null || this.#values[i] === undefined) this.append(`NULL::${type}`);
    else this.append(`(SELECT current_setting('meridian_export.p${i + 1}')::${type})`);
  }
}

/** The COPY statement's query with its values read from settings; sets them on the connection. */
async function copyStatement(client: pg.Client, source: CopySource): Promise<string> {
  // One operation tree (after the database's plugins, as RawBuilder#compile does) compiled twice: with `$n`, and with settings.
  const executor = source.db.getExecutor();
  const queryId = createQueryId();
  const node = executor.transformQuery(source.query.toOperationNode(), queryId);
  const compiled = executor.compileQuery(node, queryId);
  const values = compiled.parameters;
  if (!values.length) return compiled.sql;
  if (values.some((v) => Buffer.isBuffer(v))) throw new Error('copyLines: a binary parameter cannot go through a setting');
  // The types PostgreSQL infers for the parameters, as it does for the page queries (format_type names).
  await client.query(`PREPARE meridian_export AS ${compiled.sql}`);
  const described = await client.query<{ types: string[] }>(`SELECT parameter_types::text[] AS types FROM pg_prepared_statements WHERE name = 'meridian_export'`);
  await client.query('DEALLOCATE meridian_export');
  const types = described.rows[0]!.types;
  // pg serialises each value here exactly as it would for the statement itself; NULLs are written as NULL.
  const sets = values.map((_, i) => `set_config('meridian_export.p${i + 1}', coalesce($${i + 1}::text, ''), false)`);
  await client.query(`SELECT ${sets.join(', ')}`, values as unknown[]);
  return new SettingsCompiler(types, values).compileQuery(node, queryId).sql;
}

/**
 * At most this many COPY exports run at once in a process, each on its connection beside the
 * pool's: ten people exporting at once must not use up the server's connections
 * (max_connections is 100 by default). An export over the limit reads keyset pages instead:
 * the same bytes, at the pages' speed.
 */
export const MAX_COPY_EXPORTS = 4;
const running = new WeakMap<object, number>();

/** A COPY slot of `database` (its `release`), or null when all are taken. */
export function takeCopySlot(database: object): (() => void) | null {
  const now = running.get(database) ?? 0;
  if (now >= MAX_COPY_EXPORTS) return null;
  running.set(database, now + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    running.set(database, (running.get(database) ?? 1) - 1);
  };
}

/** FORMAT binary's header: the signature, 4 bytes of flags and the header extension's length. */
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/**
 * Strips the binary COPY framing from a stream of chunks: what is left is each tuple's one text
 * field, the line (the SQL wrote its CRLF). A tuple's header or line may be split across chunks.
 */
export class BinaryLines {
  #header = true;
  /** Bytes of the current line not yet copied. */
  #remaining = 0;
  /** The start of a header (file or tuple) cut by the chunk's end, kept for the next chunk. */
  #pending: Buffer | null = null;
  done = false;

  /** The lines' bytes in `chunk` and how many lines it completed. */
  push(input: Buffer): { bytes: Buffer; rows: number } {
    let chunk = input;
    const out = Buffer.allocUnsafe(chunk.length);
    let o = 0;
    let i = 0;
    let rows = 0;
    if (this.#remaining) {
      const n = Math.min(this.#remaining, chunk.length);
      chunk.copy(out, 0, 0, n);
      o = i = n;
      this.#remaining -= n;
      if (this.#remaining) return { bytes: out.subarray(0, o), rows };
      rows++;
    } else if (this.#pending) {
      chunk = Buffer.concat([this.#pending, chunk]);
      this.#pending = null;
      return this.#frames(chunk, 0, Buffer.allocUnsafe(chunk.length), 0, 0);
    }
    return this.#frames(chunk, i, out, o, rows);
  }

  #frames(chunk: Buffer, start: number, out: Buffer, at: number, completed: number): { bytes: Buffer; rows: number } {
    let i = start;
    let o = at;
    let rows = completed;
    const end = chunk.length;
    while (i < end && !this.done) {
      if (this.#header) {
        if (end - i < SIGNATURE.length + 8) break;
        if (!chunk.subarray(i, i + SIGNATURE.length).equals(SIGNATURE)) throw new Error('copyLines: not a binary COPY stream');
        const extension = chunk.readUInt32BE(i + SIGNATURE.length + 4);
        if (end - i < SIGNATURE.length + 8 + extension) break;
        i += SIGNATURE.length + 8 + extension;
        this.#header = false;
        continue;
      }
      if (end - i < 2) break;
      const fields = chunk.readInt16BE(i);
      if (fields === -1) {
        this.done = true;
        i += 2;
        break;
      }
      if (end - i < 6) break;
      const size = chunk.readInt32BE(i + 2);
      if (fields !== 1 || size < 0) throw new Error('copyLines: a tuple is not one non-null line');
      i += 6;
      const n = Math.min(size, end - i);
      chunk.copy(out, o, i, i + n);
      o += n;
      i += n;
      this.#remaining = size - n;
      if (this.#remaining) break;
      rows++;
    }
    if (i < end && !this.#remaining && !this.done) this.#pending = Buffer.from(chunk.subarray(i));
    return { bytes: out.subarray(0, o), rows };
  }
}

/**
 * The export's lines as pages of bytes (one per chunk the socket delivers). Ending the generator
 * early (the download abandoned) closes the connection, which stops the statement.
 */
export async function* copyLines(source: CopySource): AsyncGenerator<CsvPage> {
  const client = new pg.Client({ connectionString: source.connectionString, options: '-c TimeZone=UTC' });
  // A connection dropped under the statement fails the stream; without a listener its 'error' would stop the process.
  client.on('error', () => {});
  await client.connect();
  try {
    const statement = await copyStatement(client, source);
    const stream = client.query(copyStreams.to(`COPY (${statement}) TO STDOUT WITH (FORMAT binary)`));
    // Closing the connection under the statement fails it once more, after the loop has let go of the stream.
    stream.on('error', () => {});
    const lines = new BinaryLines();
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const page = lines.push(chunk);
      if (page.rows || page.bytes.length) yield { text: page.bytes, rows: page.rows };
    }
    if (!lines.done) throw new Error('copyLines: the COPY stream ended before its trailer');
  } finally {
    // With the statement still running, end() destroys the socket: the backend stops at its next write.
    await client.end().catch(() => {});
  }
}
