import { sql } from 'kysely';
import type { TestServer } from '../server.ts';
import { overrideSettings } from '../../src/platform/settings.ts';
import { providerSettings, resetProviders } from '../../src/modules/payments/providers/registry.ts';
import type { providerSettingSpecs } from '../../src/modules/payments/providers/settings.ts';
import type { SettingValues } from '../../src/platform/settings.ts';

/** Sets the providers' settings on a test platform (and forgets the providers built from the old ones). */
export function useProviders(server: TestServer, values: Partial<SettingValues<typeof providerSettingSpecs>>): void {
  overrideSettings(server.platform, providerSettings, values);
  resetProviders(server.platform);
}

export async function payToken(server: TestServer, invoiceId: string): Promise<string> {
  const r = await sql<{ token: string }>`SELECT token FROM invoicing_pay_link WHERE invoice_id = ${invoiceId}::uuid`.execute(server.platform.db);
  return r.rows[0]!.token;
}

/** A form post as a browser sends it (the pay page's and the test page's buttons). */
export async function formPost(server: TestServer, url: string) {
  return server.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost:3000', host: 'localhost:3000' }, payload: '' });
}

export async function requestOf(server: TestServer, id: string): Promise<Record<string, any>> {
  const res = await server.admin.request('GET', `/api/v1/payment_request/${id}`);
  return res.body;
}

export async function paymentsOf(server: TestServer, provider: string, paymentId: string): Promise<Array<Record<string, any>>> {
  const filter = encodeURIComponent(JSON.stringify({ and: [{ field: 'provider', op: 'eq', value: provider }, { field: 'provider_payment_id', op: 'eq', value: paymentId }] }));
  return (await server.admin.request('GET', `/api/v1/payment?filter=${filter}`)).body.data;
}

export async function eventRows(server: TestServer, provider: string, eventId: string) {
  return (await sql<{ outcome: string; detail: string | null }>`SELECT outcome, detail FROM payments_provider_event WHERE provider = ${provider} AND event_id = ${eventId}`.execute(server.platform.db)).rows;
}

export async function notificationsAbout(server: TestServer, recordId: string) {
  return (await sql<{ user_id: string; title: string; body: string }>`SELECT user_id, title, body FROM user_notification WHERE record_id = ${recordId}::uuid`.execute(server.platform.db)).rows;
}
