import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Windows programs under Wine (Debian's wine/wine64 8.0) on an Xvfb display:
 * one prefix set to Windows 10 (Node refuses Windows 7, Wine's default) with
 * a virtual desktop the size of the display, so the Wine desktop is one X
 * window at 0,0 and GDI capture sees every Wine window on it.
 */
export interface Wine {
  prefix: string;
  env: NodeJS.ProcessEnv;
  /** A Linux path as Windows programs under this prefix name it (drive Z: is /). */
  winPath(file: string): string;
  /** `wine program args…` on the display; its own stdio is never a pipe (Node's stdout fails on one under Wine). */
  start(program: string, args: string[]): ChildProcess & { exited: Promise<number | null> };
  /** Command lines of the Windows programs running in this prefix. */
  processes(): string[];
  stop(): Promise<void>;
}

/** Reused between runs: making a prefix takes Wine about 20 s. Its marker is written last. */
const PREFIX = path.join(os.tmpdir(), `lifeline-wine-${process.getuid?.() ?? 0}`);
const READY = path.join(PREFIX, '.lifeline-ready');

export async function startWine(display: string, size = '1024x768'): Promise<Wine> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    WINEPREFIX: PREFIX,
    WINEDEBUG: '-all',
    // No Mono or Gecko installer prompts: nothing here needs .NET or Wine's HTML engine.
    WINEDLLOVERRIDES: 'mscoree,mshtml=',
    WINEARCH: 'win64',
    DISPLAY: display,
  };
  const wine = (...args: string[]) =>
    run('wine', args, { env, timeout: 120_000 }).catch((err: Error) => {
      throw new Error(`wine ${args.join(' ')} failed: ${err.message} (apt-get install wine wine64)`);
    });
  if (!fs.existsSync(READY)) {
    fs.rmSync(PREFIX, { recursive: true, force: true });
    await wine('winecfg', '-v', 'win10');
    await wine('reg', 'add', 'HKCU\\Software\\Wine\\Explorer', '/v', 'Desktop', '/d', 'Default', '/f');
    await wine('reg', 'add', 'HKCU\\Software\\Wine\\Explorer\\Desktops', '/v', 'Default', '/d', size, '/f');
    fs.writeFileSync(READY, 'win10, virtual desktop\n');
  }
  const start = (program: string, args: string[]) => {
    const child = spawn('wine', [program, ...args], { env, stdio: 'ignore' });
    return Object.assign(child, {
      exited: new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code))),
    });
  };
  return {
    prefix: PREFIX,
    env,
    winPath: (file) => `Z:${path.resolve(file).replaceAll('/', '\\')}`,
    start,
    processes: () => {
      const found: string[] = [];
      for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
        try {
          const environ = fs.readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
          if (!environ.includes(`WINEPREFIX=${PREFIX}`)) continue;
          found.push(fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' ').trim());
        } catch {}
      }
      return found;
    },
    // Ends every program of this prefix, and its wineserver: nothing of other prefixes.
    stop: async () => {
      await run('wineserver', ['-k'], { env }).catch(() => {});
    },
  };
}
