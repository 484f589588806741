type Row = Readonly<Record<string, unknown>>;

/**
 * How the city line is written: "Springfield, IL 62701" (North America, Australia),
 * "10115 Berlin" (most of Europe), or each part on its own line (UK, Ireland).
 */
export type AddressStyle = 'city-first' | 'postal-first' | 'lines';

/** A record's address (`billing_street`, `billing_city`, …) as printable lines; empty parts are left out. */
export function addressLines(record: Row, prefix: string, style: AddressStyle): string[] {
  const part = (name: string) => {
    const v = record[`${prefix}_${name}`];
    return v === null || v === undefined ? '' : String(v).trim();
  };
  const [street, city, state, postal, country] = ['street', 'city', 'state', 'postal_code', 'country'].map(part) as [string, string, string, string, string];
  const lines = street.split(/\r?\n/).map((l) => l.trim());
  if (style === 'city-first') lines.push([[city, state].filter(Boolean).join(', '), postal].filter(Boolean).join(' '));
  else if (style === 'postal-first') lines.push([postal, city].filter(Boolean).join(' '), state);
  else lines.push(city, state, postal);
  lines.push(country);
  return lines.filter(Boolean);
}
