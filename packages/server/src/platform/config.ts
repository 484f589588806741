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
  };
}
