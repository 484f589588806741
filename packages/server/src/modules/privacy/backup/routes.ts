import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../../platform/kernel.ts';
import { adminsOnly, requireActor } from '../../../platform/http/context.ts';
import { T, routeSchema } from '../../../platform/http/schema/common.ts';
import { takeSnapshot } from '../../../platform/backup/snapshot.ts';
import { writeArchive } from '../../../platform/backup/archive.ts';
import { backupFileSources } from '../../../platform/backup/files.ts';
import { writeAudit } from '../../../platform/events/audit.ts';
import { privacySettings } from '../settings.ts';

const Archive = T.Unsafe({ description: 'The backup: a tar.gz of manifest.json (every table\'s row count and checksum at the snapshot), the database and the attached files', content: { 'application/gzip': { schema: { type: 'string', format: 'binary' } } } });

/**
 * `POST /api/v1/admin/backup` streams a consistent snapshot. It exists because a running PGlite
 * instance owns its data directory alone (platform/db/lock.ts): only the process holding it can
 * read the database, so `meridian backup --url` asks that process. On PostgreSQL it works the
 * same (pg_dump runs next to the server).
 */
export function registerBackupRoutes(app: FastifyInstance, platform: Platform): void {
  app.post('/api/v1/admin/backup', {
    ...adminsOnly,
    schema: routeSchema({ tags: ['backup'], operationId: 'createBackup', summary: 'A consistent, compressed snapshot of the database and the attached files (admins; meridian backup --url calls it)', response: { 200: Archive } }),
  }, async (request, reply) => {
    const actor = requireActor(request);
    const sources = backupFileSources(platform);
    // The snapshot is taken before the answer starts, so a failure is a problem+json, not a cut stream.
    const snapshot = await takeSnapshot({ database: platform.database, sources, pgDump: privacySettings.of(platform).pgDump });
    const rows = snapshot.manifest.tables.reduce((n, t) => n + t.rows, 0);
    await writeAudit(platform.db, { action: 'backup.created', actor, ip: request.ip, details: { tables: snapshot.manifest.tables.length, rows, files: snapshot.manifest.files.length, method: snapshot.manifest.method } });
    const body = new PassThrough({ highWaterMark: 1024 * 1024 });
    writeArchive(snapshot, sources, body)
      .then((summary) => {
        if (summary.missingFiles.length) request.log.warn({ missing: summary.missingFiles.length }, 'backup: files deleted after the snapshot were left out');
      })
      .catch((error: Error) => {
        request.log.error({ err: error }, 'backup: writing the archive failed');
        body.destroy(error);
      })
      .finally(() => void snapshot.dispose());
    const stamp = snapshot.manifest.createdAt.replace(/[:.]/g, '-');
    return reply.header('content-type', 'application/gzip').header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="meridian-backup-${stamp}.tar.gz"`).send(body);
  });
}
