import type { RecordFactory } from '../../platform/module.ts';

/** The smallest valid input of each sales object clients create (test factories; platform/module.ts). */
export const salesFactories: Record<string, RecordFactory> = {
  account: ({ unique }) => ({ name: `Account ${unique()}` }),
  contact: ({ unique }) => ({ last_name: `Contact ${unique()}` }),
  lead: ({ unique }) => ({ last_name: `Lead ${unique()}`, company: `Company ${unique()}` }),
  opportunity: ({ unique }) => ({ name: `Deal ${unique()}`, close_date: '2027-01-31', amount: 1000 }),
  project: ({ unique }) => ({ name: `Project ${unique()}` }),
  pipeline: ({ unique }) => ({ name: `Pipeline ${unique()}` }),
  pipeline_stage: async ({ unique, parent }) => ({ name: `Stage ${unique()}`, pipeline: await parent('pipeline'), api_value: 'prospecting', order: 1 }),
  account_team_member: async ({ parent, userId }) => ({ account: await parent('account'), user: userId, role: 'backup_pm' }),
  account_contact_role: async ({ parent }) => ({ account: await parent('account'), contact: await parent('contact'), role: 'billing' }),
};
