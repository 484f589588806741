import type { RecordContext } from '../../../platform/records/context.ts';
import type { ObjectDefinition } from '../../../platform/metadata/types.ts';
import { permissionsFor } from '../../../platform/access/policy.ts';

/** Whether the caller may list the object at all: objects they cannot read are left out of an export, not an error. */
export function canReadObject(ctx: RecordContext, object: ObjectDefinition): boolean {
  return permissionsFor(ctx.actor, object).read === true;
}
