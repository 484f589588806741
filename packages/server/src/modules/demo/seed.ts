import { sql } from 'kysely';
import type { Platform } from '../../platform/kernel.ts';
import { createUser } from '../../platform/auth/users.ts';
import { DateTime } from 'luxon';
import { inTransaction, systemActor, type Actor, type TxContext } from '../../platform/records/context.ts';
import { createRecord } from '../../platform/records/write.ts';

/**
 * `meridian seed demo`: a believable organisation — an industrial services group with regions,
 * branches and sites as an account tree, their people, leads in every status and a pipeline with
 * deals in every stage — written through the record pipeline like any other data.
 */
const FIRST = ['Ana', 'Ben', 'Carla', 'Dev', 'Elif', 'Femi', 'Greta', 'Hiro', 'Ines', 'Jonas', 'Kemal', 'Lena', 'Marco', 'Nadia', 'Omar', 'Paula', 'Quinn', 'Rosa', 'Sven', 'Tara', 'Uma', 'Viktor', 'Wen', 'Yara', 'Zoe'];
const LAST = ['Adler', 'Bauer', 'Castillo', 'Dubois', 'Eriksen', 'Fischer', 'Garcia', 'Hoffmann', 'Iqbal', 'Jensen', 'Kowalski', 'Lopez', 'Meyer', 'Nakamura', 'Okafor', 'Petrov', 'Quinlan', 'Rossi', 'Schmidt', 'Tanaka', 'Uhl', 'Vargas', 'Weber', 'Yilmaz', 'Zimmer'];
const GROUPS = [
  { name: 'Northwind Power Systems', industry: 'energy', domain: 'northwind-power.com' },
  { name: 'Summit Roofing Group', industry: 'construction', domain: 'summitroofing.com' },
  { name: 'Brightline Print & Pack', industry: 'printing', domain: 'brightlineprint.com' },
  { name: 'Harbor Health Network', industry: 'healthcare', domain: 'harborhealth.org' },
  { name: 'Keystone Data Centers', industry: 'technology', domain: 'keystonedc.com' },
  { name: 'Prairie Cold Storage', industry: 'transportation', domain: 'prairiecold.com' },
  { name: 'Atlas Manufacturing', industry: 'manufacturing', domain: 'atlas-mfg.com' },
  { name: 'Riverside School District', industry: 'education', domain: 'riverside-sd.org' },
];
const REGIONS = ['North', 'South', 'East', 'West', 'Central'];
const CITIES = ['Springfield', 'Riverton', 'Lakeside', 'Fairview', 'Georgetown', 'Madison', 'Clinton', 'Franklin', 'Salem', 'Bristol', 'Dover', 'Ashland'];
const TITLES = ['Facilities Manager', 'Operations Director', 'Procurement Lead', 'Site Engineer', 'CFO', 'Maintenance Supervisor', 'Office Manager', 'Plant Manager', 'IT Director', 'Project Coordinator'];
const STAGES = ['prospecting', 'qualification', 'needs_analysis', 'proposal', 'negotiation', 'closed_won', 'closed_lost'];
const PROBABILITY: Record<string, number> = { prospecting: 10, qualification: 20, needs_analysis: 40, proposal: 60, negotiation: 80, closed_won: 100, closed_lost: 0 };
const DEALS = ['Generator maintenance contract', 'Standby generator install', 'Load bank testing', 'Roof replacement', 'Annual inspection program', 'Print run Q', 'Emergency repair retainer', 'Fuel polishing service', 'Transfer switch upgrade', 'Compliance testing'];
const LEAD_STATUSES = ['new', 'new', 'contacted', 'contacted', 'good', 'bad', 'qualified', 'disqualified'];
const SOURCES = ['web', 'phone', 'email', 'referral', 'partner', 'event', 'advertisement'];

/** Small deterministic PRNG so every demo organisation is the same. */
function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, pick: <T>(a: T[]) => a[Math.floor(next() * a.length)]!, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)) };
}

function isoDate(offsetDays: number): string {
  return new Date(Date.now() + offsetDays * 86400_000).toISOString().slice(0, 10);
}

export async function seedDemo(args: { platform: Platform; scale?: number; onProgress?: (message: string) => void }): Promise<Record<string, number>> {
  const { platform } = args;
  const scale = Math.max(1, Math.min(50, Math.floor(args.scale ?? 1)));
  const log = args.onProgress ?? (() => {});
  const r = rng(20261125);
  const existing = await sql`SELECT 1 FROM obj_account WHERE name = ${GROUPS[0]!.name} AND deleted_at IS NULL LIMIT 1`.execute(platform.db);
  if (existing.rows.length && scale === 1) throw new Error('The demo organisation is already loaded');
  const counts: Record<string, number> = { users: 0, accounts: 0, contacts: 0, leads: 0, opportunities: 0, tasks: 0 };

  // The organisation's own people (the admin who loads the demo): they get some deals too, so
  // their "My pipeline" on the home page is not empty.
  const ownPeople = (await sql<{ id: string }>`SELECT id FROM obj_user WHERE deleted_at IS NULL AND active IS NOT FALSE ORDER BY created_at, id`.execute(platform.db)).rows.map((u) => u.id);
  log('Creating users…');
  const userIds: string[] = [];
  const people = [['Maya', 'Okafor', 'Sales Director'], ['Luis', 'Fernandez', 'Account Manager'], ['Priya', 'Raman', 'Account Manager'], ['Tom', 'Becker', 'Project Manager'], ['Sofia', 'Lind', 'Sales Rep'], ['Jamal', 'Carter', 'Support Agent']];
  for (const [first, last, title] of people) {
    const email = `${first!.toLowerCase()}.${last!.toLowerCase()}@demo.meridian.local`;
    const found = await sql<{ id: string }>`SELECT id FROM obj_user WHERE email = ${email} AND deleted_at IS NULL`.execute(platform.db);
    if (found.rows[0]) {
      userIds.push(found.rows[0].id);
      continue;
    }
    const u = await createUser({ platform, actor: systemActor('cli'), input: { email, firstName: first, lastName: last, password: 'demo-password-1', profile: 'standard' } });
    await sql`UPDATE obj_user SET title = ${title!} WHERE id = ${u.id}`.execute(platform.db);
    userIds.push(u.id);
    counts.users!++;
  }
  const actorFor = (userId: string): Actor => ({ userId, isAdmin: true, via: 'cli', timeZone: 'UTC', locale: 'en-US' });
  const object = (name: string) => platform.registry.requireObject(name);

  // Records go in per account group, one transaction each: fast on PGlite, atomic per group.
  const accountIds: string[] = [];
  const openDeals: DemoDeal[] = [];
  for (let round = 0; round < scale; round++) {
    for (const g of GROUPS) {
      log(`Accounts, contacts and deals of ${g.name}${scale > 1 ? ` (${round + 1}/${scale})` : ''}…`);
      await inTransaction({ platform, actor: actorFor(userIds[0]!) }, async (ctx) => {
        const owner = () => r.pick(userIds);
        const suffix = scale > 1 ? ` ${round + 1}` : '';
        const top = await createRecord({ options: { allowDuplicate: true }, ctx: { ...ctx, actor: actorFor(owner()) }, object: object('account'), input: { name: g.name + suffix, industry: g.industry, type: 'customer', website: `https://www.${g.domain}`, phone: `+1 555 01${r.int(10, 99)} ${r.int(1000, 9999)}`, billing_city: r.pick(CITIES), billing_country: 'USA', account_manager: owner(), main_pm: owner(), payment_terms: 'net_30', invoicing_option: r.pick(['per_po', 'per_month', 'manual']) } });
        accountIds.push(top.id);
        counts.accounts!++;
        const tree: string[] = [top.id];
        for (const region of REGIONS.slice(0, r.int(3, 5))) {
          const reg = await createRecord({ options: { allowDuplicate: true }, ctx: { ...ctx, actor: actorFor(owner()) }, object: object('account'), input: { name: `${g.name}${suffix} — ${region}`, parent_account: top.id, industry: g.industry, type: 'customer', billing_country: 'USA' } });
          counts.accounts!++;
          tree.push(reg.id);
          for (let b = 0; b < r.int(5, 8); b++) {
            const city = r.pick(CITIES);
            const br = await createRecord({ options: { allowDuplicate: true }, ctx: { ...ctx, actor: actorFor(owner()) }, object: object('account'), input: { name: `${g.name}${suffix} — ${city} ${b + 1}`, parent_account: reg.id, industry: g.industry, type: r.pick(['customer', 'prospect']), billing_city: city, billing_country: 'USA', phone: `+1 555 02${r.int(10, 99)} ${r.int(1000, 9999)}` } });
            counts.accounts!++;
            tree.push(br.id);
          }
        }
        for (const accountId of tree) {
          for (let c = 0; c < r.int(3, 6); c++) {
            const first = r.pick(FIRST);
            const last = r.pick(LAST);
            await createRecord({ options: { allowDuplicate: true }, ctx: { ...ctx, actor: actorFor(owner()) }, object: object('contact'), input: { first_name: first, last_name: last, account: accountId, title: r.pick(TITLES), email: `${first.toLowerCase()}.${last.toLowerCase()}${r.int(1, 999)}@${g.domain}`, phone: `+1 555 03${r.int(10, 99)} ${r.int(1000, 9999)}`, is_primary: c === 0 } });
            counts.contacts!++;
          }
        }
        for (let d = 0; d < r.int(24, 30); d++) {
          const stage = r.pick(STAGES);
          const closed = stage.startsWith('closed');
          const amount = r.int(20, 400) * 250;
          // One deal in five goes to one of the organisation's own people (the draw stays the same).
          const drawn = owner();
          const dealOwner = ownPeople.length && counts.opportunities! % 5 === 4 ? ownPeople[Math.floor(counts.opportunities! / 5) % ownPeople.length]! : drawn;
          const deal = await createRecord({ options: { allowDuplicate: true }, ctx: { ...ctx, actor: actorFor(dealOwner) }, object: object('opportunity'), input: { name: `${r.pick(DEALS)} — ${g.name.split(' ')[0]}`, account: r.pick(tree), amount, gross_profit: Math.round(amount * (0.15 + r.next() * 0.3)), stage, probability: PROBABILITY[stage], close_date: isoDate(closed ? -r.int(1, 200) : r.int(5, 180)), type: r.pick(['new_business', 'existing_business', 'renewal', 'upsell']), lead_source: r.pick(SOURCES), ...(stage === 'closed_lost' ? { lost_reason: r.pick(['price', 'competitor', 'no_budget', 'timing']) } : {}) } });
          counts.opportunities!++;
          if (!closed) openDeals.push({ id: deal.id, account: deal.account as string, name: String(deal.name) });
        }
        for (let t = 0; t < 6; t++) {
          await createRecord({ options: { allowDuplicate: true }, ctx: { ...ctx, actor: actorFor(owner()) }, object: object('task'), input: { subject: r.pick(['Call about renewal', 'Send quote', 'Site survey', 'Follow up on invoice', 'Schedule inspection']), account: r.pick(tree), due_date: isoDate(r.int(-10, 20)), priority: r.pick(['low', 'normal', 'high']), status: r.pick(['not_started', 'in_progress', 'completed']) } });
          counts.tasks!++;
        }
      });
    }
  }
  log('Leads…');
  await inTransaction({ platform, actor: actorFor(userIds[0]!) }, async (ctx) => {
    for (let i = 0; i < 300 * scale; i++) {
      const first = r.pick(FIRST);
      const last = r.pick(LAST);
      const company = r.next() < 0.85 ? `${r.pick(LAST)} ${r.pick(['Logistics', 'Foods', 'Hotels', 'Clinics', 'Builders', 'Printing', 'Labs', 'Storage'])}` : null;
      const status = r.pick(LEAD_STATUSES);
      await createRecord({ options: { allowDuplicate: true }, ctx: { ...ctx, actor: actorFor(r.pick(userIds)) }, object: object('lead'), input: { first_name: first, last_name: last, company, email: `${first.toLowerCase()}.${last.toLowerCase()}${i}@example.com`, phone: `+1 555 04${r.int(10, 99)} ${r.int(1000, 9999)}`, status, disqualified_reason: status === 'disqualified' ? r.pick(['no_budget', 'no_need', 'competitor']) : null, source: r.pick(SOURCES), rating: r.pick(['hot', 'warm', 'cold']) } });
      counts.leads!++;
    }
  });
  log('A working week for every user…');
  const everyone = await sql<{ id: string; time_zone: string | null }>`SELECT id, time_zone FROM obj_user WHERE deleted_at IS NULL AND active IS NOT FALSE ORDER BY created_at, id`.execute(platform.db);
  for (const user of everyone.rows) {
    await inTransaction({ platform, actor: actorFor(user.id) }, async (ctx) => {
      const made = await seedWorkingWeek({ ctx, userId: user.id, zone: user.time_zone || 'UTC', deals: openDeals, r });
      for (const [k, n] of Object.entries(made)) counts[k] = (counts[k] ?? 0) + n;
    });
  }
  return counts;
}

interface DemoDeal {
  id: string;
  account: string;
  name: string;
}

/**
 * So "My day" is alive on first sign-in, for every user the admin included: meetings and a call
 * today, tasks due today, overdue and later this week, a call held and an e-mail received
 * yesterday, and notes on deals' timelines — all on open deals, at times in the user's zone.
 */
async function seedWorkingWeek(args: { ctx: TxContext; userId: string; zone: string; deals: DemoDeal[]; r: ReturnType<typeof rng> }): Promise<Record<string, number>> {
  const { ctx, zone, r } = args;
  if (!args.deals.length) return {};
  const make = (name: string, input: Record<string, unknown>) => createRecord({ ctx, object: ctx.platform.registry.requireObject(name), input, options: { allowDuplicate: true } });
  const day = (offset: number, hour = 0, minute = 0) => DateTime.now().setZone(zone).startOf('day').plus({ days: offset }).set({ hour, minute });
  const at = (offset: number, hour: number, minute = 0, minutes = 60) => ({ start_at: day(offset, hour, minute).toUTC().toISO(), end_at: day(offset, hour, minute).plus({ minutes }).toUTC().toISO(), time_zone: zone });
  const date = (offset: number) => day(offset).toISODate();
  const deal = () => r.pick(args.deals);
  const made = { meetings: 0, calls: 0, tasks: 0, notes: 0, emails: 0 };
  const meetings: Array<[number, number, number, string, number]> = [
    [0, 10, 0, 'Quarterly service review', 60],
    [0, 14, 30, 'Site walk-through', 45],
    [1, 9, 30, 'Proposal review', 60],
    [3, 13, 0, 'Contract negotiation', 90],
  ];
  for (const [offset, hour, minute, subject, minutes] of meetings) {
    const d = deal();
    await make('meeting', { subject: `${subject} — ${d.name.split(' — ')[1] ?? d.name}`, ...at(offset, hour, minute, minutes), location: r.pick(['On site', 'Video call', 'Head office']), account: d.account, opportunity: d.id, reminder_minutes: 15 });
    made.meetings++;
  }
  const callDeal = deal();
  await make('call', { subject: 'Call back about the quote', ...at(0, 16, 0, 15), account: callDeal.account, opportunity: callDeal.id });
  const held = deal();
  await make('call', { subject: 'Discovery call', ...at(-1, 11, 0, 20), status: 'held', outcome: 'reached', account: held.account, opportunity: held.id, description: 'Spoke with the facilities manager: two sites need standby power before summer; budget approved for Q3.' });
  made.calls += 2;
  const tasks: Array<[number, string, string]> = [
    [0, 'Send the revised quote', 'high'],
    [0, 'Confirm site access for the survey', 'normal'],
    [-1, 'Follow up on the unsigned contract', 'high'],
    [-4, 'Chase the overdue purchase order', 'normal'],
    [1, 'Prepare the service schedule', 'normal'],
    [2, 'Check generator load test results', 'low'],
    [5, 'Plan the renewal meeting', 'normal'],
  ];
  for (const [offset, subject, priority] of tasks) {
    const d = deal();
    await make('task', { subject, due_date: date(offset), priority, status: offset < 0 ? 'not_started' : r.pick(['not_started', 'in_progress']), account: d.account, opportunity: d.id });
    made.tasks++;
  }
  for (const text of [
    '<p><strong>Decision makers:</strong> the operations director signs; procurement runs the tender.</p><ul><li>Prefers quarterly maintenance visits</li><li>Wants a 4-hour emergency response</li></ul>',
    '<p>Competitor quoted 8% lower but without load bank testing. Our service history is the selling point.</p>',
  ]) {
    const d = deal();
    await make('note', { title: 'Account notes', body: text, account: d.account, opportunity: d.id });
    made.notes++;
  }
  const mail = deal();
  await make('email_log', { subject: 'Re: Maintenance contract renewal', direction: 'inbound', from_address: 'facilities@example.com', to_addresses: 'sales@demo.meridian.local', sent_at: day(-1, 9, 12).toUTC().toISO(), body: 'Thanks for the proposal. Could you include the annual inspection in the price? We would like to sign by the end of the month.', account: mail.account, opportunity: mail.id });
  made.emails++;
  return made;
}
