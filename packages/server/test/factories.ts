import { randomUUID } from 'node:crypto';
import type { MeridianModule } from '../src/platform/module.ts';
import type { TestUser } from './server.ts';

/**
 * Record factories over the public API, so tests build data the way clients do. Names are
 * random, not sequential: sequential names look alike to the fuzzy duplicate rule (PLT-6).
 */
const unique = () => randomUUID().replace(/-/g, '').slice(0, 12);

async function create(user: TestUser, object: string, body: Record<string, unknown>) {
  const res = await user.request('POST', `/api/v1/${object}?allowDuplicate=true`, { body });
  if (res.status !== 201) throw new Error(`create ${object} failed: ${res.status} ${res.text}`);
  return res.body as Record<string, any> & { id: string; version: number };
}

export const buildAccount = (user: TestUser, overrides: Record<string, unknown> = {}) => create(user, 'account', { name: `Account ${unique()}`, ...overrides });
export const buildContact = (user: TestUser, overrides: Record<string, unknown> = {}) => create(user, 'contact', { last_name: `Contact ${unique()}`, ...overrides });
export const buildLead = (user: TestUser, overrides: Record<string, unknown> = {}) => create(user, 'lead', { last_name: `Lead ${unique()}`, company: `Company ${unique()}`, ...overrides });
export const buildOpportunity = (user: TestUser, overrides: Record<string, unknown> = {}) =>
  create(user, 'opportunity', { name: `Deal ${unique()}`, close_date: '2027-01-31', amount: 1000, ...overrides });
export const buildTask = (user: TestUser, overrides: Record<string, unknown> = {}) => create(user, 'task', { subject: `Task ${unique()}`, ...overrides });
export const buildRecord = create;

/**
 * Any object a module declares a factory for (platform/module.ts `factories`): its smallest valid
 * input, with the parents its required lookups need built first by the same user.
 */
export async function buildAny(modules: readonly MeridianModule[], user: TestUser, object: string, overrides: Record<string, unknown> = {}) {
  const factory = modules.map((m) => m.factories?.[object]).find(Boolean);
  if (!factory) throw new Error(`No module declares a test factory for '${object}'`);
  const input = await factory({ unique, userId: user.id, parent: async (parent) => (await buildAny(modules, user, parent)).id });
  return create(user, object, { ...input, ...overrides });
}

/** The objects some module declares a test factory for. */
export const factoryObjects = (modules: readonly MeridianModule[]) => modules.flatMap((m) => Object.keys(m.factories ?? {}));
