import { type Transaction } from 'kysely';
import { declaredCapabilities } from '../../module.ts';
import { type FieldError } from '../../errors.ts';
import type { Platform } from '../../kernel.ts';
import type { Actor } from '../../records/context.ts';
import { changeConfiguration, type ConfigurationAudit } from '../../metadata/configuration-change.ts';
import { forgetAccessCache } from '../info.ts';
import type { ObjectPermissions, ProfilePermissions } from '../model.ts';

/** Input checks shared by the access admin commands, and their one transaction path (configuration-change.ts). */
/** Admin commands of the access model. Each change bumps the shared version so caches reload. */
export const NAME_RE = /^[a-z][a-z0-9_]{1,48}[a-z0-9]$/;

export async function inAccessTransaction<T>(platform: Platform, actor: Actor, audit: ConfigurationAudit, fn: (trx: Transaction<any>) => Promise<T>): Promise<T> {
  const result = await changeConfiguration({ platform, actor, refusal: 'Only administrators can change access settings', audit, run: fn });
  forgetAccessCache(platform);
  return result;
}

export function requireName(value: unknown, errors: FieldError[]): string {
  if (typeof value !== 'string' || !NAME_RE.test(value)) {
    errors.push({ field: 'name', code: 'invalid_name', message: 'Lower snake case, 3–50 characters (e.g. sales_manager)' });
    return '';
  }
  return value;
}

export const PERMISSION_KEYS: Array<keyof ObjectPermissions> = ['read', 'create', 'edit', 'delete', 'viewAll', 'modifyAll'];

export function validatePermissions(platform: Platform, input: unknown, errors: FieldError[]): ProfilePermissions {
  if (input === undefined) return {};
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    errors.push({ field: 'permissions', code: 'type', message: 'Must be an object {default?, objects?, fields?}' });
    return {};
  }
  const p = input as Record<string, unknown>;
  const out: ProfilePermissions = {};
  const checkPerms = (value: unknown, path: string): Partial<ObjectPermissions> | undefined => {
    if (typeof value !== 'object' || value === null) {
      errors.push({ field: path, code: 'type', message: 'Must be an object of booleans' });
      return undefined;
    }
    const perms: Partial<ObjectPermissions> = {};
    for (const [k, v] of Object.entries(value)) {
      if (!PERMISSION_KEYS.includes(k as keyof ObjectPermissions) || typeof v !== 'boolean') errors.push({ field: `${path}.${k}`, code: 'invalid', message: `Use ${PERMISSION_KEYS.join(', ')} with true/false` });
      else perms[k as keyof ObjectPermissions] = v;
    }
    return perms;
  };
  for (const k of Object.keys(p)) if (!['default', 'objects', 'fields', 'capabilities'].includes(k)) errors.push({ field: `permissions.${k}`, code: 'unknown_property', message: 'Use default, objects, fields or capabilities' });
  if (p.capabilities !== undefined) {
    const known = new Set(declaredCapabilities(platform.modules).map((c) => c.name));
    if (!Array.isArray(p.capabilities)) errors.push({ field: 'permissions.capabilities', code: 'type', message: 'A list of capability names (GET /api/v1/capabilities)' });
    else {
      p.capabilities.forEach((c, i) => {
        if (typeof c !== 'string' || !known.has(c)) errors.push({ field: `permissions.capabilities[${i}]`, code: 'unknown_capability', message: `No capability '${String(c).slice(0, 64)}' (GET /api/v1/capabilities lists them)` });
      });
      out.capabilities = [...new Set(p.capabilities.filter((c): c is string => typeof c === 'string' && known.has(c)))];
    }
  }
  if (p.default !== undefined) out.default = checkPerms(p.default, 'permissions.default');
  if (p.objects !== undefined) {
    out.objects = {};
    for (const [object, perms] of Object.entries(p.objects as Record<string, unknown>)) {
      if (!platform.registry.getObject(object)) errors.push({ field: `permissions.objects.${object}`, code: 'unknown_object', message: `No object '${object}'` });
      else out.objects[object] = checkPerms(perms, `permissions.objects.${object}`) ?? {};
    }
  }
  if (p.fields !== undefined) {
    out.fields = {};
    for (const [object, fields] of Object.entries(p.fields as Record<string, unknown>)) {
      const o = platform.registry.getObject(object);
      if (!o || typeof fields !== 'object' || fields === null) {
        errors.push({ field: `permissions.fields.${object}`, code: 'unknown_object', message: `No object '${object}'` });
        continue;
      }
      out.fields[object] = {};
      for (const [field, access] of Object.entries(fields)) {
        const f = platform.registry.getField(o, field);
        if (!f || ['id', 'version'].includes(field)) errors.push({ field: `permissions.fields.${object}.${field}`, code: 'unknown_field', message: `No field '${field}' on ${object} that can be restricted` });
        else if (access !== 'hidden' && access !== 'read_only') errors.push({ field: `permissions.fields.${object}.${field}`, code: 'invalid_choice', message: "Use 'hidden' or 'read_only'" });
        else out.fields[object]![field] = access;
      }
    }
  }
  return out;
}
