import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestServer, TestUser } from '../server.ts';
import { waitFor } from '../events/helpers.ts';

/** A multipart/form-data body (the parts object, then file) as the browser's FormData encodes it. */
export async function multipart(object: string, fileName: string, content: Buffer | string): Promise<{ body: Buffer; contentType: string }> {
  const form = new FormData();
  form.append('object', object);
  form.append('file', new Blob([new Uint8Array(typeof content === 'string' ? Buffer.from(content, 'utf8') : content)]), fileName);
  const res = new Response(form);
  return { body: Buffer.from(await res.arrayBuffer()), contentType: res.headers.get('content-type')! };
}

export async function upload(server: TestServer, user: TestUser, object: string, fileName: string, content: Buffer | string) {
  const { body, contentType } = await multipart(object, fileName, content);
  const res = await server.app.inject({ method: 'POST', url: '/api/v1/imports', headers: { authorization: `Bearer ${user.token}`, 'content-type': contentType }, payload: body });
  return { status: res.statusCode, body: res.json() as any };
}

/** Waits for the import to reach one of the statuses (the background run goes on in this process). */
export async function waitForStatus(user: TestUser, id: string, statuses: string[], timeoutMs = 60_000) {
  return waitFor(async () => {
    const r = await user.request('GET', `/api/v1/imports/${id}`);
    return statuses.includes(r.body.status) ? r.body : undefined;
  }, `import ${id} to be ${statuses.join(' or ')}`, timeoutMs, 50);
}

export const columnsFor = (headers: string[], map: Record<string, string | { field: string; lookupField?: string; createParent?: boolean }>) =>
  headers.map((h) => {
    const m = map[h];
    return typeof m === 'string' ? { field: m } : m ? m : { field: null };
  });

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.ts');

/** A real `meridian start` process (killed-process tests), added to `children` so the suite can end it; resolves once it serves. */
export function startMeridian(children: ChildProcess[], env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, [MAIN, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', () => {
      if (out.includes('Meridian is running')) resolve(child);
    });
    child.on('exit', (code, signal) => reject(new Error(`meridian start exited (${code ?? signal}):\n${out.slice(-3000)}`)));
  });
}
