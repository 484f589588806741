import { defineSettings, setting } from '../../platform/settings.ts';

/** The customer portal's settings (docs/portal.md, "Settings"). */
export const portalSettings = defineSettings('portal', {
  linkMinutes: setting.integer('MERIDIAN_PORTAL_LINK_MINUTES', 15, 'minutes a portal sign-in link stays valid (it works once)', { min: 1, max: 1440 }),
  sessionHours: setting.integer('MERIDIAN_PORTAL_SESSION_HOURS', 12, 'hours a portal session lasts after sign-in', { min: 1, max: 720 }),
  linksPerAddress: setting.integer('MERIDIAN_PORTAL_LINKS_PER_EMAIL', 3, 'sign-in links one e-mail address (one contact) may ask for per window (0 = no limit)', { min: 0 }),
  linksPerIp: setting.integer('MERIDIAN_PORTAL_LINKS_PER_IP', 20, 'sign-in link requests from one IP address per window (0 = no limit)', { min: 0 }),
  linkWindowMinutes: setting.integer('MERIDIAN_PORTAL_LINK_WINDOW_MINUTES', 15, 'the window of the two sign-in link limits, in minutes', { min: 1, max: 1440 }),
});
