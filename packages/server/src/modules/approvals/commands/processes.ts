import { sql } from 'kysely';
import { uuidv7 } from '../../../platform/ids.ts';
import { AppError, notFound } from '../../../platform/errors.ts';
import type { Platform } from '../../../platform/kernel.ts';
import { systemActor, type Actor } from '../../../platform/records/context.ts';
import { changeConfiguration } from '../../../platform/metadata/configuration-change.ts';
import { checkProcess, forgetProcesses, readProcesses, type Process, type ProcessInput } from '../process.ts';

/**
 * Creates or replaces an approval process (admins): checked against the metadata, audited, and
 * the shared metadata version bumped so every Meridian process re-reads which objects lock.
 * Requests already pending keep running on the process by name.
 */
export async function saveApprovalProcess(args: { platform: Platform; actor: Actor; id?: string; input: ProcessInput }): Promise<Process> {
  const { platform, input } = args;
  const id = args.id ?? uuidv7();
  const saved = await changeConfiguration({
    platform, actor: args.actor, refusal: 'Approval processes are set up by administrators',
    audit: { action: args.id ? 'approval_process.update' : 'approval_process.create', target: { type: 'approval_process', id }, details: { name: input.name, object: input.object } },
    run: async (trx) => {
      await checkProcess(platform, trx, input);
      const { name, label, object, active, sortOrder, ...definition } = input;
      const values = { name, label, object, active, sort_order: sortOrder ?? 0, definition: JSON.stringify({ ...definition, name, label, object, active }) };
      if (args.id) {
        // Requests find their process by name: renaming one with requests waiting would orphan them.
        const before = await sql<{ name: string }>`SELECT name FROM approval_process WHERE id = ${args.id}::uuid FOR UPDATE`.execute(trx);
        const previous = before.rows[0]?.name;
        if (previous !== undefined && previous !== name) {
          const waiting = await sql<{ n: string }>`SELECT count(*) AS n FROM obj_approval_request WHERE process = ${previous} AND status = 'pending' AND deleted_at IS NULL`.execute(trx);
          if (Number(waiting.rows[0]!.n) > 0) {
            throw new AppError('conflict', `${waiting.rows[0]!.n} requests are waiting on this process; it cannot be renamed until they are decided or recalled`, { errors: [{ field: 'name', code: 'pending_requests', message: 'Requests are waiting on this process under its current name' }] });
          }
        }
        const r = await sql`UPDATE approval_process SET name = ${values.name}, label = ${values.label}, object = ${values.object}, active = ${values.active},
          sort_order = ${values.sort_order}, definition = ${values.definition}::jsonb, updated_at = now() WHERE id = ${args.id}::uuid`.execute(trx);
        if (!Number(r.numAffectedRows ?? 0)) throw notFound(`Approval process ${args.id}`);
      } else {
        await sql`INSERT INTO approval_process (id, name, label, object, active, sort_order, definition)
          VALUES (${id}::uuid, ${values.name}, ${values.label}, ${values.object}, ${values.active}, ${values.sort_order}, ${values.definition}::jsonb)`.execute(trx);
      }
      return (await readProcesses(trx)).find((p) => p.id === id)!;
    },
  });
  forgetProcesses(platform);
  return saved;
}

export async function deleteApprovalProcess(args: { platform: Platform; actor: Actor; id: string }): Promise<void> {
  await changeConfiguration({
    platform: args.platform, actor: args.actor, refusal: 'Approval processes are set up by administrators',
    audit: { action: 'approval_process.delete', target: { type: 'approval_process', id: args.id } },
    run: async (trx) => {
      const r = await sql`DELETE FROM approval_process WHERE id::text = ${args.id}`.execute(trx);
      if (!Number(r.numAffectedRows ?? 0)) throw notFound(`Approval process ${args.id}`);
    },
  });
  forgetProcesses(args.platform);
}

/**
 * A process a module ships for its own object (billing: `quote_discount`, credit: `order_credit_hold`),
 * created once per installation — at the first start that knows it, on new and existing databases —
 * as an audited configuration change by the system. Remembered in approval_process_seed, so a
 * process an administrator edited, deactivated or deleted is left as they left it. Idempotent
 * and safe when several processes start at once (the primary key of the seed decides).
 */
export async function seedApprovalProcess(platform: Platform, input: ProcessInput): Promise<void> {
  const seeded = await sql`SELECT 1 FROM approval_process_seed WHERE name = ${input.name}`.execute(platform.db);
  if (seeded.rows.length) return;
  const id = uuidv7();
  await changeConfiguration({
    platform, actor: systemActor('system'), refusal: 'Approval processes are set up by administrators',
    audit: { action: 'approval_process.seed', target: { type: 'approval_process', id }, details: { name: input.name, object: input.object } },
    run: async (trx) => {
      const claimed = await sql`INSERT INTO approval_process_seed (name) VALUES (${input.name}) ON CONFLICT (name) DO NOTHING`.execute(trx);
      if (!Number(claimed.numAffectedRows ?? 0)) return;
      await checkProcess(platform, trx, input);
      const { name, label, object, active, sortOrder, ...definition } = input;
      await sql`INSERT INTO approval_process (id, name, label, object, active, sort_order, definition)
        VALUES (${id}::uuid, ${name}, ${label}, ${object}, ${active}, ${sortOrder ?? 0}, ${JSON.stringify({ ...definition, name, label, object, active })}::jsonb)
        ON CONFLICT (name) DO NOTHING`.execute(trx);
    },
  });
  forgetProcesses(platform);
}
