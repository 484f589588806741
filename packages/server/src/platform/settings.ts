import { parseDuration } from './events/config.ts';

/**
 * Settings a module declares: a name in the environment, a default and a parser. The platform
 * resolves every module's settings once at boot from `config.env` (so a bad value stops the
 * process at start with the variable's name, not later in a job), and a module reads its typed
 * values with `spec.of(platform)` — never `process.env`.
 */
export interface SettingSpec<T> {
  env: string;
  default: T;
  /** What it means, for docs/operations.md and the start-up error. */
  doc: string;
  parse(raw: string): T;
}

export type SettingValues<S extends Record<string, SettingSpec<unknown>>> = { [K in keyof S]: S[K] extends SettingSpec<infer T> ? T : never };

export interface SettingsDeclaration<S extends Record<string, SettingSpec<unknown>> = Record<string, SettingSpec<unknown>>> {
  /** The module's name: resolved values are kept per platform under it. */
  readonly module: string;
  readonly specs: S;
  /** Parses the values from an environment snapshot; throws naming the variable on a bad value. */
  resolve(env: Readonly<Record<string, string | undefined>>): SettingValues<S>;
  /** The values resolved at boot for this platform. */
  of(platform: SettingsHolder): SettingValues<S>;
}

/** What `of` needs from the platform (kept structural so this file does not import the kernel). */
export interface SettingsHolder {
  settings: Map<string, unknown>;
  config: { env: Readonly<Record<string, string | undefined>> };
}

export function defineSettings<S extends Record<string, SettingSpec<unknown>>>(module: string, specs: S): SettingsDeclaration<S> {
  const resolve = (env: Readonly<Record<string, string | undefined>>) => {
    const out: Record<string, unknown> = {};
    for (const [key, spec] of Object.entries(specs)) {
      const raw = env[spec.env];
      if (raw === undefined || raw === '') {
        out[key] = spec.default;
        continue;
      }
      try {
        out[key] = spec.parse(raw);
      } catch (error) {
        throw new Error(`${spec.env}: ${(error as Error).message} (${spec.doc})`);
      }
    }
    return out as SettingValues<S>;
  };
  return {
    module,
    specs,
    resolve,
    of(platform) {
      let values = platform.settings.get(module) as SettingValues<S> | undefined;
      if (!values) {
        values = resolve(platform.config.env);
        platform.settings.set(module, values);
      }
      return values;
    },
  };
}

/** Replaces some of a module's resolved values on one platform (tests; embedding operators). */
export function overrideSettings<S extends Record<string, SettingSpec<unknown>>>(platform: SettingsHolder, declaration: SettingsDeclaration<S>, values: Partial<SettingValues<S>>): void {
  platform.settings.set(declaration.module, { ...declaration.of(platform), ...values });
}

export const setting = {
  integer(env: string, fallback: number, doc: string, range: { min?: number; max?: number } = {}): SettingSpec<number> {
    const { min = 0, max = Number.MAX_SAFE_INTEGER } = range;
    return {
      env,
      default: fallback,
      doc,
      parse(raw) {
        const n = Number(raw);
        if (!Number.isInteger(n) || n < min || n > max) throw new Error(`must be an integer from ${min} to ${max}, got '${raw}'`);
        return n;
      },
    };
  },
  number(env: string, fallback: number, doc: string, range: { min?: number } = {}): SettingSpec<number> {
    const { min = 0 } = range;
    return {
      env,
      default: fallback,
      doc,
      parse(raw) {
        const n = Number(raw);
        if (!Number.isFinite(n) || n < min) throw new Error(`must be a number ≥ ${min}, got '${raw}'`);
        return n;
      },
    };
  },
  duration(env: string, fallback: string, doc: string): SettingSpec<number> {
    return { env, default: parseDuration(fallback), doc, parse: parseDuration };
  },
  text(env: string, fallback: string, doc: string): SettingSpec<string> {
    return { env, default: fallback, doc, parse: (raw) => raw };
  },
  optionalText(env: string, doc: string): SettingSpec<string | undefined> {
    return { env, default: undefined, doc, parse: (raw) => raw };
  },
};
