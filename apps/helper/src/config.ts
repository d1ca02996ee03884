import { z } from 'zod';
import { downloadsDir } from './files.js';

/**
 * The helper's only reader of its command line and environment: one zod
 * schema, and a clear message (exit code 2) for anything it cannot use.
 */

export type PlatformName = 'x11' | 'windows';

const PROGRAM: Record<PlatformName, string> = {
  x11: 'node lifeline-quicksupport.mjs',
  windows: 'LifelineQuickSupport.exe',
};

export function usage(platform: PlatformName = 'x11') {
  const p = PROGRAM[platform];
  return `Lifeline QuickSupport: lets your support agent see and, if you allow it, control this screen.

Usage:
  ${p} <invitation link>           e.g. https://support.example.com/j/AbC…
  ${p} <session code> --server <url>   e.g. s12-345-678 --server https://support.example.com
  ${p} --install-sos <module link>  puts an SOS shortcut on the desktop
${
  platform === 'windows'
    ? `  (downloaded from an invitation, it needs no argument: the download carries its session)
`
    : ''
}
Options:
  --no-browser       ask for consent in this ${platform === 'windows' ? 'window' : 'terminal'} only (no local page in the browser)
  --open-with <cmd>  the program that opens the consent page (default: ${platform === 'windows' ? 'the default browser' : 'xdg-open'})
${platform === 'x11' ? '  --display <name>   the X display to share (default: $DISPLAY)\n' : ''}  --ffmpeg <path>    the ffmpeg program (default: ${platform === 'windows' ? 'the one inside QuickSupport' : 'ffmpeg on the PATH'})
  --downloads <dir>  where files from the agent are saved (default: your Downloads folder)
  --log <file>       also write every message to this file${platform === 'windows' ? ' (default: LifelineQuickSupport.log in %TEMP%)' : ''}
  --help             this text`;
}

export const USAGE = usage('x11');

export class UsageError extends Error {}

const httpUrl = z
  .string()
  .trim()
  .transform((s, ctx) => {
    try {
      const url = new URL(s);
      if (url.protocol === 'http:' || url.protocol === 'https:') return url;
    } catch {}
    ctx.addIssue({ code: 'custom', message: `"${s}" is not an http(s) address` });
    return z.NEVER;
  });

const SESSION_CODE = /^s\d{2}-?\d{3}-?\d{3}$/i;

export type Target =
  | { kind: 'link'; server: URL; token: string }
  | { kind: 'code'; server: URL; code: string };

export type HelperConfig = (
  | { mode: 'help' }
  | { mode: 'install-sos'; sosLink: URL }
  | { mode: 'session'; target: Target }
) & {
  openBrowser: boolean;
  openWith: string;
  display: string | undefined;
  /** Unset: the platform's own (ffmpeg on the PATH, or the one inside the Windows program). */
  ffmpeg: string | undefined;
  log: string | undefined;
  desktopDir: string | undefined;
  /** Where received files go; unset when there is no home folder to find it in. */
  downloadDir: string | undefined;
  home: string | undefined;
};

/** What a downloaded program carries (apps/helper/src/platforms/windows/trailer.ts): its server, and the session if any. */
export interface Embedded {
  server: string;
  link?: string;
}

const argsSchema = z.strictObject({
  positional: z.array(z.string()).max(1, 'give one invitation link or session code'),
  server: httpUrl.optional(),
  installSos: httpUrl.optional(),
  noBrowser: z.boolean(),
  display: z
    .string()
    .regex(/^[\w.-]*:\d+(\.\d+)?$/, 'must look like ":0" or "host:1.0"')
    .optional(),
  ffmpeg: z.string().min(1).optional(),
  log: z.string().min(1).optional(),
  downloads: z.string().min(1).optional(),
  openWith: z.string().min(1).optional(),
  help: z.boolean(),
});

const envSchema = z.object({
  DISPLAY: z.string().optional(),
  XDG_DESKTOP_DIR: z.string().optional(),
  XDG_DOWNLOAD_DIR: z.string().optional(),
  HOME: z.string().optional(),
  USERPROFILE: z.string().optional(),
});

const VALUE_FLAGS = {
  '--server': 'server',
  '--install-sos': 'installSos',
  '--display': 'display',
  '--ffmpeg': 'ffmpeg',
  '--log': 'log',
  '--downloads': 'downloads',
  '--open-with': 'openWith',
} as const;
const BOOLEAN_FLAGS = { '--no-browser': 'noBrowser', '--help': 'help', '-h': 'help' } as const;

function splitArgs(argv: string[]) {
  const raw: Record<string, unknown> = { positional: [], noBrowser: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s) : [arg, undefined];
    if (flag && flag in VALUE_FLAGS) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`${flag} needs a value.`);
      raw[VALUE_FLAGS[flag as keyof typeof VALUE_FLAGS]] = value;
    } else if (flag && flag in BOOLEAN_FLAGS) {
      raw[BOOLEAN_FLAGS[flag as keyof typeof BOOLEAN_FLAGS]] = true;
    } else if (arg.startsWith('-')) {
      throw new UsageError(`Unknown option ${arg}.`);
    } else (raw.positional as string[]).push(arg);
  }
  return raw;
}

/** Names the option an issue is about as it is typed (`--install-sos`), and the positional argument not at all. */
function issuesText(error: z.ZodError) {
  const option = (key: PropertyKey | undefined) =>
    key === undefined || key === 'positional'
      ? ''
      : `--${String(key).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: `;
  return error.issues.map((i) => `${option(i.path[0])}${i.message}`).join('; ');
}

/** Reads an invitation link (`…/j/{token}`) or a session code (with `--server`). */
function parseTarget(value: string, server: URL | undefined): Target {
  if (SESSION_CODE.test(value.trim())) {
    if (!server)
      throw new UsageError('A session code needs --server <address of your support organisation>.');
    const digits = value.trim().replace(/\D/g, '');
    return { kind: 'code', server, code: `s${digits.slice(0, 2)}-${digits.slice(2, 5)}-${digits.slice(5)}` };
  }
  const parsed = httpUrl.safeParse(value);
  const match = parsed.success ? /^(.*)\/j\/([A-Za-z0-9_-]{16,100})\/?$/.exec(parsed.data.pathname) : null;
  if (!parsed.success || !match) {
    throw new UsageError(
      `"${value}" is neither an invitation link (https://…/j/…) nor a session code (s12-345-678). Copy the whole link from your invitation.`,
    );
  }
  const base = new URL(parsed.data);
  base.pathname = `${match[1]}/`;
  base.search = '';
  base.hash = '';
  return { kind: 'link', server: base, token: match[2] as string };
}

export function parseConfig(
  argv: string[],
  env: Record<string, string | undefined>,
  options: { platform?: PlatformName; embedded?: Embedded } = {},
): HelperConfig {
  const platform = options.platform ?? 'x11';
  const args = argsSchema.safeParse(splitArgs(argv));
  if (!args.success) throw new UsageError(issuesText(args.error));
  if (platform === 'windows' && args.data.display)
    throw new UsageError('--display is for X11 desktops; on Windows the whole screen is shared.');
  const e = envSchema.parse(env);
  const a = args.data;
  const home = (platform === 'windows' ? e.USERPROFILE : e.HOME) || undefined;
  const base = {
    openBrowser: !a.noBrowser,
    openWith: a.openWith ?? (platform === 'windows' ? 'rundll32.exe' : 'xdg-open'),
    display: platform === 'windows' ? undefined : (a.display ?? (e.DISPLAY || undefined)),
    ffmpeg: a.ffmpeg,
    log: a.log,
    desktopDir: platform === 'windows' ? undefined : e.XDG_DESKTOP_DIR || undefined,
    downloadDir: downloadsDir(
      a.downloads,
      platform === 'windows' ? undefined : e.XDG_DOWNLOAD_DIR || undefined,
      home,
    ),
    home,
  };
  const embedded = options.embedded;
  if (a.help) return { ...base, mode: 'help' };
  if (a.installSos) {
    if (a.positional.length) throw new UsageError('--install-sos takes the module link only, no session.');
    return { ...base, mode: 'install-sos', sosLink: a.installSos };
  }
  // A downloaded program's own session: nothing to type. A link or code given still wins.
  const value = a.positional[0] ?? embedded?.link;
  if (!value) throw new UsageError('Give your invitation link or session code.');
  const server = a.server ?? (embedded ? httpUrl.safeParse(embedded.server).data : undefined);
  return { ...base, mode: 'session', target: parseTarget(value, server) };
}
