import fs from 'node:fs/promises';
import path from 'node:path';

/** The shortcut's target: the module page, marked as opened from the SOS button. */
export function sosUrl(moduleLink: URL): URL {
  const url = new URL(moduleLink);
  url.searchParams.set('sos', '1');
  return url;
}

/** A freedesktop.org Link entry: file managers and desktops open its URL in the default browser. */
export function desktopEntry(moduleLink: URL): string {
  const desktopValue = (s: string) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return [
    '[Desktop Entry]',
    'Version=1.0',
    'Type=Link',
    `Name=SOS – ${desktopValue(moduleLink.host)} support`,
    'Comment=Ask for remote support',
    'Icon=help-browser',
    `URL=${desktopValue(sosUrl(moduleLink).href)}`,
    '',
  ].join('\n');
}

/** Where the desktop is: $XDG_DESKTOP_DIR, else ~/Desktop. */
export function desktopDir(xdgDesktopDir: string | undefined, home: string | undefined): string {
  if (xdgDesktopDir) return xdgDesktopDir.replace(/^\$HOME(?=\/|$)/, home ?? '$HOME');
  if (!home) throw new Error('Cannot find the desktop: neither XDG_DESKTOP_DIR nor HOME is set.');
  return path.join(home, 'Desktop');
}

/** Writes the SOS shortcut and answers its path. Marked executable, as desktops require for trusted launchers. */
export async function installSos(moduleLink: URL, dir: string): Promise<string> {
  const slug = /\/qs\/([^/]+)\/?$/.exec(moduleLink.pathname)?.[1];
  const name = `lifeline-sos${slug ? `-${slug.replace(/[^A-Za-z0-9_-]/g, '')}` : ''}.desktop`;
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, name);
  await fs.writeFile(file, desktopEntry(moduleLink), { mode: 0o755 });
  await fs.chmod(file, 0o755);
  return file;
}
