import { describe, expect, it } from 'vitest';
import { parseNumberFormat } from './numbering.ts';

describe('number formats', () => {
  const may = new Date(Date.UTC(2026, 4, 17));
  it('renders the date parts and the counter, and restarts the counter with the date part', () => {
    expect(parseNumberFormat('Q-{YYYY}-{#####}').render(may, 42)).toBe('Q-2026-00042');
    expect(parseNumberFormat('Q-{YYYY}-{#####}').period(may)).toBe('2026');
    expect(parseNumberFormat('{YY}{MM}/{###}').render(may, 7)).toBe('2605/007');
    expect(parseNumberFormat('{YY}{MM}/{###}').period(may)).toBe('26-05');
    expect(parseNumberFormat('QUOTE-{####}').period(may)).toBe('');
    expect(parseNumberFormat('Q{##}').render(may, 123)).toBe('Q123');
  });

  it('refuses formats without exactly one counter or with unknown parts', () => {
    expect(() => parseNumberFormat('Q-{YYYY}')).toThrow(/exactly one counter/);
    expect(() => parseNumberFormat('Q-{##}-{##}')).toThrow(/exactly one counter/);
    expect(() => parseNumberFormat('Q-{DD}-{###}')).toThrow(/only \{YYYY\}/);
  });
});
