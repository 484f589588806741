import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signBody, verifySignature } from './signature.ts';

const secret = 'whsec_9f2c1e7ab43d';
const body = Buffer.from('<cXML><Request><OrderRequest/></Request></cXML>');
const now = new Date('2024-06-10T12:00:00Z');
const t = Math.floor(now.getTime() / 1000);

describe('verifySignature', () => {
  it('accepts the header signBody makes, and it is the documented HMAC of "<t>.<body>"', () => {
    const header = signBody({ secret, body, now });
    const expected = createHmac('sha256', secret).update(`${t}.${body.toString()}`).digest('hex');
    expect(header).toBe(`t=${t},v1=${expected}`);
    expect(verifySignature({ secret, header, body, now })).toEqual({ ok: true });
    expect(verifySignature({ secret, header: ` t=${t} , v1=${expected.toUpperCase()} `, body, now })).toEqual({ ok: true });
  });

  it('refuses a missing header', () => {
    for (const header of [undefined, '', '   ', []]) expect(verifySignature({ secret, header, body, now })).toEqual({ ok: false, reason: 'missing' });
  });

  it('refuses a malformed header', () => {
    const sig = 'a'.repeat(64);
    for (const header of ['garbage', `v1=${sig}`, `t=${t}`, `t=abc,v1=${sig}`, `t=${t},v1=xyz`, `t=${t},v1=${sig.slice(1)}`, `t=${t},t=${t},v1=${sig}`, `t=-5,v1=${sig}`, `t=${t},v0=${sig}`, 'x'.repeat(5000)]) {
      expect(verifySignature({ secret, header, body, now }), header.slice(0, 40)).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('refuses a wrong signature, a wrong secret, a signature for a different body and a re-stamped one', () => {
    const header = signBody({ secret, body, now });
    expect(verifySignature({ secret, header: `t=${t},v1=${'0'.repeat(64)}`, body, now })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature({ secret: 'another-secret', header, body, now })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature({ secret, header, body: Buffer.from('<cXML><Request><OrderRequest/></Request></cXML> '), now })).toEqual({ ok: false, reason: 'mismatch' });
    const restamped = header.replace(`t=${t}`, `t=${t + 60}`);
    expect(verifySignature({ secret, header: restamped, body, now })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature({ secret: '', header, body, now })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature({ secret: [], header, body, now })).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('refuses a replay outside the tolerance, either way in time', () => {
    const old = signBody({ secret, body, now: new Date(now.getTime() - 301_000) });
    expect(verifySignature({ secret, header: old, body, now })).toEqual({ ok: false, reason: 'expired' });
    const future = signBody({ secret, body, now: new Date(now.getTime() + 301_000) });
    expect(verifySignature({ secret, header: future, body, now })).toEqual({ ok: false, reason: 'expired' });
    const edge = signBody({ secret, body, now: new Date(now.getTime() - 300_000) });
    expect(verifySignature({ secret, header: edge, body, now })).toEqual({ ok: true });
    expect(verifySignature({ secret, header: old, body, now, toleranceSeconds: 600 })).toEqual({ ok: true });
  });

  it('supports rotation: two v1 values from the shop, or two secrets on our side', () => {
    const both = signBody({ secret: ['new-secret', secret], body, now });
    expect(both.split(',')).toHaveLength(3);
    expect(verifySignature({ secret, header: both, body, now })).toEqual({ ok: true });
    expect(verifySignature({ secret: 'new-secret', header: both, body, now })).toEqual({ ok: true });
    expect(verifySignature({ secret: 'neither', header: both, body, now })).toEqual({ ok: false, reason: 'mismatch' });
    const onlyOld = signBody({ secret, body, now });
    expect(verifySignature({ secret: ['new-secret', secret], header: onlyOld, body, now })).toEqual({ ok: true });
    // Unknown schemes beside a good v1 are ignored.
    expect(verifySignature({ secret, header: `${onlyOld},v2=abc`, body, now })).toEqual({ ok: true });
  });

  it('property: signing then verifying passes; any one-byte change of the body fails', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 2048 }),
        fc.string({ minLength: 1, maxLength: 64 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.integer({ min: 1_000_000_000, max: 4_000_000_000 }),
        (bytes, key, position, delta, seconds) => {
          const original = Buffer.from(bytes);
          const at = new Date(seconds * 1000);
          const header = signBody({ secret: key, body: original, now: at });
          expect(verifySignature({ secret: key, header, body: original, now: at })).toEqual({ ok: true });
          const changed = Buffer.from(original);
          const i = position % changed.length;
          changed[i] = (changed[i] + delta) % 256;
          expect(verifySignature({ secret: key, header, body: changed, now: at })).toEqual({ ok: false, reason: 'mismatch' });
        },
      ),
      { numRuns: 300 },
    );
  });
});
