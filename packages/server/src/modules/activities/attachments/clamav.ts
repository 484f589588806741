import { connect } from 'node:net';
import type { ScanInput, ScanResult, UploadScanner } from './scan.ts';

const CHUNK = 64 * 1024;

/**
 * A clamd scanner over TCP (`tcp://host:3310`) speaking INSTREAM: `zINSTREAM\0`, then chunks
 * each prefixed with their 4-byte big-endian length, then a zero length; clamd answers
 * `stream: OK` or `stream: <signature> FOUND` (NUL-terminated in the z-form). Any other answer,
 * a refused connection or a timeout throws, and the upload is refused.
 */
export function clamavScanner(url: string, timeoutMs = 60_000): UploadScanner {
  const u = new URL(url);
  if (u.protocol !== 'tcp:' || !u.hostname) throw new Error(`MERIDIAN_CLAMAV_URL must look like tcp://host:3310, got ${url}`);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = Number(u.port || 3310);
  return (input) => scan(host, port, input, timeoutMs);
}

async function scan(host: string, port: number, input: ScanInput, timeoutMs: number): Promise<ScanResult> {
  const socket = connect({ host, port });
  socket.setTimeout(timeoutMs);
  const reply = new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      if (c.includes(0)) socket.end();
    });
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    // A destroyed socket emits no 'end': settle with what arrived (an empty reply is an error below).
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('timeout', () => socket.destroy(new Error('clamd timed out')));
    socket.on('error', reject);
  });
  // Keep the rejection handled while we are still writing; it is awaited below.
  reply.catch(() => {});
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    await write(socket, Buffer.from('zINSTREAM\0'));
    for await (const data of input.stream()) {
      const buf = data as Buffer;
      for (let i = 0; i < buf.length; i += CHUNK) {
        const part = buf.subarray(i, i + CHUNK);
        const len = Buffer.alloc(4);
        len.writeUInt32BE(part.length);
        await write(socket, Buffer.concat([len, part]));
      }
    }
    await write(socket, Buffer.alloc(4));
  } catch (error) {
    socket.destroy();
    // clamd closes the connection early when the stream exceeds its StreamMaxLength; its reply says so.
    const early = await reply.catch(() => undefined);
    if (early) return interpret(early);
    throw error;
  }
  return interpret(await reply);
}

function write(socket: import('node:net').Socket, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => socket.write(data, (error) => (error ? reject(error) : resolve())));
}

function interpret(raw: string): ScanResult {
  const text = raw.replace(/\0/g, '').trim();
  if (/^stream: OK$/.test(text)) return { clean: true };
  const found = /^stream: (.+) FOUND$/.exec(text);
  if (found) return { clean: false, reason: found[1]! };
  throw new Error(`Unexpected clamd reply: ${text.slice(0, 200)}`);
}
