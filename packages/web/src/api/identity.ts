import { api, request } from './client';
import type { ResponseOf } from './types';

const enc = encodeURIComponent;

export type IntegrationClient = ResponseOf<'listIntegrationClients'>['data'][number];
export type NewClient = ResponseOf<'createIntegrationClient', 201>;
export type IdentityProvider = ResponseOf<'listIdentityProviders'>['data'][number];
export type ProviderInput = { name: string; issuer: string; clientId: string; clientSecret?: string; allowedDomains: string[]; defaultProfile: string | null; enabled: boolean };

/** Integration clients (OAuth 2.0 client credentials) and single sign-on providers: admin settings. */
export const identityApi = {
  clients: () => api.get<{ data: IntegrationClient[] }>('/integration-clients').then((r) => r.data),
  createClient: (body: { name: string; scopes: string[]; userId: string }) => api.post<NewClient>('/integration-clients', body),
  rotateSecret: (id: string) => api.post<NewClient>(`/integration-clients/${enc(id)}/rotate-secret`),
  revokeClient: (id: string) => api.del(`/integration-clients/${enc(id)}`),
  providers: () => api.get<{ data: IdentityProvider[] }>('/sso/providers').then((r) => r.data),
  createProvider: (body: ProviderInput) => api.post<IdentityProvider>('/sso/providers', body),
  updateProvider: (id: string, body: Partial<ProviderInput>) => api.patch<IdentityProvider>(`/sso/providers/${enc(id)}`, body),
  deleteProvider: (id: string) => api.del(`/sso/providers/${enc(id)}`),
  testProvider: (id: string) => api.post<{ ok: boolean; message: string }>(`/sso/providers/${enc(id)}/test`),
  passwordSignInOff: () => api.get<{ data: string[] }>('/sso/password-sign-in-off').then((r) => r.data),
  setPasswordSignIn: (userId: string, enabled: boolean) => request<unknown>(`/users/${enc(userId)}/password-sign-in`, { method: 'PUT', body: { enabled } }),
  /** Public: what the sign-in page offers. */
  signInProviders: () => request<{ data: Array<{ id: string; name: string }> }>('/auth/sso/providers', { noReauth: true }).then((r) => r.data),
};
