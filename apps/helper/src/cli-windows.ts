import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { httpFetch } from './http-fetch.js';
import { main } from './main.js';
import { windowsPlatform } from './platforms/windows/index.js';
import { readEmbedded } from './platforms/windows/program.js';

/**
 * The Windows program's edge (the entry of LifelineQuickSupport.exe). Its
 * console may be missing or broken (under Wine, writing to a pipe fails with
 * EBADF), so every message also goes to a log file, and a stream that fails
 * is dropped instead of ending the program.
 */
function console(get: () => NodeJS.WritableStream): NodeJS.WritableStream {
  let stream: NodeJS.WritableStream | undefined;
  try {
    stream = get();
    stream.on('error', () => {
      stream = undefined;
    });
  } catch {}
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      try {
        stream?.write(chunk);
      } catch {
        stream = undefined;
      }
      done();
    },
  });
}

function input(): NodeJS.ReadStream | undefined {
  try {
    return process.stdin;
  } catch {
    return undefined;
  }
}

const stdin = input();
const stdout = console(() => process.stdout);
void main({
  argv: process.argv.slice(2),
  env: process.env,
  stdout,
  stderr: console(() => process.stderr),
  stdin,
  platform: 'windows',
  makePlatform: (config, say) => windowsPlatform(config, say, process.env, httpFetch),
  fetch: httpFetch,
  embedded: readEmbedded(process.execPath),
  defaultLog: path.join(os.tmpdir(), 'LifelineQuickSupport.log'),
  onInterrupt: (handler) => {
    process.once('SIGINT', handler);
    process.once('SIGTERM', handler);
  },
}).then(async (code) => {
  // Started by a double-click, the console window closes with the program: keep a problem readable.
  if (code !== 0 && stdin?.isTTY) {
    stdout.write('Press Enter to close this window.\n');
    await new Promise((resolve) => stdin.once('data', resolve));
  }
  process.exit(code);
});
