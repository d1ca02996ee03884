import { spawn } from 'node:child_process';

/** Starts `command url` detached; a missing program leaves the address on the terminal instead. */
export function openWith(command: string, args: string[], say: (line: string) => void) {
  const url = args.at(-1) ?? '';
  const child = spawn(command, args, { stdio: 'ignore', detached: true, windowsHide: true });
  child.on('error', () => say(`Open this page in your browser to answer: ${url}`));
  child.unref();
}
