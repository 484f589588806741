import { validationFailed } from '../../../platform/errors.ts';
import type { BeforeDeleteArgs, BeforeSaveArgs, HookRegistry } from '../../../platform/records/hooks.ts';
import { discardBlob } from './upload.ts';
import { extensionOf, isDangerousExtension, sanitizeFileName } from './policy.ts';

/** The attachment object's rules on the record pipeline. */
export function registerAttachmentHooks(hooks: HookRegistry): void {
  hooks.register('beforeSave', { name: 'activities.attachmentFile', object: 'attachment', operations: ['create', 'update'], run: attachmentRules });
  // Purging is the end of the record, so the blob goes too; after commit, because a rolled-back
  // purge must still find its file. A periodic orphan sweep would need to list the whole store
  // (expensive on S3) and race with uploads in flight; the hook frees exactly what was purged.
  hooks.register('afterPurge', { name: 'activities.attachmentBlob', object: 'attachment', run: releaseBlob });
}

export function attachmentRules({ operation, data, options }: BeforeSaveArgs): void {
  // The upload command stores the file first and passes what it found as systemValues; a create
  // without them (a generic POST /attachment) has no file behind it.
  if (operation === 'create' && !options.systemValues?.storage_key) {
    throw validationFailed([{ field: 'file', code: 'upload_required', message: 'Upload files with POST /api/v1/{object}/{id}/attachments (multipart/form-data)' }]);
  }
  if (typeof data.file_name === 'string') {
    const name = sanitizeFileName(data.file_name);
    data.file_name = name;
    const ext = extensionOf(name);
    if (isDangerousExtension(ext)) throw validationFailed([{ field: 'file_name', code: 'invalid', message: `Files cannot be named .${ext}: it can run code when opened` }]);
  }
}

function releaseBlob({ ctx, record }: BeforeDeleteArgs): void {
  const key = record.storage_key;
  if (typeof key === 'string' && key) ctx.uow.afterCommit(() => discardBlob(ctx.platform, key));
}
