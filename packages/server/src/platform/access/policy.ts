import type { RawBuilder } from 'kysely';
import { forbidden } from '../errors.ts';
import type { FieldDefinition, ObjectDefinition } from '../metadata/types.ts';
import type { Actor } from '../records/context.ts';

export type ObjectPermission = 'read' | 'create' | 'edit' | 'delete';

/**
 * The access decisions of the record pipeline. Every read and write asks here, whatever the
 * entry point. Today: signed-in users may work with every business object; users, metadata and
 * purges are for admins. Roles, profiles, field-level security and sharing plug in here
 * (a visibility condition compiled into the query, not a yes/no after the fact).
 */
export function assertObjectPermission(actor: Actor, object: ObjectDefinition, permission: ObjectPermission): void {
  if (actor.isAdmin) return;
  if (!actor.userId) throw forbidden();
  if (object.apiName === 'user' && permission !== 'read') {
    throw forbidden('Only administrators can manage users');
  }
}

export function assertAdmin(actor: Actor, what = 'This needs administrator rights'): void {
  if (!actor.isAdmin) throw forbidden(what);
}

/** A condition (SQL over alias t0) restricting which records the actor may see, or undefined for all. */
export function visibilityCondition(_actor: Actor, _object: ObjectDefinition, _alias: string): RawBuilder<boolean> | undefined {
  return undefined;
}

/** Fields the actor may read on this object. */
export function readableFields(_actor: Actor, object: ObjectDefinition): FieldDefinition[] {
  return object.fields;
}

/** Fields the actor may write on this object. */
export function isFieldWritable(_actor: Actor, _object: ObjectDefinition, field: FieldDefinition): boolean {
  return !field.readOnly;
}
