import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';

/** An upload waiting in the spool file, before anything is stored. */
export interface ScanInput {
  fileName: string;
  contentType: string;
  size: number;
  /** The spooled file; `stream()` opens it again for scanners that want bytes. */
  path: string;
  stream(): Readable;
}

export type ScanResult = { clean: true } | { clean: false; reason: string };

/**
 * The virus-scan hook point: called for every upload after its type was accepted and before it
 * is stored. A scanner that throws means "could not scan": the upload is refused (fail closed).
 * Set one per platform with `setUploadScanner` (config.ts); the ClamAV scanner is
 * used when MERIDIAN_CLAMAV_URL is set.
 */
export type UploadScanner = (input: ScanInput) => Promise<ScanResult>;

export function scanInput(args: { fileName: string; contentType: string; size: number; path: string }): ScanInput {
  return { ...args, stream: () => createReadStream(args.path) };
}
