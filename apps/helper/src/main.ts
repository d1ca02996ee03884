import { spawn } from 'node:child_process';
import { ApiError, createClient } from '@lifeline/client';
import { type HelperConfig, parseConfig, type Target, USAGE, UsageError } from './config.js';
import { LocalPage } from './local-page.js';
import { HelperSession } from './session.js';
import { desktopDir, installSos } from './sos.js';
import { TerminalUi } from './terminal.js';
import { X11Sink } from './x11-input.js';

/** Exit codes: 0 done, 1 could not run (no display, no server), 2 bad command line, 3 link or code not valid / ended. */
export interface Io {
  argv: string[];
  env: Record<string, string | undefined>;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream | undefined;
  /** Opens the local consent page in the person's browser with `command` (xdg-open unless told otherwise). */
  openBrowser: (command: string, url: string) => void;
  /** Calls `handler` on Ctrl+C or a termination request, so the session ends cleanly (ffmpeg included). */
  onInterrupt: (handler: () => void) => void;
}

async function findToken(target: Target): Promise<string> {
  const client = createClient({ baseUrl: target.server.href });
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

export async function main(io: Io): Promise<number> {
  const say = (line: string) => io.stdout.write(`${line}\n`);
  let config: HelperConfig;
  try {
    config = parseConfig(io.argv, io.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`${err.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (config.mode === 'help') {
    say(USAGE);
    return 0;
  }
  try {
    if (config.mode === 'install-sos') {
      const file = await installSos(config.sosLink, desktopDir(config.desktopDir, config.home));
      say(`The SOS shortcut is on your desktop: ${file}`);
      return 0;
    }
    const target = config.target;
    if (!config.display)
      throw new Error('No X display to share: set DISPLAY (e.g. DISPLAY=:0) or pass --display.');
    // The display first: a machine we cannot capture should hear so before anyone is asked to allow anything.
    const sink = await X11Sink.open(config.display);
    const token = await findToken(target);
    const session = new HelperSession({
      server: target.server,
      token,
      display: config.display,
      ffmpeg: config.ffmpeg,
      sink,
      spawn,
      log: say,
    });
    io.onInterrupt(() => session.act('end'));
    const terminal = new TerminalUi(io.stdout, io.stdin, (a) => session.act(a));
    session.addUi(terminal);
    let page: LocalPage | undefined;
    if (config.openBrowser) {
      page = new LocalPage((a) => session.act(a));
      const url = await page.listen();
      session.addUi(page);
      say(`Consent page: ${url}`);
      io.openBrowser(config.openWith, url);
    }
    const end = await session.start();
    terminal.close();
    // The page shows "ended" for a moment before it goes away.
    await new Promise((r) => setTimeout(r, 300));
    page?.close();
    sink.close();
    return end.code;
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n`);
    return err instanceof EndedError ? 3 : 1;
  }
}
