import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { BUNDLE } from '../apps/helper/scripts/build.js';

const run = promisify(execFile);

/** The built one-file helper (`npm run build`), run the way a customer runs it, with its output captured. */
export class QuickSupport {
  readonly child: ChildProcess;
  output = '';
  readonly exited: Promise<number | null>;

  constructor(args: string[], display: string, env: Record<string, string> = {}) {
    this.child = spawn(process.execPath, [BUNDLE, ...args], {
      env: { ...process.env, DISPLAY: display, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    for (const s of [this.child.stdout, this.child.stderr]) {
      s?.on('data', (d: Buffer) => {
        this.output += d.toString();
      });
    }
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  /** Waits until the helper printed a line matching `pattern`, and answers the match. */
  async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = pattern.exec(this.output);
      if (m) return m;
      if (Date.now() > deadline || this.child.exitCode !== null) {
        throw new Error(`QuickSupport never printed ${pattern}; it printed:\n${this.output}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  type(line: string) {
    this.child.stdin?.write(`${line}\n`);
  }

  /** The names of the programs the helper started that are still running (e.g. ffmpeg). */
  async children(): Promise<string[]> {
    const pid = this.child.pid;
    if (pid === undefined) return [];
    const { stdout } = await run('ps', ['--ppid', String(pid), '-o', 'comm=']).catch(() => ({ stdout: '' }));
    return stdout.split('\n').filter(Boolean);
  }

  stop() {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
  }
}
