import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import type { Platform } from '../../../platform/kernel.ts';
import { attachmentBackupSource } from '../../activities/index.ts';
import type { PersonData } from './collectPerson.ts';

const README = `This archive holds everything Meridian stores about one person, as of the time in export.json:
  person.json          the contact or lead record
  related/<object>.json  records that refer to the person (consents, invoices, tasks regarding them, ...)
  timeline/<object>.json activities on the person's timeline (meetings, calls, e-mails, notes, ...)
  files/<id>-<name>    the attached files
`;

function addBuffer(pack: tar.Pack, name: string, body: string | Buffer): void {
  pack.entry({ name, mode: 0o644 }, typeof body === 'string' ? Buffer.from(body) : body);
}

function addStream(pack: tar.Pack, name: string, size: number, body: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    const entry = pack.entry({ name, size, mode: 0o644 }, (error) => (error ? reject(error) : resolve()));
    body.on('error', reject);
    body.pipe(entry);
  });
}

const safeName = (name: string) => name.replace(/[^\w.\- ]+/g, '_').slice(0, 120);

/** Writes a person's data as tar.gz: JSON per part, plus the bytes of every attachment in it. */
export async function writePersonArchive(platform: Platform, data: PersonData, exportedBy: string | null, out: Writable): Promise<void> {
  const pack = tar.pack();
  const done = pipeline(pack, createGzip(), out);
  try {
    addBuffer(pack, 'README.txt', README);
    addBuffer(pack, 'export.json', JSON.stringify({ object: data.object, id: data.person.id, exportedAt: new Date().toISOString(), exportedBy }, null, 2));
    addBuffer(pack, 'person.json', JSON.stringify(data.person, null, 2));
    for (const [object, rows] of Object.entries(data.related)) addBuffer(pack, `related/${object}.json`, JSON.stringify(rows, null, 2));
    for (const [object, rows] of Object.entries(data.timeline)) addBuffer(pack, `timeline/${object}.json`, JSON.stringify(rows, null, 2));
    const files = attachmentBackupSource(platform);
    const attachments = [...(data.related.attachment ?? []), ...(data.timeline.attachment ?? [])];
    const seen = new Set<string>();
    for (const a of attachments) {
      if (seen.has(a.id) || !a.storage_key) continue;
      seen.add(a.id);
      const body = await files.read(String(a.storage_key));
      if (body) await addStream(pack, `files/${a.id}-${safeName(String(a.file_name ?? 'file'))}`, Number(a.size_bytes), body);
    }
    pack.finalize();
  } catch (error) {
    pack.destroy(error as Error);
    await done.catch(() => {});
    throw error;
  }
  await done;
}
