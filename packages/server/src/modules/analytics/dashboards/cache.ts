import type { AccessInfo } from '../../../platform/access/info.ts';
import type { RecordContext } from '../../../platform/records/context.ts';
import { reportVersions } from '../reports/store.ts';
import { analyticsSettings } from '../settings.ts';
import { runDashboard, type DashboardAnswer } from './run.ts';
import { loadDashboard } from './store.ts';

/**
 * Slow dashboard answers kept per viewer for a few minutes, as Salesforce and BI tools do, and
 * shown "as of" their time with a Refresh (issue 16 item 11: at a million deals eight widgets
 * take seconds, every view). Only answers that took at least MERIDIAN_DASHBOARD_CACHE_MIN_MS are
 * kept, so a small installation always sees live numbers.
 *
 * Safe by construction: the cache hangs off the viewer's AccessInfo object, which the access
 * cache replaces whenever anything that shapes access changes (profile, role, groups, sharing
 * rules, metadata) — a new object starts with an empty cache and the old one is collected. The
 * key holds the dashboard's and its reports' versions, the filters, the zone and the day, and
 * opening the dashboard is still checked on every view (loadDashboard). Scheduled e-mails never
 * read it. Per process: two servers may show different "as of" times.
 */
export interface CachedDashboardAnswer extends DashboardAnswer {
  /** When these numbers were computed (ISO). */
  asOf: string;
  /** Whether they came from the cache rather than this request. */
  cached: boolean;
}

interface Entry {
  answer: DashboardAnswer;
  at: number;
}

/** Answers kept per viewer: enough for a few dashboards × filter choices. */
const MAX_PER_VIEWER = 50;
const caches = new WeakMap<AccessInfo, Map<string, Entry>>();

export async function runDashboardCached(args: { ctx: RecordContext; id: string; filters?: unknown; refresh?: boolean }): Promise<CachedDashboardAnswer> {
  const { ctx } = args;
  const { dashboardCacheSeconds, dashboardCacheMinMs } = analyticsSettings.of(ctx.platform);
  const access = ctx.actor.access;
  const live = async (): Promise<CachedDashboardAnswer> => {
    const asOf = new Date().toISOString();
    return { ...(await runDashboard(args)), asOf, cached: false };
  };
  if (!access || !ctx.actor.userId || dashboardCacheSeconds === 0) return live();

  const dashboard = await loadDashboard(ctx, args.id);
  const key = JSON.stringify([
    dashboard.id, dashboard.updatedAt, await reportVersions(ctx, dashboard.widgets.map((w) => w.reportId)),
    ctx.actor.userId, ctx.actor.timeZone, new Date().toISOString().slice(0, 10), args.filters ?? null,
  ]);
  let entries = caches.get(access);
  if (!entries) caches.set(access, (entries = new Map()));
  const now = Date.now();
  for (const [k, e] of entries) if (now - e.at > dashboardCacheSeconds * 1000) entries.delete(k);
  const hit = entries.get(key);
  if (hit && !args.refresh) return { ...hit.answer, asOf: new Date(hit.at).toISOString(), cached: true };

  const started = Date.now();
  const answer = await runDashboard({ ...args, dashboard });
  if (Date.now() - started >= dashboardCacheMinMs) {
    if (entries.size >= MAX_PER_VIEWER) entries.delete(entries.keys().next().value!);
    entries.set(key, { answer, at: started });
  } else {
    entries.delete(key);
  }
  return { ...answer, asOf: new Date(started).toISOString(), cached: false };
}
