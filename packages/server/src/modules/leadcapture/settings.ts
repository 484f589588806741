import { defineSettings, setting, type SettingSpec } from '../../platform/settings.ts';

export const ESCALATION_ACTIONS = ['notify_manager', 'reassign'] as const;
export type EscalationAction = (typeof ESCALATION_ACTIONS)[number];

/** One of ESCALATION_ACTIONS: a typo stops the start naming the variable. */
const escalationAction: SettingSpec<EscalationAction> = {
  env: 'MERIDIAN_LEAD_ESCALATION_ACTION',
  default: 'notify_manager',
  doc: "what an uncontacted lead's escalation does: notify_manager (the owner's manager is notified) or reassign (the assignment rules again, skipping the owner)",
  parse(raw) {
    if (!(ESCALATION_ACTIONS as readonly string[]).includes(raw)) throw new Error(`must be one of ${ESCALATION_ACTIONS.join(', ')}, got '${raw}'`);
    return raw as EscalationAction;
  },
};

/** Lead capture's settings (docs/operations.md, "Lead capture"). */
export const leadCaptureSettings = defineSettings('leadcapture', {
  rateLimit: setting.integer('MERIDIAN_LEAD_FORM_RATE_LIMIT', 20, 'web form submissions per IP address and hour, over all forms (0 = no limit)'),
  powBits: setting.integer('MERIDIAN_LEAD_FORM_POW_BITS', 16, 'difficulty of the proof-of-work challenge of forms that ask for one: leading zero bits of SHA-256 (16 ≈ 65,000 hashes in the browser)', { min: 1, max: 28 }),
  tokenHours: setting.integer('MERIDIAN_LEAD_FORM_TOKEN_HOURS', 24, 'hours a loaded form can still be submitted', { min: 1 }),
  escalationMinutes: setting.integer('MERIDIAN_LEAD_ESCALATION_MINUTES', 30, 'minutes after assignment before a lead nobody contacted escalates (0 = never)'),
  escalationAction,
  smtpPort: setting.integer('MERIDIAN_LEAD_SMTP_PORT', 0, 'port of the inbound SMTP listener that turns e-mails to the capture address into leads (0 = off)', { max: 65535 }),
  smtpHost: setting.text('MERIDIAN_LEAD_SMTP_HOST', '127.0.0.1', 'address the inbound SMTP listener binds to'),
  captureAddress: setting.text('MERIDIAN_LEAD_CAPTURE_ADDRESS', 'leads@localhost', 'the recipient address whose messages become leads (others are refused)'),
});

