/// <reference path="../src/x11.d.ts" />
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import type { XDisplay } from 'x11';

const run = promisify(execFile);

/** A real X server in memory; Xvfb picks a free display number itself and tells us through fd 3. */
export async function startXvfb(size = '1024x768x24'): Promise<{ display: string; stop: () => void }> {
  const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', size, '-nolisten', 'tcp', '-ac'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  xvfb.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const number = await new Promise<string>((resolve, reject) => {
    let out = '';
    const fd3 = xvfb.stdio[3] as NodeJS.ReadableStream;
    fd3.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    xvfb.on('error', (err) =>
      reject(new Error(`Xvfb could not start (${err.message}): apt-get install xvfb`)),
    );
    xvfb.on('exit', (code) => reject(new Error(`Xvfb exited with ${code}: ${stderr}`)));
  });
  return { display: `:${number}`, stop: () => xvfb.kill('SIGTERM') };
}

/** Runs an X client command (xdotool, xwininfo) on `display` and answers its output. */
export async function x(display: string, command: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(command, args, { env: { ...process.env, DISPLAY: display } });
  return stdout;
}

/** Where the X pointer is, as xdotool reads it. */
export async function pointer(display: string) {
  const out = await x(display, 'xdotool', 'getmouselocation', '--shell');
  const get = (k: string) => Number(new RegExp(`^${k}=(\\d+)`, 'm').exec(out)?.[1]);
  return { x: get('X'), y: get('Y') };
}

/** An xterm in the top-left corner whose typed lines `cat` appends to `file`. */
export function xtermWritingTo(display: string, file: string): ChildProcess {
  return spawn(
    'xterm',
    [
      '-geometry',
      '80x20+0+0',
      '-bg',
      'white',
      '-fg',
      'black',
      '-title',
      'typing-target',
      '-e',
      'sh',
      '-c',
      `cat > '${file}'`,
    ],
    { env: { ...process.env, DISPLAY: display }, stdio: 'ignore' },
  );
}

/** Where the X pointer is, read straight from the server (XQueryPointer) on a connection of the caller's. */
export function queryPointer(d: XDisplay): Promise<[number, number]> {
  const root = d.screen[0]?.root as number;
  return new Promise((resolve, reject) =>
    d.client.QueryPointer(root, (err, res) => (err ? reject(err) : resolve([res.rootX, res.rootY]))),
  );
}
