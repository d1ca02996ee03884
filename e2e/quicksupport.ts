import { type ChildProcess, execFile, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { BUNDLE } from '../apps/helper/scripts/build.js';
import { pointer } from '../apps/helper/test/xvfb.js';

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

export const sha256 = (file: string) =>
  crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** The agent offers `file` from the session page's files panel. */
export async function offerFile(agentPage: Page, file: string) {
  const [chooser] = await Promise.all([
    agentPage.waitForEvent('filechooser'),
    agentPage.getByRole('region', { name: 'Files' }).getByRole('button', { name: 'Offer a file…' }).click(),
  ]);
  await chooser.setFiles(file);
}

/** The agent saves a received file; answers where the browser put it. */
export async function saveAtAgent(agentPage: Page, name: string) {
  const row = agentPage
    .getByRole('region', { name: 'Files' })
    .getByRole('group', { name: `Receiving ${name}` });
  const save = row.getByRole('link', { name: 'Save' });
  await save.waitFor({ timeout: 60_000 });
  const [download] = await Promise.all([agentPage.waitForEvent('download'), save.click()]);
  return download.path();
}

/** The agent asks for control and the customer allows it in QuickSupport's consent page. */
export async function takeControl(agentPage: Page, consent: Page) {
  await agentPage.getByRole('button', { name: 'Request control' }).click();
  await consent
    .getByRole('heading', { name: 'Alex Agent asks to control your mouse and keyboard.' })
    .waitFor();
  await consent.getByRole('button', { name: 'Allow control' }).click();
  await agentPage.getByText("You control Cleo Customer's mouse and keyboard").waitFor();
}

/**
 * Moves the agent's mouse to a fraction of the remote screen and waits until the customer's X pointer
 * (a 1024×768 Xvfb) is at the same spot; answers the control surface.
 */
export async function pointAt(agentPage: Page, display: string, at: { x: number; y: number }) {
  const surface = agentPage.getByRole('application', { name: "Remote control of the customer's screen" });
  const box = await surface.boundingBox();
  if (!box) throw new Error('no control surface');
  await agentPage.mouse.move(box.x + box.width * at.x, box.y + box.height * at.y, { steps: 4 });
  await expect
    .poll(() => pointer(display), { timeout: 10_000 })
    .toEqual({ x: expect.closeTo(at.x * 1023, -1.2), y: expect.closeTo(at.y * 767, -1.2) });
  return surface;
}
