import { type ChildProcess, spawn as nodeSpawn } from 'node:child_process';
import {
  CLIPBOARD_MAX_CHARS,
  type ClipboardReply,
  type ClipboardRequest,
  clipboardRequest,
} from '@lifeline/contracts';

/** The desktop's clipboard, as text. */
export interface ClipboardAdapter {
  read(): Promise<string>;
  write(text: string): Promise<void>;
}

/** Why the clipboard could not be used: `unavailable` when this desktop offers the helper none at all. */
export class ClipboardError extends Error {
  constructor(
    readonly reason: 'unavailable' | 'failed',
    message: string,
  ) {
    super(message);
  }
}

/** Messages on the control channel are this long at most; a clipboard write carries its text. */
const MAX_RAW = CLIPBOARD_MAX_CHARS * 6 + 200;

/**
 * The gate between the agent's clipboard requests and the desktop's
 * clipboard: nothing is read or written unless the person granted control at
 * that moment, and each transfer is told to them (`notify`).
 */
export class ClipboardGate {
  private granted = false;

  constructor(
    private readonly adapter: ClipboardAdapter | undefined,
    private readonly notify: (line: string) => void,
  ) {}

  setGranted(granted: boolean) {
    this.granted = granted;
  }

  /** The clipboard request in a raw control-channel message; undefined for anything else (input events). */
  parse(raw: unknown): ClipboardRequest | undefined {
    if (typeof raw !== 'string' || raw.length > MAX_RAW || !raw.includes('"clipboard-')) return undefined;
    try {
      const parsed = clipboardRequest.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  async handle(request: ClipboardRequest, agent: string): Promise<ClipboardReply> {
    const { id } = request;
    if (!this.granted) {
      return {
        type: 'clipboard-refused',
        id,
        reason: 'not-granted',
        message: 'The customer has not granted control.',
      };
    }
    if (!this.adapter) {
      return {
        type: 'clipboard-refused',
        id,
        reason: 'unavailable',
        message: 'This computer offers QuickSupport no clipboard.',
      };
    }
    try {
      if (request.type === 'clipboard-write') {
        await this.adapter.write(request.text);
        this.notify(`${agent} put text in your clipboard (${characters(request.text.length)}).`);
        return { type: 'clipboard-written', id };
      }
      const text = await this.adapter.read();
      const truncated = text.length > CLIPBOARD_MAX_CHARS;
      const sent = truncated ? text.slice(0, CLIPBOARD_MAX_CHARS) : text;
      this.notify(`${agent} read your clipboard (${characters(sent.length)}).`);
      return { type: 'clipboard-text', id, text: sent, truncated };
    } catch (err) {
      const reason = err instanceof ClipboardError ? err.reason : 'failed';
      return { type: 'clipboard-refused', id, reason, message: (err as Error).message.slice(0, 500) };
    }
  }
}

const characters = (n: number) => (n === 1 ? '1 character' : `${n} characters`);

type Spawn = (command: string, args: string[], options: object) => ChildProcess;

/**
 * The X clipboard through xclip (or xsel): an X selection must be served by
 * its owner for as long as it holds it, which these tools do in a process of
 * their own, so a pasted text outlives QuickSupport.
 */
export function commandClipboard(
  display: string,
  spawn: Spawn = nodeSpawn,
  timeoutMs = 5000,
): ClipboardAdapter {
  const env = { ...process.env, DISPLAY: display };
  const tools = [
    {
      read: ['xclip', ['-selection', 'clipboard', '-o']],
      write: ['xclip', ['-selection', 'clipboard', '-i']],
    },
    { read: ['xsel', ['--clipboard', '--output']], write: ['xsel', ['--clipboard', '--input']] },
  ] as const;

  const run = (command: string, args: readonly string[], input?: string) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      // A write's tool stays behind to serve the selection: its output is not waited for.
      const child = spawn(command, [...args], {
        env,
        stdio: [input === undefined ? 'ignore' : 'pipe', input === undefined ? 'pipe' : 'ignore', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout?.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
      });
      child.stderr?.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        // The output that arrived with the exit is read first; a tool left serving the selection
        // keeps the pipes open, which must not keep QuickSupport alive.
        setImmediate(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
          resolve({ code, stdout, stderr });
        });
      });
      if (input !== undefined) child.stdin?.end(input);
    });

  /** The first tool installed, trying the next one when a tool is not there. */
  const withTool = async <T>(use: (tool: (typeof tools)[number]) => Promise<T>): Promise<T> => {
    for (const tool of tools) {
      try {
        return await use(tool);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    throw new ClipboardError(
      'unavailable',
      'The clipboard needs xclip or xsel on this computer (e.g. sudo apt install xclip).',
    );
  };

  return {
    read: () =>
      withTool(async ({ read: [command, args] }) => {
        const r = await run(command, args);
        if (r.code === 0) return r.stdout;
        // An empty clipboard: nobody owns the selection, or it holds no text.
        if (/not available|no selection/i.test(r.stderr)) return '';
        throw new ClipboardError('failed', `The clipboard could not be read: ${r.stderr.trim() || command}`);
      }),
    write: (text) =>
      withTool(async ({ write: [command, args] }) => {
        const r = await run(command, args, text);
        if (r.code !== 0)
          throw new ClipboardError('failed', `The clipboard could not be set: ${r.stderr.trim() || command}`);
      }),
  };
}
