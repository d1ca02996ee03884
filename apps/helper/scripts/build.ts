import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** Where the one-file helper goes; the server offers it for download from here. */
export const BUNDLE = fileURLToPath(new URL('../dist/lifeline-quicksupport.mjs', import.meta.url));

/**
 * The helper and all its dependencies (werift, x11, ws, zod, the contracts)
 * as one ES module that runs with a plain `node`, nothing to install.
 */
export async function buildHelper() {
  await build({
    entryPoints: [fileURLToPath(new URL('../src/cli.ts', import.meta.url))],
    outfile: BUNDLE,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
    // The CommonJS parts of the bundle (ws, x11, werift) call require() for Node's own modules.
    banner: {
      js: "import { createRequire as __lifelineRequire } from 'node:module'; const require = __lifelineRequire(import.meta.url);",
    },
    // ws would load these optional native speed-ups when present; the helper does without.
    external: ['bufferutil', 'utf-8-validate'],
  });
  return BUNDLE;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = await buildHelper();
  console.log(`QuickSupport helper built: ${path.relative(process.cwd(), file)}`);
}
