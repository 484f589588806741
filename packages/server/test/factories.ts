import type { TestUser } from './server.ts';

/** Record factories over the public API, so tests build data the way clients do. */
let n = 0;
const unique = () => `${Date.now().toString(36)}${(++n).toString(36)}`;

async function create(user: TestUser, object: string, body: Record<string, unknown>) {
  const res = await user.request('POST', `/api/v1/${object}`, { body });
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
