import { defineModule } from '../../platform/module.ts';
import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../platform/kernel.ts';
import { privacySettings } from './settings.ts';
import { startPrivacy } from './startup.ts';
import { registerBackupRoutes } from './backup/routes.ts';

function registerPrivacyRoutes(app: FastifyInstance, platform: Platform): void {
  registerBackupRoutes(app, platform);
}

/**
 * Privacy and backups (docs/privacy.md; issue 15 items 10 and 11): per-person export and
 * erasure, consent, retention of deleted records, and the backup endpoint `meridian backup`
 * calls on a running instance (the archive logic is platform/backup).
 */
export const privacyModule = defineModule({
  name: 'privacy',
  routes: registerPrivacyRoutes,
  settings: privacySettings,
  startup: startPrivacy,
});
