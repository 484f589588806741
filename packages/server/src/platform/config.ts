import path from 'node:path';

/** Runtime configuration, read once from the environment. */
export interface Config {
  port: number;
  host: string;
  /** PostgreSQL connection string; when absent Meridian uses PGlite under dataDir. */
  databaseUrl: string | undefined;
  dataDir: string;
  adminEmail: string | undefined;
  adminPassword: string | undefined;
  /** Public base URL used in links printed or e-mailed (setup link, calendar feeds). */
  publicUrl: string;
  logLevel: string;
  bodyLimitBytes: number;
  /** Outgoing e-mail (reminders, digests, booking confirmations, documents): smtp(s)://user:pass@host:port; none when unset. */
  smtpUrl: string | undefined;
  smtpFrom: string;
  /** Trust X-Forwarded-* from a reverse proxy (MERIDIAN_TRUST_PROXY=true). */
  trustProxy: boolean;
  /** The environment's MERIDIAN_* variables, from which modules' declared settings are resolved (platform/settings.ts). */
  env: Readonly<Record<string, string | undefined>>;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 3000);
  const host = env.HOST ?? '0.0.0.0';
  return {
    port,
    host,
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: path.resolve(env.MERIDIAN_DATA_DIR ?? './data'),
    adminEmail: env.MERIDIAN_ADMIN_EMAIL || undefined,
    adminPassword: env.MERIDIAN_ADMIN_PASSWORD || undefined,
    publicUrl: (env.MERIDIAN_PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/$/, ''),
    logLevel: env.LOG_LEVEL ?? 'info',
    bodyLimitBytes: Number(env.MERIDIAN_BODY_LIMIT ?? 2 * 1024 * 1024),
    smtpUrl: env.MERIDIAN_SMTP_URL || undefined,
    smtpFrom: env.MERIDIAN_SMTP_FROM || 'Meridian <meridian@localhost>',
    trustProxy: env.MERIDIAN_TRUST_PROXY === 'true',
    env: Object.freeze(Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('MERIDIAN_')))),
  };
}
