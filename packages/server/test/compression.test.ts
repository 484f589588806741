import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import zlib from 'node:zlib';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { getTestServer, type TestServer } from './server.ts';
import { buildAccount } from './factories.ts';
import { buildApp } from '../src/platform/http/app.ts';
import { registerWebApp } from '../src/platform/http/web.ts';

// Issue 17 item 2: the bundle and list answers travel compressed, the notification stream does not,
// and Vite's hashed files are cached for a year while index.html is revalidated.
let server: TestServer;
let web: FastifyInstance;
let dist: string;
// Compressible but not trivially so: a bundle-like file of ~200 KB.
const bundle = Buffer.from(Array.from({ length: 4000 }, (_, i) => `export const value${i} = ${JSON.stringify({ i, s: (i * 7919).toString(36) })};\n`).join(''));

beforeAll(async () => {
  server = await getTestServer();
  // A throwaway build directory: the test does not depend on packages/web/dist being built.
  dist = fs.mkdtempSync(path.join(os.tmpdir(), 'meridian-dist-'));
  fs.mkdirSync(path.join(dist, 'assets'));
  fs.writeFileSync(path.join(dist, 'assets', 'index-AbC123.js'), bundle);
  fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>Meridian</title><script type="module" src="/assets/index-AbC123.js"></script>');
  web = await buildApp(server.platform, { logger: false, plugins: [(app, platform) => registerWebApp(app, platform, dist)] });
  await web.ready();
  for (let i = 0; i < 30; i++) await buildAccount(server.admin, { name: `Compressed account ${i} with a longish name` });
});
afterAll(async () => {
  await web?.close();
  await server?.close();
  if (dist) fs.rmSync(dist, { recursive: true, force: true });
});

describe('compression', () => {
  it('sends the JS bundle brotli- or gzip-compressed when asked, decompressing to the same bytes', async () => {
    const br = await web.inject({ method: 'GET', url: '/assets/index-AbC123.js', headers: { 'accept-encoding': 'br, gzip' } });
    expect(br.statusCode).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.rawPayload.length).toBeLessThan(bundle.length / 3);
    expect(zlib.brotliDecompressSync(br.rawPayload).equals(bundle)).toBe(true);

    const gz = await web.inject({ method: 'GET', url: '/assets/index-AbC123.js', headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(gz.rawPayload).equals(bundle)).toBe(true);

    const plain = await web.inject({ method: 'GET', url: '/assets/index-AbC123.js' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.rawPayload.equals(bundle)).toBe(true);
  });

  it('caches hashed assets for a year and revalidates index.html', async () => {
    const asset = await web.inject({ method: 'GET', url: '/assets/index-AbC123.js' });
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    for (const url of ['/', '/index.html', '/accounts/some-client-route']) {
      const page = await web.inject({ method: 'GET', url });
      expect(page.statusCode).toBe(200);
      expect(page.headers['cache-control']).toBe('no-cache');
      expect(page.body).toContain('index-AbC123.js');
    }
  });

  it('compresses a JSON list answer when asked and leaves small answers alone', async () => {
    const auth = { authorization: `Bearer ${server.admin.token}` };
    const list = await server.app.inject({ method: 'GET', url: '/api/v1/account?limit=30', headers: { ...auth, 'accept-encoding': 'gzip' } });
    expect(list.statusCode).toBe(200);
    expect(list.headers['content-encoding']).toBe('gzip');
    const body = JSON.parse(zlib.gunzipSync(list.rawPayload).toString('utf8'));
    expect(body.data.length).toBeGreaterThanOrEqual(30);

    const small = await server.app.inject({ method: 'GET', url: '/api/v1/health', headers: { 'accept-encoding': 'br, gzip' } });
    expect(small.statusCode).toBe(200);
    expect(small.rawPayload.length).toBeLessThan(1024);
    expect(small.headers['content-encoding']).toBeUndefined();
  });

  it('does not compress or buffer the notification stream', async () => {
    await web.listen({ port: 0, host: '127.0.0.1' });
    const { port } = web.server.address() as AddressInfo;
    const first = await new Promise<{ headers: http.IncomingHttpHeaders; chunk: string }>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/api/v1/me/notifications/stream', headers: { authorization: `Bearer ${server.admin.token}`, 'accept-encoding': 'br, gzip' } }, (res) => {
        // The first event arrives while the stream is open: nothing holds it back.
        res.once('data', (chunk: Buffer) => {
          resolve({ headers: res.headers, chunk: chunk.toString('utf8') });
          req.destroy();
        });
      });
      req.on('error', (error) => (error.message.includes('socket hang up') ? undefined : reject(error)));
    });
    expect(first.headers['content-type']).toContain('text/event-stream');
    expect(first.headers['content-encoding']).toBeUndefined();
    expect(first.chunk).toContain('retry:');
  });
});
