import fs from 'node:fs/promises';
import path from 'node:path';
import { endpoints, pathOf } from '@lifeline/contracts';

/** The module a link names: `https://host/qs/{slug}`. */
export function moduleOf(link: URL): { origin: string; slug: string } {
  const slug = /^\/qs\/([a-z0-9-]+)\/?$/.exec(link.pathname)?.[1];
  if (!slug) {
    throw new Error(`${link.href} is not a QuickSupport module link; it looks like https://…/qs/<module>.`);
  }
  return { origin: link.origin, slug };
}

/** The desktop's shortcut format: a Linux `.desktop` launcher or a Windows `.url` Internet shortcut. */
export type SosKind = 'linux' | 'windows';
const EXTENSION: Record<SosKind, string> = { linux: '.desktop', windows: '.url' };

/** The file name the server gave, without any path in it. */
function filenameOf(disposition: string | null, slug: string, kind: SosKind) {
  const given = /filename="([^"]+)"/.exec(disposition ?? '')?.[1];
  const safe = given ? path.basename(given).replace(/[^A-Za-z0-9 ._-]/g, '') : '';
  return safe.endsWith(EXTENSION[kind]) ? safe : `lifeline-sos-${slug}${EXTENSION[kind]}`;
}

/**
 * The module's SOS shortcut for this desktop, as the server makes it for the
 * console's download: one format everywhere, and a switched-off or unknown
 * module is refused here instead of leaving a shortcut that leads nowhere.
 */
export async function fetchSosShortcut(
  link: URL,
  kind: SosKind,
  fetchFn: typeof fetch = fetch,
): Promise<{ filename: string; body: string }> {
  const { origin, slug } = moduleOf(link);
  const res = await fetchFn(
    `${origin}${pathOf(endpoints.quickSupport.sosShortcut, { slug, platform: kind })}`,
  ).catch(() => {
    throw new Error(`Cannot reach ${origin}; check the link and your connection.`);
  });
  if (res.status === 404) throw new Error(`There is no QuickSupport module in use at ${link.href}.`);
  if (!res.ok) throw new Error(`${origin} answered ${res.status} for the SOS shortcut; try again later.`);
  return {
    filename: filenameOf(res.headers.get('content-disposition'), slug, kind),
    body: await res.text(),
  };
}

/** Where the desktop is: $XDG_DESKTOP_DIR, else ~/Desktop. */
export function desktopDir(xdgDesktopDir: string | undefined, home: string | undefined): string {
  if (xdgDesktopDir) return xdgDesktopDir.replace(/^\$HOME(?=\/|$)/, home ?? '$HOME');
  if (!home) throw new Error('Cannot find the desktop: neither XDG_DESKTOP_DIR nor HOME is set.');
  return path.join(home, 'Desktop');
}

/** Writes the SOS shortcut and answers its path. Marked executable, as Linux desktops require for trusted launchers. */
export async function installSos(
  link: URL,
  dir: string,
  kind: SosKind,
  fetchFn: typeof fetch = fetch,
): Promise<string> {
  const shortcut = await fetchSosShortcut(link, kind, fetchFn);
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, shortcut.filename);
  await fs.writeFile(file, shortcut.body, { mode: 0o755 });
  await fs.chmod(file, 0o755);
  return file;
}
