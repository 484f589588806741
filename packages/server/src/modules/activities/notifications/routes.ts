import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Platform } from '../../../platform/kernel.ts';
import { recordContext } from '../../../platform/http/context.ts';
import { getNotificationSettings, parseSettingsInput, saveNotificationSettings } from './settings.ts';
import { T, routeSchema } from '../../../platform/http/schema/common.ts';

const Settings = T.Object({ inApp: T.Boolean(), email: T.Boolean(), digest: T.Object({ enabled: T.Boolean(), hour: T.Integer() }) });
const tags = ['notifications'];

/**
 * The signed-in user's reminder channels and daily digest (docs/activities.md, "Reminders and
 * escalation"). The notification list and live stream are the platform's (platform/notifications/).
 */
export function registerNotificationRoutes(app: FastifyInstance, platform: Platform): void {
  const ctxOf = (request: FastifyRequest) => recordContext(platform, request);
  app.get('/api/v1/me/notification-settings', { schema: routeSchema({ tags, operationId: 'getNotificationSettings', summary: 'Your reminder channels and daily digest', response: { 200: Settings } }) }, async (request) => getNotificationSettings(ctxOf(request)));
  app.put('/api/v1/me/notification-settings', {
    schema: routeSchema({
      tags,
      operationId: 'saveNotificationSettings',
      summary: 'Change your reminder channels and daily digest',
      body: T.Object({ inApp: T.Optional(T.Boolean()), email: T.Optional(T.Boolean()), digest: T.Optional(T.Object({ enabled: T.Optional(T.Boolean()), hour: T.Optional(T.Integer({ minimum: 0, maximum: 23 })) }, { additionalProperties: false })) }, { additionalProperties: false }),
      response: { 200: Settings },
    }),
  }, async (request) => saveNotificationSettings({ ctx: ctxOf(request), input: parseSettingsInput(request.body) }));
}
