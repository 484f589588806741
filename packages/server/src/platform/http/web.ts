import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

const DEFAULT_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../web/dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json', '.woff2': 'font/woff2', '.map': 'application/json',
};

/**
 * Serves the built web app (packages/web/dist) at the same origin as the API; any non-API path
 * that is not a file gets index.html so client-side routes survive a reload. Vite's hashed files
 * under /assets/ never change, so browsers keep them a year; index.html is revalidated every time.
 * Compression is the app's (@fastify/compress in app.ts). `dist` is another build, for tests.
 */
export function registerWebApp(app: FastifyInstance, _platform?: unknown, dist: string = DEFAULT_DIST) {
  const index = path.join(dist, 'index.html');
  app.get('/*', async (request, reply) => {
    const urlPath = decodeURIComponent(request.url.split('?')[0]!);
    if (urlPath.startsWith('/api/')) return reply.callNotFound();
    const file = path.normalize(path.join(dist, urlPath));
    if (file.startsWith(dist + path.sep) && fs.existsSync(file) && fs.statSync(file).isFile()) {
      const immutable = urlPath.startsWith('/assets/');
      reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      return reply.type(TYPES[path.extname(file)] ?? 'application/octet-stream').send(fs.createReadStream(file));
    }
    if (!fs.existsSync(index)) {
      return reply.type('text/html; charset=utf-8').send('<!doctype html><title>Meridian</title><p>The web app is not built. Run <code>npm run build -w @meridian/web</code>; the API is at <a href="/api/v1/health">/api/v1</a>.</p>');
    }
    reply.header('cache-control', 'no-cache');
    return reply.type('text/html; charset=utf-8').send(fs.createReadStream(index));
  });
}
