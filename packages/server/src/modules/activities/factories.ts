import type { RecordFactory } from '../../platform/module.ts';

/** The smallest valid input of each activity object clients create (test factories; platform/module.ts). */
export const activityFactories: Record<string, RecordFactory> = {
  task: ({ unique }) => ({ subject: `Task ${unique()}` }),
  meeting: ({ unique }) => ({ subject: `Meeting ${unique()}`, start_at: '2030-03-01T09:00:00Z', end_at: '2030-03-01T10:00:00Z' }),
  call: ({ unique }) => ({ subject: `Call ${unique()}`, start_at: '2024-03-01T09:00:00Z' }),
  email_log: ({ unique }) => ({ subject: `E-mail ${unique()}` }),
  note: ({ unique }) => ({ title: `Note ${unique()}`, body: '<p>A note</p>' }),
  activity_link: async ({ parent }) => ({ activity_object: 'task', activity_id: await parent('task'), record_object: 'account', record_id: await parent('account') }),
  meeting_invitee: async ({ parent, userId }) => ({ meeting: await parent('meeting'), user: userId }),
  booking_link: ({ unique }) => ({ name: `Intro call ${unique()}`, duration_minutes: 30 }),
};
