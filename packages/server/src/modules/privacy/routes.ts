import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../platform/kernel.ts';
import { recordContext, requireActor } from '../../platform/http/context.ts';
import { T, routeSchema } from '../../platform/http/schema/common.ts';
import { writeAudit } from '../../platform/events/audit.ts';
import { badRequest } from '../../platform/errors.ts';
import { registerBackupRoutes } from './backup/routes.ts';
import { erasePerson, PERSON_OBJECTS } from './erasure/erasePerson.ts';
import { collectPerson } from './export/collectPerson.ts';
import { writePersonArchive } from './export/writePersonArchive.ts';

const tags = ['privacy'];
const PersonParams = T.Object({ object: T.String({ description: 'contact or lead' }), id: T.String({ format: 'uuid' }) });
type P = { object: string; id: string };
const Archive = T.Unsafe({ description: "The person's data: a tar.gz of JSON files and the attached files", content: { 'application/gzip': { schema: { type: 'string', format: 'binary' } } } });
const Erasure = T.Object({
  object: T.String(), id: T.String(),
  erased: T.Array(T.String(), { description: 'Fields cleared on the record and in its history and events' }),
  kept: T.Array(T.Object({ fields: T.Array(T.String()), reason: T.String(), documents: T.Array(T.Object({ object: T.String(), id: T.String(), name: T.String(), reason: T.String() })) })),
  history: T.Integer({ description: 'Field history rows whose values were removed' }),
  events: T.Integer({ description: 'Stored events whose payloads were scrubbed' }),
});

function personObject(object: string): void {
  if (!(PERSON_OBJECTS as readonly string[]).includes(object)) throw badRequest('Only contacts and leads', [{ field: 'object', code: 'invalid', message: `One of ${PERSON_OBJECTS.join(', ')}` }]);
}

export function registerPrivacyRoutes(app: FastifyInstance, platform: Platform): void {
  registerBackupRoutes(app, platform);

  app.get('/api/v1/privacy/:object/:id/export', {
    schema: routeSchema({ tags, operationId: 'exportPersonData', summary: 'Everything held about a contact or lead that you may read (record, related records, timeline, files) as tar.gz; audited', params: PersonParams, response: { 200: Archive } }),
  }, async (request, reply) => {
    const { object, id } = request.params as P;
    personObject(object);
    const ctx = recordContext(platform, request);
    // Collected before the answer starts: a missing record or no access is a problem+json.
    const data = await collectPerson(ctx, object, id);
    const counts = Object.fromEntries([...Object.entries(data.related), ...Object.entries(data.timeline)].map(([o, rows]) => [o, rows.length]));
    await writeAudit(platform.db, { action: 'privacy.exported', actor: requireActor(request), ip: request.ip, target: { type: object, id }, details: { records: counts } });
    const body = new PassThrough();
    writePersonArchive(platform, data, ctx.actor.userId, body).catch((error: Error) => {
      request.log.error({ err: error }, 'privacy export failed while streaming');
      body.destroy(error);
    });
    return reply.header('content-type', 'application/gzip').header('cache-control', 'private, no-store')
      .header('content-disposition', `attachment; filename="${object}-${id}-data.tar.gz"`).send(body);
  });

  app.post('/api/v1/privacy/:object/:id/erase', {
    schema: routeSchema({ tags, operationId: 'erasePerson', summary: 'Anonymise a contact or lead across the record, its field history and stored events (privacy.erase capability); says what was kept and why', params: PersonParams, response: { 200: Erasure } }),
  }, async (request) => {
    const { object, id } = request.params as P;
    return erasePerson({ ctx: recordContext(platform, request), object, id });
  });
}
