import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import axe from 'axe-core';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterEach, expect } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SCREENSHOTS = path.resolve(here, '../../../docs/screenshots');
const DIST = path.resolve(here, '../dist/index.html');

export const ADMIN = { email: 'ada@example.com', password: 'correct-horse-battery' };

/** What packages/server/test/e2e-server.ts answers (kept local so type-checking stops here). */
export interface E2EServer {
  url: string;
  setupUrl: string | null;
  createUser(input: { email: string; password: string; profile?: 'admin' | 'standard'; firstName?: string; lastName?: string }): Promise<{ id: string; token: string }>;
  close(): Promise<void>;
}

export interface Harness {
  server: E2EServer;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Calls the API as the admin (Bearer token), for arranging data. */
  api<T = any>(method: string, url: string, body?: unknown): Promise<T>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage'],
  });
}

export async function startHarness(options: { admin?: boolean; smtpUrl?: string } = {}): Promise<Harness> {
  if (!fs.existsSync(DIST)) throw new Error('packages/web/dist is missing: run `npm run build -w @meridian/web` first');
  // MERIDIAN_E2E_SERVER may point at another checkout's e2e-server.ts (e.g. a known-good server).
  const serverModule: string = process.env.MERIDIAN_E2E_SERVER ?? path.resolve(here, '../../server/test/e2e-server.ts');
  const { startE2EServer } = (await import(/* @vite-ignore */ serverModule)) as { startE2EServer(o: { admin?: { email: string; password: string }; smtpUrl?: string }): Promise<E2EServer> };
  const server = await startE2EServer({ ...(options.admin === false ? {} : { admin: ADMIN }), ...(options.smtpUrl ? { smtpUrl: options.smtpUrl } : {}) });
  let token: string | null = null;
  if (options.admin !== false) token = (await server.createUser({ email: 'api-robot@example.com', password: 'robot-password-123', profile: 'admin', lastName: 'Robot' })).token;
  const browser = await launchBrowser();
  const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 860 }, locale: 'en-US', timezoneId: 'UTC', acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`${String(e)}\n${e.stack ?? ''}`.slice(0, 4000)));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(m.text());
  });
  return {
    server,
    browser,
    context,
    page,
    async api(method, url, body) {
      const res = await fetch(`${server.url}/api/v1${url}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${url} → ${res.status} ${text}`);
      return text ? JSON.parse(text) : undefined;
    },
    async close() {
      await browser.close().catch(() => {});
      await server.close();
      if (errors.length) throw new Error(`Uncaught page errors:\n${errors.join('\n')}`);
    },
  };
}

/** Runs axe-core on the page; fails on serious or critical violations. */
export async function expectAccessible(page: Page, name: string) {
  let bad = await scanAccessibility(page);
  // A transition can start while axe scans (a notification's auto-close timer fires, a menu
  // closes): a half-faded element then fails the contrast check although the page is fine.
  // Scan once more after everything has settled; a real violation is still there the second time.
  if (bad.length > 0) bad = await scanAccessibility(page);
  expect(bad, `${name}: accessibility violations\n${JSON.stringify(bad, null, 2)}`).toEqual([]);
}

async function scanAccessibility(page: Page) {
  // A menu or dialog still fading out is half transparent, so its text fails the contrast check:
  // scan the page once its CSS transitions and animations have settled (a state, not a delay).
  // Endless ones (a loader's spin, a skeleton's pulse) never settle and are left out.
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity));
  const hasAxe = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== 'undefined');
  if (!hasAxe) await page.addScriptTag({ content: axe.source });
  const result = await page.evaluate(async () => {
    const w = window as unknown as { axe: typeof import('axe-core') };
    const r = await w.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ') + ' :: ' + n.failureSummary) }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export async function screenshot(page: Page, name: string) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  // Toasts from earlier steps would cover the page in the user guide's pictures.
  const style = await page.addStyleTag({ content: '.mantine-Notifications-root { display: none !important; }' });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: false });
  await style.evaluate((el) => (el as Element).remove());
}

/** Signs in through the form. */
export async function signIn(page: Page, user = ADMIN) {
  await page.goto('/login');
  await page.getByLabel('E-mail').fill(user.email);
  await page.getByLabel(/^Password/).fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Objects' }).waitFor();
}

/** Waits until no Mantine loader is spinning in the main area. */
export async function settle(page: Page) {
  await page.waitForLoadState('networkidle').catch(() => {});
}

/** Keeps a screenshot of the page when a test fails (test-results/, ignored by git). */
export function screenshotOnFailure(get: () => Harness | undefined) {
  afterEach(async (ctx) => {
    const h = get();
    if (!h || ctx.task.result?.state !== 'fail') return;
    const dir = path.resolve(here, '../test-results');
    fs.mkdirSync(dir, { recursive: true });
    await h.page.screenshot({ path: path.join(dir, `${ctx.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 80)}.png`) }).catch(() => {});
  });
}

/** An input by its accessible name, whether a text box or a Mantine select (combobox). */
export function input(scope: Page | Locator, name: string) {
  return scope.getByRole('combobox', { name, exact: true }).or(scope.getByRole('textbox', { name, exact: true })).first();
}

/**
 * Waits until a dialog has finished opening: Mantine animates it in (opacity and scale), and a
 * click computed while it still moves can land beside its target on a loaded machine.
 */
export async function dialogOpened(dialog: Locator) {
  await expect
    .poll(() => dialog.evaluate((el) => {
      const s = getComputedStyle(el);
      return s.opacity === '1' && (s.transform === 'none' || s.transform === 'matrix(1, 0, 0, 1, 0, 0)');
    }))
    .toBe(true);
}
