import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer } from './server.ts';

/** Issue 10 items 16 and 17: text is stored as sent or refused, and errors before the routes are problem+json. */
let server: TestServer;
beforeAll(async () => {
  server = await getTestServer();
});
afterAll(async () => server?.close());

const post = (url: string, raw: string | Buffer) =>
  server.app.inject({ method: 'POST', url, payload: raw, headers: { authorization: `Bearer ${server.admin.token}`, 'content-type': 'application/json' } });

describe('text that cannot be stored as sent is refused, naming the field', () => {
  it('refuses NUL characters in record values, metadata labels and picklist values (no 500)', async () => {
    for (const [url, body, field] of [
      ['/api/v1/contact', { last_name: 'Nul', email: 'a\u0000b@example.com' }, 'email'],
      ['/api/v1/metadata/objects/account/fields', { apiName: 'nul_label', label: 'x\u0000y', type: 'text' }, 'label'],
      ['/api/v1/metadata/objects/account/fields', { apiName: 'nul_pick', label: 'Pick', type: 'picklist', picklist: { values: [{ value: 'a\u0000' }] } }, 'picklist.values[0].value'],
    ] as const) {
      const res = await post(url, JSON.stringify(body));
      expect(res.statusCode, res.body).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().errors[0]).toMatchObject({ field, code: 'invalid_characters' });
    }
  });

  it('refuses unpaired surrogates and bytes that are not UTF-8 instead of storing U+FFFD', async () => {
    const lone = await post('/api/v1/account', '{"name":"FZ \\ud800"}');
    expect(lone.statusCode).toBe(400);
    expect(lone.json().errors[0]).toMatchObject({ field: 'name', code: 'invalid_characters' });
    const bytes = await post('/api/v1/account', Buffer.concat([Buffer.from('{"name":"FZ '), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]));
    expect(bytes.statusCode).toBe(400);
    expect(bytes.json()).toMatchObject({ code: 'bad_request', errors: [expect.objectContaining({ code: 'invalid_encoding' })] });
    const poison = await post('/api/v1/account', '{"name":"P","__proto__":{"isAdmin":true}}');
    expect(poison.statusCode).toBe(400);
    // Proper text, accents and emoji included, is stored as sent.
    const fine = await post('/api/v1/account', JSON.stringify({ name: 'Zoë’s Bäckerei 🥨' }));
    expect(fine.statusCode).toBe(201);
    expect(fine.json().name).toBe('Zoë’s Bäckerei 🥨');
  });
});

describe('errors before the routes are problem+json', () => {
  it('a malformed % escape and an over-long path parameter', async () => {
    const bad = await server.app.inject({ method: 'GET', url: '/api/v1/%E0%A4%A', headers: { authorization: `Bearer ${server.admin.token}` } });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.json()).toMatchObject({ code: 'bad_request', status: 400 });
    const long = await server.app.inject({ method: 'GET', url: `/api/v1/account/${'a'.repeat(300)}`, headers: { authorization: `Bearer ${server.admin.token}` } });
    expect(long.statusCode).toBe(414);
    expect(long.json()).toMatchObject({ code: 'uri_too_long', status: 414 });
  });

  it('a request line over the header limit, on a real socket', async () => {
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = server.app.server.address() as AddressInfo;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write(`GET /api/v1/account?filter=${'x'.repeat(20_000)} HTTP/1.1\r\nHost: localhost\r\n\r\n`));
      let data = '';
      socket.on('data', (d) => (data += d.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1.1 431/);
    expect(answer).toContain('application/problem+json');
    expect(answer).toContain('"code":"headers_too_large"');
    expect(answer).toContain('POST /api/v1/{object}/query');
  });
});
