import { describe, expect, it } from 'vitest';
import { checkTransition, DEFAULT_STAGES, missingRequiredFields } from './stageMachine.ts';

const s = (v: string) => DEFAULT_STAGES.find((x) => x.api_value === v)!;

describe('checkTransition', () => {
  it('allows any forward move, skipping stages included', () => {
    expect(checkTransition(s('prospecting'), s('proposal')).ok).toBe(true);
    expect(checkTransition(s('negotiation'), s('closed_won')).ok).toBe(true);
    expect(checkTransition(s('prospecting'), s('closed_lost')).ok).toBe(true);
  });
  it('allows backward moves only when listed', () => {
    expect(checkTransition(s('negotiation'), s('proposal')).ok).toBe(true);
    const r = checkTransition(s('negotiation'), s('prospecting'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/Moving back from Negotiation to Prospecting/);
  });
  it('keeps terminal stages terminal unless they list an exit', () => {
    expect(checkTransition(s('closed_won'), s('closed_lost')).ok).toBe(false);
    expect(checkTransition(s('closed_lost'), s('qualification')).ok).toBe(false);
    expect(checkTransition(s('partially_won'), s('closed_won')).ok).toBe(false);
    const reopenable = { ...s('closed_lost'), allowed_backward: ['qualification'] };
    expect(checkTransition(reopenable, s('qualification')).ok).toBe(true);
  });
  it('allows anything when there is no previous stage', () => {
    expect(checkTransition(undefined, s('closed_won')).ok).toBe(true);
  });
});

describe('missingRequiredFields', () => {
  it('lists the empty required fields of the stage', () => {
    expect(missingRequiredFields(s('proposal'), { amount: null, close_date: '2027-01-01' })).toEqual(['amount']);
    expect(missingRequiredFields(s('prospecting'), {})).toEqual([]);
  });
});
