import { defineModule } from '../../platform/module.ts';
import { privacySettings } from './settings.ts';
import { startPrivacy } from './startup.ts';
import { registerPrivacyRoutes } from './routes.ts';
import { ERASE_CAPABILITY } from './erasure/erasePerson.ts';
import { purgeExpired } from './retention/purgeExpired.ts';
import { consentFields } from './consent.ts';

/**
 * Privacy and backups (docs/privacy.md; issue 15 items 10 and 11): per-person export and
 * erasure, consent, retention of deleted records, and the backup endpoint `meridian backup`
 * calls on a running instance (the archive logic is platform/backup).
 */
export const privacyModule = defineModule({
  name: 'privacy',
  // Consent and communication preferences on both kinds of person (sales, listed before this module).
  fieldsFor: { contact: consentFields, lead: consentFields },
  routes: registerPrivacyRoutes,
  settings: privacySettings,
  startup: startPrivacy,
  jobs: [{ name: 'privacy.retention', cron: '41 2 * * *', run: async (platform) => void (await purgeExpired(platform)) }],
  capabilities: [{ name: ERASE_CAPABILITY, label: 'Erase people', description: 'Anonymise a contact or lead on request (right to erasure); administrators have it' }],
});
