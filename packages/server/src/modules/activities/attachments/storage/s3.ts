import { Readable } from 'node:stream';
import { AwsClient } from 'aws4fetch';
import { assertKey, type BlobInfo, type FileStore } from './types.ts';

export interface S3Options {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * An S3-compatible bucket (AWS, MinIO, Garage, Ceph…) with path-style URLs
 * (`<endpoint>/<bucket>/<key>`), which every implementation accepts. Requests are signed with
 * SigV4 by aws4fetch. Uploads stream with a known Content-Length and the SHA-256 the server
 * computed while receiving, so S3 rejects a body that changed on the way.
 */
export class S3Store implements FileStore {
  readonly kind = 's3' as const;
  readonly #client: AwsClient;
  readonly #base: string;

  constructor(options: S3Options) {
    // No automatic retries: a streamed body cannot be sent twice.
    this.#client = new AwsClient({ accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey, region: options.region, service: 's3', retries: 0 });
    this.#base = `${options.endpoint.replace(/\/+$/, '')}/${encodeURIComponent(options.bucket)}`;
  }

  #url(key: string): string {
    assertKey(key);
    return `${this.#base}/${key}`;
  }

  async put(key: string, body: Readable | Buffer, info: BlobInfo): Promise<void> {
    const headers: Record<string, string> = {
      'content-type': info.contentType,
      'content-length': String(info.size),
      'x-amz-content-sha256': info.sha256 ?? 'UNSIGNED-PAYLOAD',
    };
    const payload = Buffer.isBuffer(body) ? body : (Readable.toWeb(body) as ReadableStream<Uint8Array>);
    const request = await this.#client.sign(this.#url(key), { method: 'PUT', headers, body: payload, duplex: 'half' } as RequestInit);
    const res = await fetch(request);
    await failUnlessOk(res, 'PUT', key);
  }

  async get(key: string): Promise<Readable | undefined> {
    const res = await this.#client.fetch(this.#url(key), { method: 'GET' });
    if (res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    if (!res.ok) await failUnlessOk(res, 'GET', key);
    if (!res.body) return Readable.from([]);
    return Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
  }

  async delete(key: string): Promise<void> {
    const res = await this.#client.fetch(this.#url(key), { method: 'DELETE' });
    if (res.status === 404) return void (await res.body?.cancel());
    await failUnlessOk(res, 'DELETE', key);
  }
}

async function failUnlessOk(res: Response, method: string, key: string): Promise<void> {
  const text = await res.text().catch(() => '');
  if (res.ok) return;
  // The S3 error document names the problem (NoSuchBucket, SignatureDoesNotMatch…).
  const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? text.slice(0, 200);
  throw new Error(`S3 ${method} ${key} failed: ${res.status} ${code}`);
}
