import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { buildWindows } from './build-windows.js';

/** Where the one-file helper goes; the server offers it for download from here. */
export const BUNDLE = fileURLToPath(new URL('../dist/lifeline-quicksupport.mjs', import.meta.url));

/**
 * Two spots of the x11 package that a one-file ES module cannot take as they
 * are: it loads extensions with `require('./ext/' + name)`, which no bundler
 * can follow (the helper needs two, named here), and its request proxy reads
 * `req_proxy.arguments`, which strict mode forbids (`arguments` is the same
 * object there: every use is in the proxy's own body).
 */
const x11Extensions: Plugin = {
  name: 'x11-extensions',
  setup(b) {
    b.onLoad({ filter: /[\\/]x11[\\/]lib[\\/]xcore\.js$/ }, async (args) => {
      const source = await fs.readFile(args.path, 'utf8');
      const dynamic = "require('./ext/' + extName)";
      if (!source.includes(dynamic))
        throw new Error('x11 changed how it loads extensions: update the helper build');
      const known =
        "({ 'big-requests': () => require('./ext/big-requests'), xtest: () => require('./ext/xtest') })[extName]()";
      if (!source.includes('req_proxy.arguments'))
        throw new Error('x11 changed its request proxy: update the helper build');
      return {
        contents: source.replace(dynamic, known).replaceAll('req_proxy.arguments', 'arguments'),
        loader: 'js',
      };
    });
  },
};

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
    // The CommonJS parts of the bundle (ws, x11, werift) call require() for Node's own modules.
    banner: {
      js: "import { createRequire as __lifelineRequire } from 'node:module'; const require = __lifelineRequire(import.meta.url);",
    },
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [x11Extensions],
    // ws would load these optional native speed-ups when present; the helper does without.
    external: ['bufferutil', 'utf-8-validate'],
  });
  return BUNDLE;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = await buildHelper();
  console.log(`QuickSupport helper built: ${path.relative(process.cwd(), file)}`);
  const exe = await buildWindows();
  console.log(
    `QuickSupport for Windows built: ${path.relative(process.cwd(), exe.file)} (${(exe.size / 1e6).toFixed(1)} MB, ${(exe.gzipSize / 1e6).toFixed(1)} MB gzip) in ${(exe.ms / 1000).toFixed(1)} s`,
  );
}
