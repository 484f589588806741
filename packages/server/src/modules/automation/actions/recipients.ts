import type { ActionCheck, ActionRun } from './registry.ts';
import { EMAIL_RE, UUID_RE } from '../../../platform/records/values.ts';
import { asSystem } from '../../../platform/records/context.ts';
import { getRecord, listRecords } from '../../../platform/records/read.ts';

/**
 * Who a message goes to: `owner` (the record's owner), `manager` (the owner's manager),
 * `rule_owner`, `user:<id>`, `role:<role>`, `field:<user or e-mail field>`, or an e-mail address
 * (e-mail only).
 */
export function checkRecipients(args: ActionCheck & { emails: boolean }): string[] {
  const at = `${args.path}.to`;
  const raw = args.config.to;
  const list = Array.isArray(raw) ? raw : [raw];
  if (!list.length || list.length > 50 || list.some((x) => typeof x !== 'string')) {
    args.errors.push({ field: at, code: 'required', message: 'One or more recipients: owner, manager, rule_owner, user:<id>, role:<role>, field:<field>' });
    return [];
  }
  for (const to of list as string[]) {
    const [kind, rest] = to.includes(':') ? [to.slice(0, to.indexOf(':')), to.slice(to.indexOf(':') + 1)] : [to, ''];
    if (['owner', 'manager', 'rule_owner'].includes(to)) continue;
    if (kind === 'user' && UUID_RE.test(rest)) continue;
    if (kind === 'role' && /^[a-z0-9_]{1,64}$/.test(rest)) continue;
    if (kind === 'field') {
      const f = args.registry.getField(args.object, rest);
      if (f && (f.type === 'user' || (args.emails && f.type === 'email'))) continue;
      args.errors.push({ field: at, code: 'unknown_field', message: `${args.object.label} has no ${args.emails ? 'user or e-mail' : 'user'} field '${rest.slice(0, 64)}'` });
      continue;
    }
    if (args.emails && EMAIL_RE.test(to)) continue;
    args.errors.push({ field: at, code: 'invalid', message: `Unknown recipient '${to.slice(0, 100)}'` });
  }
  return list as string[];
}

/** The users (id and e-mail) and plain addresses the recipients stand for; inactive users are left out. Read through the record service. */
export async function resolveRecipients(run: Pick<ActionRun<unknown>, 'ctx' | 'record' | 'rule'>, to: string[]): Promise<{ users: Array<{ id: string; email: string }>; addresses: string[] }> {
  const ids = new Set<string>();
  const roles: string[] = [];
  const addresses = new Set<string>();
  const owner = run.record.owner as string | null;
  for (const r of to) {
    if (r === 'owner' && owner) ids.add(owner);
    else if (r === 'rule_owner' && run.rule.owner) ids.add(run.rule.owner);
    else if (r.startsWith('user:')) ids.add(r.slice(5));
    else if (r.startsWith('role:')) roles.push(r.slice(5));
    else if (r.startsWith('field:')) {
      const v = run.record[r.slice(6)];
      if (typeof v === 'string' && UUID_RE.test(v)) ids.add(v);
      else if (typeof v === 'string' && EMAIL_RE.test(v)) addresses.add(v);
    } else if (EMAIL_RE.test(r)) addresses.add(r);
  }
  const ctx = asSystem(run.ctx);
  const user = ctx.platform.registry.requireObject('user');
  if (to.includes('manager') && owner) {
    const o = await getRecord({ ctx, object: user, id: owner, fields: ['manager'] }).catch(() => null);
    if (typeof o?.manager === 'string') ids.add(o.manager);
  }
  if (!ids.size && !roles.length) return { users: [], addresses: [...addresses] };
  const anyOf = [
    ...(ids.size ? [{ field: 'id', op: 'in', value: [...ids] }] : []),
    ...(roles.length ? [{ field: 'role', op: 'in', value: roles }] : []),
  ];
  const found = await listRecords({ ctx, object: user, fields: ['email'], limit: 200, filter: { and: [{ field: 'active', op: 'ne', value: false }, { or: anyOf }] } });
  return { users: found.data.map((u) => ({ id: u.id, email: String(u.email) })), addresses: [...addresses] };
}
