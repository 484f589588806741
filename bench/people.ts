/**
 * Realistic-looking people for the benchmarks (bench/records.ts, bench/web.ts): census-weighted
 * names with a long tail, titles, cities, a repeatable PRNG and UUIDv7s of a given time.
 */
export const FIRST_NAMES = (
  'James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan Joseph Jessica Thomas Sarah ' +
  'Charles Karen Christopher Lisa Daniel Nancy Matthew Betty Anthony Sandra Mark Margaret Donald Ashley Steven Kimberly Paul Emily ' +
  'Andrew Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah Timothy Stephanie Ronald Rebecca Jason Sharon ' +
  'Edward Laura Jeffrey Cynthia Ryan Dorothy Jacob Amy Gary Kathleen Nicholas Angela Eric Shirley Jonathan Emma Stephen Brenda Larry ' +
  'Pamela Justin Nicole Scott Anna Brandon Samantha Benjamin Katherine Samuel Christine Gregory Debra Alexander Rachel Patrick Carolyn ' +
  'Frank Janet Raymond Maria Jack Olivia Dennis Heather Jerry Helen Tyler Catherine Aaron Diane Jose Julie Adam Victoria Nathan Joyce ' +
  'Henry Lauren Zachary Kelly Douglas Christina Peter Ruth Kyle Joan Noah Virginia Ethan Judith Jeremy Evelyn Walter Hannah Christian ' +
  'Andrea Keith Megan Roger Cheryl Terry Jacqueline Austin Madison Sean Teresa Gerald Abigail Carl Sophia Harold Martha Dylan Sara ' +
  'Sofia Lukas Mateo Léa Jürgen Søren Zoë Chloé Aarav Priya Wei Mei Hiroshi Yuki Olu Amara Kwame Fatima Omar Layla Diego Lucía'
).split(' ');

// US census surnames with rough frequencies per 100k, then a long synthetic tail.
export const TOP_SURNAMES: Array<[string, number]> = [
  ['Smith', 828], ['Johnson', 655], ['Williams', 550], ['Brown', 487], ['Jones', 483], ['Garcia', 394], ['Miller', 393], ['Davis', 380],
  ['Rodriguez', 304], ['Martinez', 293], ['Hernandez', 289], ['Lopez', 228], ['Gonzalez', 220], ['Wilson', 203], ['Anderson', 201],
  ['Thomas', 197], ['Taylor', 195], ['Moore', 185], ['Jackson', 182], ['Martin', 181], ['Lee', 176], ['Perez', 156], ['Thompson', 156],
  ['White', 155], ['Harris', 145], ['Sanchez', 144], ['Clark', 132], ['Ramirez', 128], ['Lewis', 124], ['Robinson', 122], ['Walker', 119],
  ['Young', 114], ['Allen', 112], ['King', 111], ['Wright', 110], ['Scott', 106], ['Torres', 100], ['Nguyen', 98], ['Hill', 97],
  ['Flores', 97], ['Green', 96], ['Adams', 95], ['Nelson', 94], ['Baker', 93], ['Hall', 90], ['Rivera', 88], ['Campbell', 85],
  ['Mitchell', 84], ['Carter', 84], ['Roberts', 83], ['Gomez', 82], ['Phillips', 80], ['Evans', 79], ['Turner', 78], ['Diaz', 77],
  ['Parker', 76], ['Cruz', 75], ['Edwards', 74], ['Collins', 73], ['Reyes', 72], ['Stewart', 71], ['Morris', 70], ['Morales', 69],
  ['Murphy', 68], ['Cook', 67], ['Rogers', 66], ['Gutierrez', 65], ['Ortiz', 64], ['Morgan', 63], ['Cooper', 62], ['Peterson', 61],
  ['Bailey', 60], ['Reed', 59], ['Kelly', 58], ['Howard', 57], ['Ramos', 56], ['Kim', 56], ['Cox', 55], ['Ward', 55], ['Richardson', 54],
  ['Watson', 53], ['Brooks', 52], ['Chavez', 51], ['Wood', 50], ['James', 50], ['Bennett', 49], ['Gray', 49], ['Mendoza', 48],
  ['Ruiz', 48], ['Hughes', 47], ['Price', 47], ['Alvarez', 46], ['Castillo', 46], ['Sanders', 45], ['Patel', 45], ['Myers', 44],
  ['Long', 44], ['Ross', 43], ['Foster', 43], ['Jimenez', 42], ['Small', 20], ['Smart', 12], ['Smalley', 4], ['Smyth', 3],
];
export const TAIL_PREFIX = 'Ash Black Brook Bright Cald Clay Cran Dal Dun Fair Fen Gal Glad Hart Hay Hol Kend Lang Lind Mar Mel Mill Nor Oak Pem Red Rid Rose Sel Shel Small Smed Stan Stock Thorn Wal Wen West Whit Wind'.split(' ');
export const TAIL_SUFFIX = 'bury by combe dale don field ford gate ham hurst land ley lock man more ridge shaw stead ston ton wall ward well wick win wood worth'.split(' ');

export function makeWeighted<T>(items: Array<[T, number]>): (r: number) => T {
  const cum: number[] = [];
  let total = 0;
  for (const [, w] of items) cum.push((total += w));
  return (r) => {
    const x = r * total;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return items[lo]![0];
  };
}
export const pickTopSurname = makeWeighted(TOP_SURNAMES);

export const TITLES = ['CEO', 'CFO', 'CTO', 'COO', 'VP Sales', 'VP Marketing', 'Head of Procurement', 'Sales Manager', 'Account Executive', 'Buyer', 'Purchasing Manager', 'Office Manager', 'Engineer', 'Senior Engineer', 'Project Manager', 'Consultant', 'Analyst', 'Director of Operations', 'Controller', 'Assistant'];
export const DEPARTMENTS = ['Sales', 'Marketing', 'Finance', 'Engineering', 'Operations', 'Purchasing', 'IT', 'HR', 'Legal', 'Support', 'Executive'];
export const LEAD_SOURCES = ['web', 'phone', 'email', 'referral', 'partner', 'event', 'advertisement', 'social', 'other'];
export const CITIES: Array<[string, string]> = [
  ['New York', 'US'], ['Chicago', 'US'], ['Austin', 'US'], ['Seattle', 'US'], ['Boston', 'US'], ['Denver', 'US'], ['Toronto', 'CA'], ['Vancouver', 'CA'],
  ['London', 'GB'], ['Manchester', 'GB'], ['Dublin', 'IE'], ['Paris', 'FR'], ['Lyon', 'FR'], ['Berlin', 'DE'], ['Munich', 'DE'], ['Hamburg', 'DE'],
  ['Amsterdam', 'NL'], ['Madrid', 'ES'], ['Barcelona', 'ES'], ['Milan', 'IT'], ['Stockholm', 'SE'], ['Oslo', 'NO'], ['Copenhagen', 'DK'], ['Warsaw', 'PL'],
  ['Zurich', 'CH'], ['Sydney', 'AU'], ['Melbourne', 'AU'], ['Tokyo', 'JP'], ['Bangalore', 'IN'], ['São Paulo', 'BR'], ['Mexico City', 'MX'], ['Cape Town', 'ZA'],
];
export const FREE_MAIL = ['gmail.com', 'outlook.com', 'yahoo.com', 'proton.me', 'icloud.com'];
export const COMPANY_A = 'Acme Globex Initech Umbrella Stark Wayne Wonka Tyrell Cyberdyne Soylent Hooli Vandelay Massive Dynamic Aperture Oscorp Gringotts Monarch Pied Piper Nakatomi Blue Sun Duff Vehement Sterling Cooper'.split(' ');
export const COMPANY_B = ['Industries', 'Corp', 'Labs', 'Holdings', 'Systems', 'Logistics', 'Foods', 'Capital', 'Energy', 'Media'];

/** Small, fast PRNG (mulberry32) so a run is repeatable for a given size. */
export function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A UUIDv7 for a given millisecond (what uuidv7() would have produced at created_at). */
export function uuidv7At(ms: number, rand: Buffer, off: number): string {
  const b = new Array<string>(16);
  let t = ms;
  for (let i = 5; i >= 0; i--) {
    b[i] = HEX[t % 256]!;
    t = Math.floor(t / 256);
  }
  b[6] = HEX[0x70 | (rand[off]! & 0x0f)]!;
  b[7] = HEX[rand[off + 1]!]!;
  b[8] = HEX[0x80 | (rand[off + 2]! & 0x3f)]!;
  for (let i = 9; i < 16; i++) b[i] = HEX[rand[off + i - 6]!]!;
  return `${b[0]}${b[1]}${b[2]}${b[3]}-${b[4]}${b[5]}-${b[6]}${b[7]}-${b[8]}${b[9]}-${b[10]}${b[11]}${b[12]}${b[13]}${b[14]}${b[15]}`;
}

export interface Person {
  first_name: string;
  last_name: string;
  email: string;
  phone: string;
  mobile: string | null;
  title: string;
  department: string;
  lead_source: string;
  city: string;
  country: string;
  birthdate: string | null;
}

export function person(r: () => number, n: number): Person {
  const first = FIRST_NAMES[Math.floor(r() * FIRST_NAMES.length)]!;
  const last = r() < 0.55 ? pickTopSurname(r()) : TAIL_PREFIX[Math.floor(r() * TAIL_PREFIX.length)]! + TAIL_SUFFIX[Math.floor(r() * TAIL_SUFFIX.length)]!;
  const local = `${first}.${last}`.normalize('NFD').replace(/[^A-Za-z.]/g, '').toLowerCase();
  const domain = FREE_MAIL[Math.floor(r() * FREE_MAIL.length)]!;
  const [city, country] = CITIES[Math.floor(r() * CITIES.length)]!;
  const area = 200 + Math.floor(r() * 800);
  return {
    first_name: first,
    last_name: last,
    email: `${local}${n}@${domain}`,
    phone: `+1 ${area} ${200 + Math.floor(r() * 800)} ${String(Math.floor(r() * 10000)).padStart(4, '0')}`,
    mobile: r() < 0.6 ? `+1 ${area} ${200 + Math.floor(r() * 800)} ${String(Math.floor(r() * 10000)).padStart(4, '0')}` : null,
    title: TITLES[Math.floor(r() * TITLES.length)]!,
    department: DEPARTMENTS[Math.floor(r() * DEPARTMENTS.length)]!,
    lead_source: LEAD_SOURCES[Math.floor(r() * LEAD_SOURCES.length)]!,
    city,
    country,
    birthdate: r() < 0.3 ? `${1950 + Math.floor(r() * 55)}-${String(1 + Math.floor(r() * 12)).padStart(2, '0')}-${String(1 + Math.floor(r() * 28)).padStart(2, '0')}` : null,
  };
}
