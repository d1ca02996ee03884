import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { Writable } from 'node:stream';
import { ApiError, createClient } from '@lifeline/client';
import {
  type Embedded,
  type HelperConfig,
  type PlatformName,
  parseConfig,
  type Target,
  UsageError,
  usage,
} from './config.js';
import { LocalPage } from './local-page.js';
import type { Platform } from './platform.js';
import { HelperSession } from './session.js';
import { TerminalUi } from './terminal.js';

/** Exit codes: 0 done, 1 could not run (no display, no server), 2 bad command line, 3 link or code not valid / ended. */
export interface Io {
  argv: string[];
  env: Record<string, string | undefined>;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream | undefined;
  /** Which desktop this program is built for, and the adapter for it once the command line is read. */
  platform: PlatformName;
  makePlatform: (config: HelperConfig, say: (line: string) => void) => Platform;
  /** What the downloaded program carries, if anything (Windows). */
  embedded?: Embedded;
  /** HTTP requests to the server (global fetch unless the platform needs another). */
  fetch?: typeof fetch;
  /** Where messages also go without `--log` (Windows: a console window may be gone, or absent under Wine). */
  defaultLog?: string;
  /** Calls `handler` on Ctrl+C or a termination request, so the session ends cleanly (ffmpeg included). */
  onInterrupt: (handler: () => void) => void;
}

async function findToken(target: Target, fetchFn: typeof fetch): Promise<string> {
  const client = createClient({ baseUrl: target.server.href, fetch: fetchFn });
  try {
    const info =
      target.kind === 'code'
        ? await client.join.byCode(target.code)
        : await client.join.byToken(target.token);
    return info.token;
  } catch (err) {
    if (err instanceof ApiError && err.status === 410)
      throw new EndedError('This support session has ended.');
    if (err instanceof ApiError && (err.status === 404 || err.status === 400)) {
      throw new EndedError(
        target.kind === 'code'
          ? `No support session has the code ${target.code}. Check it and try again.`
          : 'This invitation link is not valid. Copy the whole link from your invitation.',
      );
    }
    if (err instanceof ApiError && err.status === 429)
      throw new Error('Too many attempts. Wait a minute and try again.');
    if (err instanceof ApiError) throw new Error(`The support server answered: ${err.message}`);
    throw new Error(`Cannot reach ${target.server.origin}: ${(err as Error).message}`);
  }
}

class EndedError extends Error {}

/** `stream`, and the log file once there is one: a log that cannot be written never stops the session. */
function tee(stream: NodeJS.WritableStream, logFile: () => string | undefined) {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      stream.write(chunk);
      const file = logFile();
      if (file) {
        try {
          fs.appendFileSync(file, chunk);
        } catch {}
      }
      done();
    },
  });
}

export async function main(io: Io): Promise<number> {
  let logFile = io.defaultLog;
  const stdout = tee(io.stdout, () => logFile);
  const stderr = tee(io.stderr, () => logFile);
  const say = (line: string) => stdout.write(`${line}\n`);
  let config: HelperConfig;
  try {
    config = parseConfig(io.argv, io.env, { platform: io.platform, embedded: io.embedded });
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    stderr.write(`${err.message}\n\n${usage(io.platform)}\n`);
    return 2;
  }
  logFile = config.log ?? logFile;
  if (config.mode === 'help') {
    say(usage(io.platform));
    return 0;
  }
  const platform = io.makePlatform(config, say);
  try {
    if (config.mode === 'install-sos') {
      const file = await platform.installSos(config.sosLink);
      say(`The SOS shortcut is on your desktop: ${file}`);
      return 0;
    }
    const target = config.target;
    // The desktop first: a machine we cannot capture should hear so before anyone is asked to allow anything.
    const { sink, capture, clipboard } = await platform.openDesktop();
    const token = await findToken(target, io.fetch ?? fetch);
    const session = new HelperSession({
      server: target.server,
      token,
      capture,
      sink,
      clipboard,
      downloads: config.downloadDir,
      desktop: platform.name,
      spawn,
      log: say,
    });
    io.onInterrupt(() => session.act('end'));
    const terminal = new TerminalUi(
      stdout,
      io.stdin,
      (a) => session.act(a),
      (c) => session.file(c),
    );
    session.addUi(terminal);
    let page: LocalPage | undefined;
    if (config.openBrowser) {
      page = new LocalPage(
        (a) => session.act(a),
        (c) => session.file(c),
      );
      const url = await page.listen();
      session.addUi(page);
      say(`Consent page: ${url}`);
      platform.openBrowser(url);
    }
    const end = await session.start();
    terminal.close();
    // The page shows "ended" for a moment before it goes away.
    await new Promise((r) => setTimeout(r, 300));
    page?.close();
    sink.close();
    return end.code;
  } catch (err) {
    stderr.write(`${(err as Error).message}\n`);
    return err instanceof EndedError ? 3 : 1;
  }
}
