import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../e2e/chromium.js';
import { fmt, type LifelineProcess, startLifeline } from './lifeline-process.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const resultsDir = fileURLToPath(new URL('../results', import.meta.url));

/**
 * Runs the bare baseline and Lifeline alternately (bare, Lifeline, bare, …), so
 * a noisy machine slows both alike; the first `warmup` pairs are printed but
 * not kept.
 */
export async function interleave<S>(run: {
  warmup: number;
  iterations: number;
  bare: () => Promise<S>;
  lifeline: () => Promise<S>;
  describe: (sample: S) => string;
}): Promise<{ bare: S[]; ours: S[] }> {
  const bare: S[] = [];
  const ours: S[] = [];
  for (let i = 0; i < run.warmup + run.iterations; i++) {
    const warm = i < run.warmup;
    const b = await run.bare();
    const l = await run.lifeline();
    console.log(
      `  ${warm ? 'warm-up' : `#${i - run.warmup + 1}`}: bare ${run.describe(b)} | Lifeline ${run.describe(l)}`,
    );
    if (!warm) {
      bare.push(b);
      ours.push(l);
    }
  }
  return { bare, ours };
}

/**
 * A browser benchmark against a bare baseline, whole: checks the built page
 * and Chromium, starts Lifeline, the bare pages and Chromium, runs both
 * interleaved, publishes the table as bench/results/<name>.md, and stops
 * everything whatever happens.
 */
export async function benchAgainstBare<S>(run: {
  name: string;
  /** The built page the benchmark loads, under apps/web/dist. */
  page: string;
  warmup: number;
  iterations: number;
  serveBare: () => Promise<{ url: string; close(): Promise<unknown> }>;
  bare: (browser: Browser, url: string) => Promise<S>;
  lifeline: (server: LifelineProcess, browser: Browser) => Promise<{ once(): Promise<S> }>;
  describe: (sample: S) => string;
  markdown: (bare: S[], ours: S[]) => string;
}) {
  if (!fs.existsSync(path.join(root, 'apps/web/dist', run.page)))
    throw new Error(
      `The web pages are not built: run \`npm run build\` first (npm run bench:${run.name} does).`,
    );
  if (!fs.existsSync(CHROMIUM_PATH))
    throw new Error(`Chromium is not at ${CHROMIUM_PATH} (set CHROMIUM_PATH).`);
  const started = Date.now();
  let server: LifelineProcess | undefined;
  let browser: Browser | undefined;
  let barePages: { url: string; close(): Promise<unknown> } | undefined;
  try {
    server = await startLifeline();
    const bareServed = await run.serveBare();
    barePages = bareServed;
    const open = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    browser = open;
    const lifeline = await run.lifeline(server, open);
    const { bare, ours } = await interleave({
      warmup: run.warmup,
      iterations: run.iterations,
      bare: () => run.bare(open, bareServed.url),
      lifeline: () => lifeline.once(),
      describe: run.describe,
    });
    publish(run.name, run.markdown(bare, ours));
  } finally {
    await browser?.close();
    await barePages?.close();
    await server?.stop();
    console.log(`Finished in ${fmt((Date.now() - started) / 1000, 1)} s.`);
  }
}

/** Prints a result table and keeps it as bench/results/<name>.md. */
export function publish(name: string, text: string) {
  fs.mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${name}.md`);
  fs.writeFileSync(file, text);
  console.log(`\n${text}\nWritten to ${path.relative(root, file)}`);
}

/** Stops a benchmark that overruns, rather than leaving a browser and a server behind. */
export function deadline(name: string, ms: number) {
  setTimeout(() => {
    console.error(`${name} did not finish within ${ms / 1000} s; stopping.`);
    process.exit(2);
  }, ms).unref();
}
