import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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
