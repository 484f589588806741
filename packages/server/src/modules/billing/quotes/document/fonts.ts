import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * Noto Sans (regular and bold) from the @expo-google-fonts/noto-sans package, embedded in every
 * PDF: it has Latin with every accent, Greek and Cyrillic, so "Zoë Ångström" and "Дмитрий" print
 * as written. Resolved through the package (not a path into node_modules) so it is found from a
 * clean install wherever npm put it; read once per process.
 */
const require = createRequire(import.meta.url);
let cached: { regular: Buffer; bold: Buffer } | undefined;

export function documentFonts(): { regular: Buffer; bold: Buffer } {
  cached ??= {
    regular: readFileSync(require.resolve('@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf')),
    bold: readFileSync(require.resolve('@expo-google-fonts/noto-sans/700Bold/NotoSans_700Bold.ttf')),
  };
  return cached;
}
