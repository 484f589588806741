import { defineSettings, setting } from '../../platform/settings.ts';

/** Approvals' settings (docs/automation.md#approvals, docs/operations.md). */
export const approvalSettings = defineSettings('approvals', {
  linkHours: setting.integer('MERIDIAN_APPROVAL_LINK_HOURS', 72, 'hours an approve/reject link in an approval e-mail stays valid (each works once)', { min: 1, max: 24 * 30 }),
});
