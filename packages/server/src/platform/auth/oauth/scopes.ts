import { validationFailed } from '../../errors.ts';
import type { MetadataRegistry } from '../../metadata/types.ts';
import type { ObjectPermissions } from '../../access/model.ts';

/**
 * Scopes of integration clients: `records:read`, `records:write` (every object) or per object
 * `records:read:<object>`, `records:write:<object>`. Write includes read (an update answers with
 * the record). They narrow what the acting user may do — never widen it — and are applied where
 * every access decision is made (access/policy.ts permissionsFor), so a read-only token cannot
 * write through any route, bulk endpoint or module command.
 */
const SCOPE = /^records:(read|write)(?::([a-z][a-z0-9_]*))?$/;

/** Checks the scopes an admin grants a client; unknown objects are refused by name. */
export function parseScopes(registry: MetadataRegistry, input: unknown, field = 'scopes'): string[] {
  const list = Array.isArray(input) ? input : typeof input === 'string' ? input.split(/\s+/).filter(Boolean) : undefined;
  if (!list || !list.length) throw validationFailed([{ field, code: 'required', message: 'Grant at least one scope, e.g. records:read' }]);
  const out: string[] = [];
  for (const scope of list) {
    const m = typeof scope === 'string' ? SCOPE.exec(scope) : null;
    if (!m) throw validationFailed([{ field, code: 'invalid', message: `'${String(scope)}' is not a scope: use records:read, records:write, records:read:<object> or records:write:<object>` }]);
    if (m[2] && !registry.getObject(m[2])) throw validationFailed([{ field, code: 'unknown_object', message: `No object '${m[2]}' in ${scope}` }]);
    if (!out.includes(scope)) out.push(scope);
  }
  return out;
}

/** Whether the scopes allow reading (`read`) or changing (`write`) records of the object. */
export function scopeAllows(scopes: readonly string[], object: string, verb: 'read' | 'write'): boolean {
  const has = (v: string) => scopes.includes(`records:${v}`) || scopes.includes(`records:${v}:${object}`);
  return verb === 'read' ? has('read') || has('write') : has('write');
}

/** A profile's permissions on one object, narrowed to what the scopes allow. */
export function narrowByScopes(perms: ObjectPermissions, scopes: readonly string[], object: string): ObjectPermissions {
  const read = scopeAllows(scopes, object, 'read');
  const write = scopeAllows(scopes, object, 'write');
  return {
    read: perms.read && read,
    create: perms.create && write,
    edit: perms.edit && write,
    delete: perms.delete && write,
    viewAll: perms.viewAll && read,
    modifyAll: perms.modifyAll && write,
  };
}
