import type { Problem } from './types';

/**
 * The one door to the API: relative /api/v1 URLs with the session cookie, problem+json errors
 * turned into ApiError, and a session that expires mid-work handled without losing the page:
 * a 401 parks the request until the user signs in again in the dialog, then retries it.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  readonly headers: Headers | undefined;
  constructor(problem: Problem, headers?: Headers) {
    super(problem.detail || problem.title || `Request failed (${problem.status})`);
    this.status = problem.status;
    this.problem = problem;
    this.headers = headers;
  }
  get code() {
    return this.problem.code;
  }
  fieldErrors() {
    return this.problem.errors ?? [];
  }
}

type Waiter = () => void;
let expired = false;
let waiters: Waiter[] = [];
const listeners = new Set<(expired: boolean) => void>();

export const session = {
  isExpired: () => expired,
  subscribe(fn: (expired: boolean) => void) {
    listeners.add(fn);
    return () => listeners.delete(fn);
  },
  markExpired() {
    if (expired) return;
    expired = true;
    listeners.forEach((l) => l(true));
  },
  /** Called after a successful sign-in in the dialog: every parked request is retried. */
  renewed() {
    expired = false;
    listeners.forEach((l) => l(false));
    const w = waiters;
    waiters = [];
    w.forEach((fn) => fn());
  },
};

export interface RequestOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Do not park on 401 (sign-in, status, the first /me). */
  noReauth?: boolean;
  signal?: AbortSignal;
}

export interface ApiResponse<T> {
  data: T;
  headers: Headers;
  status: number;
}

export async function requestFull<T>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  const init: RequestInit = { method: options.method ?? 'GET', headers, credentials: 'same-origin', signal: options.signal };
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, init);
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError({ status: 0, code: 'network_error', detail: 'Meridian cannot be reached. Check your connection and try again.' });
  }
  if (res.status === 401 && !options.noReauth) {
    session.markExpired();
    await new Promise<void>((resolve) => waiters.push(resolve));
    return requestFull<T>(path, options);
  }
  const text = await res.text();
  let body: unknown = undefined;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  if (!res.ok) {
    const p = (body && typeof body === 'object' ? body : {}) as Partial<Problem>;
    throw new ApiError({ ...p, status: res.status, code: p.code ?? `http_${res.status}`, detail: p.detail ?? (typeof body === 'string' ? body : res.statusText) } as Problem, res.headers);
  }
  return { data: body as T, headers: res.headers, status: res.status };
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  return (await requestFull<T>(path, options)).data;
}

export const api = {
  get: <T>(path: string, o?: RequestOptions) => request<T>(path, { ...o, method: 'GET' }),
  post: <T>(path: string, body?: unknown, o?: RequestOptions) => request<T>(path, { ...o, method: 'POST', body: body ?? {} }),
  patch: <T>(path: string, body: unknown, o?: RequestOptions) => request<T>(path, { ...o, method: 'PATCH', body }),
  del: (path: string, o?: RequestOptions) => request<void>(path, { ...o, method: 'DELETE' }),
};

/** A readable sentence for any error, for notifications. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    const first = error.fieldErrors()[0];
    if (error.code === 'validation_failed' || error.code === 'rule_violation') return first ? `${first.field ? `${first.field}: ` : ''}${first.message}` : error.message;
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
