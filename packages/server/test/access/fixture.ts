import { expect } from 'vitest';
import type { TestResponse, TestUser } from '../server.ts';

/**
 * The restricted-rep fixture of the issue 18 tests: sibling roles under a sales head, an
 * unreadable custom object and a "rep" profile hiding the given fields.
 */
export const ok = (r: TestResponse) => expect(r.status, r.text).toBeLessThan(300);

/** Roles sales_head → sales_east, sales_west (reps A and B are siblings). */
export async function createSiblingRoles(admin: TestUser): Promise<void> {
  ok(await admin.request('POST', '/api/v1/roles', { body: { name: 'sales_head', label: 'Sales head' } }));
  ok(await admin.request('POST', '/api/v1/roles', { body: { name: 'sales_east', label: 'East', parent: 'sales_head' } }));
  ok(await admin.request('POST', '/api/v1/roles', { body: { name: 'sales_west', label: 'West', parent: 'sales_head' } }));
}

/** The custom object `audit_case` and a profile `rep` that may not read it, with `fields` access per object. */
export async function createRepProfile(admin: TestUser, fields: Record<string, Record<string, 'hidden' | 'read_only'>>, options: { capabilities?: string[] } = {}): Promise<void> {
  ok(await admin.request('POST', '/api/v1/metadata/objects', { body: { apiName: 'audit_case', label: 'Audit case', pluralLabel: 'Audit cases' } }));
  const { capabilities } = options;
  ok(await admin.request('POST', '/api/v1/profiles', {
    body: {
      name: 'rep', label: 'Rep',
      permissions: {
        default: { read: true, create: true, edit: true, delete: true },
        objects: { audit_case: { read: false, create: false, edit: false, delete: false } },
        fields,
        ...(capabilities ? { capabilities } : {}),
      },
    },
  }));
}
