import type { FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import { AppError, unauthenticated } from '../../../platform/errors.ts';
import type { Platform } from '../../../platform/kernel.ts';
import { recordContext } from '../../../platform/http/context.ts';
import { withIdempotency } from '../../../platform/http/idempotency.ts';
import { attachmentSettings } from './config.ts';
import { contentDisposition, getAttachmentContent } from './content.ts';
import { receiveUpload, sweepSpool } from './receive.ts';
import { assertCanAttach, createAttachment, discardBlob, removeSpool, storeUpload } from './upload.ts';

type P = { object: string; id: string };

/**
 * Upload and download of attachments (docs/activities.md, "Attachments"). Listing, editing the
 * name, description, type or expiry, delete and restore are the generic record routes of `attachment`.
 */
export function registerAttachmentRoutes(app: FastifyInstance, platform: Platform): void {
  // Fails at start-up, not at the first upload, when the storage settings are wrong.
  const settings = attachmentSettings(platform);
  sweepSpool(settings.spoolDir).catch((error: unknown) => platform.logger.warn({ err: error }, 'could not sweep the upload spool directory'));

  // multipart/form-data is parsed only in this scope; every other route keeps JSON-only bodies.
  void app.register(async (scope) => {
    await scope.register(multipart, { throwFileSizeLimit: true });

    scope.post('/api/v1/:object/:id/attachments', async (request, reply) => {
      await platform.registry.ensureFresh();
      const p = request.params as P;
      const ctx = recordContext(platform, request);
      // A form can be posted across sites with the session cookie; browsers always send Origin on
      // a POST, and app.ts refuses a foreign one, so a missing Origin is not our web app.
      if (!request.headers.authorization && !request.headers.origin) throw unauthenticated('Cross-site request refused: send Origin or use an API token');
      if (!request.isMultipart()) {
        throw new AppError('unsupported_media_type', 'Send the file as multipart/form-data', { errors: [{ field: 'file', code: 'multipart_required', message: 'Use multipart/form-data with a part named file' }] });
      }
      await assertCanAttach({ ctx, object: p.object, id: p.id });
      // Read per request: limits and the store can be reconfigured while running (configureAttachments).
      const upload = await receiveUpload(request, attachmentSettings(platform));
      try {
        const file = await storeUpload(platform, upload);
        // Idempotency-Key compares request bodies: the file's hash stands for the multipart body.
        request.body = { file: { name: upload.fileName, size: file.size, sha256: file.sha256 }, fields: file.fields };
        let created = false;
        try {
          const answer = await withIdempotency({
            request,
            reply,
            ctx,
            status: 201,
            run: async (tx) => {
              created = true;
              const record = await createAttachment({ ctx: tx, object: p.object, id: p.id, file });
              reply.header('location', `/api/v1/attachment/${record.id}`);
              if (typeof record.version === 'number') reply.header('etag', `"${record.version}"`);
              return record;
            },
          });
          // A replayed answer created nothing: the blob just stored is a spare copy. (withIdempotency
          // resolves once the answer is sent, so this runs right after the response.)
          if (!created) await discardBlob(platform, file.key);
          return answer;
        } catch (error) {
          await discardBlob(platform, file.key);
          throw error;
        }
      } finally {
        await removeSpool(upload);
      }
    });
  });

  app.get('/api/v1/attachment/:id/content', async (request, reply) => {
    await platform.registry.ensureFresh();
    const q = request.query as Record<string, string | undefined>;
    const inline = q.inline === '1' || q.inline === 'true';
    const content = await getAttachmentContent({ ctx: recordContext(platform, request), id: (request.params as P).id, inline });
    return reply
      .header('content-type', content.contentType)
      .header('content-length', String(content.size))
      .header('content-disposition', contentDisposition(content.fileName, inline))
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', 'sandbox')
      .header('cross-origin-resource-policy', 'same-origin')
      .header('cache-control', 'private, no-cache')
      .header('etag', `"${content.sha256}"`)
      .send(content.stream);
  });
}
