import { describe, expect, it } from 'vitest';
import { emailDomain, normalizeCompanyName, normalizeEmail, normalizePhone, phoneKey, webDomain } from './normalize.ts';

describe('normalizeCompanyName', () => {
  it('drops case, punctuation and trailing legal forms', () => {
    expect(normalizeCompanyName('Acme, Inc.')).toBe('acme');
    expect(normalizeCompanyName('ACME')).toBe('acme');
    expect(normalizeCompanyName('Müller & Söhne GmbH & Co. KG')).toBe('m ller s hne');
    expect(normalizeCompanyName('Widgets Co Ltd')).toBe('widgets');
    expect(normalizeCompanyName('  The  Company Store ')).toBe('the company store');
  });
  it('keeps a name that is only a legal form', () => {
    expect(normalizeCompanyName('Inc')).toBe('inc');
    expect(normalizeCompanyName('')).toBe('');
    expect(normalizeCompanyName(null)).toBe('');
  });
});

describe('webDomain', () => {
  it('reduces a web address to its host without www', () => {
    expect(webDomain('https://WWW.Acme.com/about?x=1')).toBe('acme.com');
    expect(webDomain('http://shop.acme.co.uk:8080')).toBe('shop.acme.co.uk');
    expect(webDomain('acme.com')).toBe('acme.com');
    expect(webDomain(null)).toBe('');
  });
});

describe('emailDomain', () => {
  it('ignores free-mail providers', () => {
    expect(emailDomain('jane@Acme.com')).toBe('acme.com');
    expect(emailDomain('jane@gmail.com')).toBe('');
    expect(emailDomain('nope')).toBe('');
  });
});

describe('phones and e-mails', () => {
  it('normalises phones to E.164 with US as the default region', () => {
    expect(normalizePhone('(415) 555-2671')).toBe('+14155552671');
    expect(normalizePhone('+1 415.555.2671')).toBe('+14155552671');
    expect(normalizePhone('+44 20 7946 0958')).toBe('+442079460958');
    expect(normalizePhone('12')).toBe('');
    expect(phoneKey('+1 (415) 555-2671')).toBe('5552671');
  });
  it('compares e-mails case-insensitively', () => {
    expect(normalizeEmail(' Jane@Example.COM ')).toBe('jane@example.com');
  });
});
