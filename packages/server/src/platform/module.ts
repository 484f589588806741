import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Platform } from './kernel.ts';
import type { JobDefinition } from './jobs/boss.ts';
import type { FieldDefinition, ObjectDefinition } from './metadata/types.ts';
import type { Registry } from './metadata/registry.ts';
import type { HookRegistry } from './records/hooks.ts';
import type { SettingsDeclaration } from './settings.ts';

/**
 * A module's forward-only migration. It runs once per database, in its own transaction, after the
 * platform's migrations and after the standard objects' tables exist (so it may index them); the
 * id is stored as `<module>/<id>`. Never edit a released migration: add the next one.
 */
export interface ModuleMigration {
  id: string;
  up(trx: Kysely<any>, context: { registry: Registry }): Promise<void>;
}

/**
 * What a module is (Medusa's `Module(...)`, in spirit): one declared object the composition root
 * hands to the platform. The platform imports no module; it reads this shape.
 */
export interface MeridianModule {
  /** Lower-case, unique; prefixes its migrations, jobs and settings. */
  name: string;
  /** Standard objects defined in code (tables and columns are created from them at boot). */
  objects?: ObjectDefinition[];
  /**
   * Fields this module adds to an object another module (or the platform) declares, e.g. billing's
   * `{ account: [field('price_book', …)] }`: merged into that definition at boot (withModuleFields),
   * so their columns are created like the owner's own. A module never edits another's objects.ts.
   */
  fieldsFor?: Record<string, FieldDefinition[]>;
  /** Business rules on the record pipeline, keyed by object and operation. */
  hooks?: (hooks: HookRegistry) => void;
  /** Routes beyond generic record CRUD. Registered before the generic `/:object` routes. */
  routes?: (app: FastifyInstance, platform: Platform) => void | Promise<void>;
  /** Background and cron jobs (pg-boss), run by `meridian start` and `meridian worker`. */
  jobs?: JobDefinition[];
  migrations?: ModuleMigration[];
  /** Settings with defaults and environment names, resolved and checked at boot. */
  settings?: SettingsDeclaration;
  /** Idempotent work at every start, after migrations and hooks (seeds go through the pipeline). */
  startup?: (platform: Platform) => Promise<void>;
  /**
   * Permissions beyond object CRUD that profiles grant by name (`sales.skip_stages`), checked
   * with hasCapability (access/policy.ts). Admins have all of them.
   */
  capabilities?: Capability[];
  /**
   * Domain events the module's commands write to the outbox besides the record events
   * (`quote.accepted`, records/history.ts recordEvent): webhooks may subscribe to them by name.
   */
  events?: DomainEvent[];
  /**
   * Test factories: the smallest valid input for each of the module's objects that clients may
   * create, so integration suites (test/factories.ts `buildAny`) and the access walk can build a
   * record of any object without knowing its rules. `parent(object)` creates a record a required
   * lookup needs and answers its id; `unique()` a random suffix (the duplicate rules ignore it).
   */
  factories?: Record<string, RecordFactory>;
}

export type RecordFactory = (make: { unique: () => string; parent: (object: string) => Promise<string>; userId: string }) => Record<string, unknown> | Promise<Record<string, unknown>>;

export interface Capability {
  /** `<module>.<snake_case>` */
  name: string;
  label: string;
  description: string;
}

export interface DomainEvent {
  /** `<object>.<past-tense action>`, the object being one of the module's. */
  type: string;
  description: string;
}

/** Every capability the running modules declare, with its module: what profiles may grant and processes may name. */
export function declaredCapabilities(modules: readonly MeridianModule[]): Array<Capability & { module: string }> {
  return modules.flatMap((m) => (m.capabilities ?? []).map((c) => ({ ...c, module: m.name })));
}

export function defineModule(module: MeridianModule): MeridianModule {
  if (!/^[a-z][a-z0-9_]*$/.test(module.name)) throw new Error(`Module name '${module.name}' must be lower-case letters, digits and _`);
  for (const job of module.jobs ?? []) {
    if (!job.name.startsWith(`${module.name}.`)) throw new Error(`Job '${job.name}' of module '${module.name}' must be named '${module.name}.…'`);
  }
  for (const c of module.capabilities ?? []) {
    if (!new RegExp(`^${module.name}\\.[a-z][a-z0-9_]*$`).test(c.name)) throw new Error(`Capability '${c.name}' of module '${module.name}' must be named '${module.name}.…'`);
  }
  for (const e of module.events ?? []) {
    const object = e.type.split('.')[0];
    if (!/^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/.test(e.type) || !(module.objects ?? []).some((o) => o.apiName === object)) {
      throw new Error(`Event '${e.type}' of module '${module.name}' must be named '<one of its objects>.<action>'`);
    }
  }
  if (module.settings && module.settings.module !== module.name) throw new Error(`Settings of module '${module.name}' are declared for '${module.settings.module}'`);
  return module;
}

/** Refuses two modules with one name, or two modules declaring the same object. */
export function checkModules(modules: readonly MeridianModule[]): void {
  const names = new Set<string>();
  const objects = new Map<string, string>();
  for (const m of modules) {
    if (names.has(m.name)) throw new Error(`Two modules are named '${m.name}'`);
    names.add(m.name);
    for (const o of m.objects ?? []) {
      const owner = objects.get(o.apiName);
      if (owner) throw new Error(`Object '${o.apiName}' is declared by modules '${owner}' and '${m.name}'`);
      objects.set(o.apiName, m.name);
    }
  }
}

/**
 * The standard objects with the fields modules add to each other's objects (`fieldsFor`), placed
 * before the system fields. Refuses a field for an object no module declares, or a name the
 * object already has.
 */
export function withModuleFields(objects: readonly ObjectDefinition[], modules: readonly MeridianModule[]): ObjectDefinition[] {
  const added = new Map<string, FieldDefinition[]>();
  for (const m of modules) {
    for (const [object, fields] of Object.entries(m.fieldsFor ?? {})) {
      const target = objects.find((o) => o.apiName === object);
      if (!target) throw new Error(`Module '${m.name}' adds fields to '${object}', which no module declares`);
      for (const f of fields) {
        if ([...target.fields, ...(added.get(object) ?? [])].some((x) => x.apiName === f.apiName)) throw new Error(`Module '${m.name}' adds field '${f.apiName}' to '${object}', which already has one`);
        added.set(object, [...(added.get(object) ?? []), f]);
      }
    }
  }
  return objects.map((o) => {
    const extra = added.get(o.apiName);
    if (!extra) return o;
    const system = o.fields.findIndex((f) => f.apiName === 'id');
    const at = system < 0 ? o.fields.length : system;
    return { ...o, fields: [...o.fields.slice(0, at), ...extra, ...o.fields.slice(at)] };
  });
}
