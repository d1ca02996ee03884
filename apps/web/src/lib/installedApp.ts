/** Links that the installed console app (its manifest's protocol handler) opens, e.g. `web+lifeline:session/s12-345-678`. */
export const appLink = (code: string) => `web+lifeline:session/${code}`;

/** Where an `/open?target=…` from the protocol handler leads; only our own session pages. */
export function targetPath(target: string | null): string {
  const match = /^web\+lifeline:(?:\/\/)?session\/(s\d{2}-\d{3}-\d{3})$/.exec(target ?? '');
  return match ? `/session/${match[1]}` : '/';
}

/** Browsers that can hand such links to an installed app (Chromium-based ones on desktop). */
export const canOpenInApp = () => typeof navigator !== 'undefined' && 'registerProtocolHandler' in navigator;
