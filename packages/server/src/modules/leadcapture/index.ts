import { defineModule } from '../../platform/module.ts';
import type { JobDefinition } from '../../platform/jobs/boss.ts';
import { leadCaptureObjects, leadFields } from './objects.ts';
import { registerLeadCaptureHooks } from './hooks.ts';
import { registerLeadCaptureRoutes } from './routes.ts';
import { leadCaptureMigrations } from './startup.ts';
import { leadCaptureSettings } from './settings.ts';
import { escalateUncontactedLeads } from './speed.ts';
import { pruneSpamTables } from './spam.ts';

const leadCaptureJobs: JobDefinition[] = [
  {
    // Every minute: leads assigned and not contacted in time escalate (speed to lead).
    name: 'leadcapture.escalate',
    cron: '* * * * *',
    async run(platform) {
      const result = await escalateUncontactedLeads(platform);
      if (result.escalated) platform.logger.info(result, 'uncontacted leads escalated');
    },
  },
  { name: 'leadcapture.prune', cron: '17 * * * *', run: (platform) => pruneSpamTables(platform) },
];

/**
 * Lead capture and routing (docs/automation.md "Lead capture", issue 14 items 8–10, SAL-6):
 * web-to-lead forms with spam protection, assignment rules (users, queues, round robin,
 * territories, out of office), the owner alerted at once, speed to lead measured and escalated.
 */
export const leadCaptureModule = defineModule({
  name: 'leadcapture',
  objects: leadCaptureObjects,
  // After sales and activities in the composition root: it adds to lead and hooks on calls and meetings.
  fieldsFor: { lead: leadFields },
  hooks: registerLeadCaptureHooks,
  routes: registerLeadCaptureRoutes,
  jobs: leadCaptureJobs,
  migrations: leadCaptureMigrations,
  settings: leadCaptureSettings,
  factories: {
    web_form: ({ unique }) => ({ name: `Form ${unique()}` }),
    assignment_group: ({ unique }) => ({ name: `Group ${unique()}` }),
    assignment_group_member: async ({ parent, userId, unique }) => ({ name: `Member ${unique()}`, assignment_group: await parent('assignment_group'), user: userId }),
    assignment_rule: async ({ parent, unique }) => ({ name: `Rule ${unique()}`, sort_order: 900, active: false, target: 'round_robin', assignment_group: await parent('assignment_group') }),
    territory: ({ unique, userId }) => ({ name: `Territory ${unique()}`, countries: `Land ${unique()}`, user: userId }),
    out_of_office: ({ unique, userId }) => ({ name: `Away ${unique()}`, user: userId, starts_on: '2001-01-01', ends_on: '2001-01-02' }),
  },
});

export { assignByRules, type Assignment } from './assign.ts';
export { captureLead } from './submit.ts';
export { escalateUncontactedLeads, speedToLeadReport } from './speed.ts';
