import { describe, expect, it } from 'vitest';
import { idBelow } from './readHistory.ts';

describe('idBelow', () => {
  it('counts down as a 128-bit number, borrowing across the groups, and keeps the uuid form', () => {
    expect(idBelow('01a25061-7ed6-7064-a4a2-5e6b9a3679a2', 2)).toBe('01a25061-7ed6-7064-a4a2-5e6b9a3679a0');
    expect(idBelow('01a25061-7ed6-7064-a4a3-000000000000', 1)).toBe('01a25061-7ed6-7064-a4a2-ffffffffffff');
    expect(idBelow('01A25061-7ED6-7064-A4A2-5E6B9A3679A2', 0)).toBe('01a25061-7ed6-7064-a4a2-5e6b9a3679a2');
    expect(idBelow('00000000-0000-0000-0000-000000000010', 16)).toBe('00000000-0000-0000-0000-000000000000');
  });
});
