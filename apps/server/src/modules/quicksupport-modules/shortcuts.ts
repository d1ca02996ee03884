import type { SosPlatform } from '@lifeline/contracts';

export interface ShortcutFile {
  filename: string;
  contentType: string;
  body: string;
}

const xmlEscape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Desktop entry values may not hold line breaks; Exec arguments also escape `"`, `` ` ``, `$`, `\` and `%`. */
const desktopValue = (s: string) => s.replace(/[\r\n]+/g, ' ');
const execArgument = (s: string) => `"${s.replace(/["`$\\]/g, '\\$&').replace(/%/g, '%%')}"`;

/** A file name every system accepts: the module title without path or reserved characters. */
function fileTitle(title: string) {
  const cleaned = title
    .replace(/[^\p{L}\p{N} ._-]/gu, '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 60);
  return cleaned || 'Lifeline';
}

/**
 * The SOS button of a module: a desktop shortcut that opens the module's page
 * marked as SOS, in the format each desktop understands.
 */
export function sosShortcut(platform: SosPlatform, title: string, url: string): ShortcutFile {
  const name = `${fileTitle(title)} SOS`;
  switch (platform) {
    case 'windows':
      return {
        filename: `${name}.url`,
        contentType: 'application/internet-shortcut',
        body: `[InternetShortcut]\r\nURL=${url}\r\n`,
      };
    case 'macos':
      return {
        filename: `${name}.webloc`,
        contentType: 'application/x-apple-plist',
        body: [
          '<?xml version="1.0" encoding="UTF-8"?>',
          '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
          '<plist version="1.0">',
          '<dict>',
          '  <key>URL</key>',
          `  <string>${xmlEscape(url)}</string>`,
          '</dict>',
          '</plist>',
          '',
        ].join('\n'),
      };
    case 'linux':
      // Type=Application with xdg-open rather than Type=Link: GNOME's desktop does not open Link entries.
      return {
        filename: `${name.replace(/ /g, '-')}.desktop`,
        contentType: 'application/x-desktop',
        body: [
          '[Desktop Entry]',
          'Version=1.0',
          'Type=Application',
          `Name=${desktopValue(`${title} SOS`)}`,
          `Comment=${desktopValue(`Ask ${title} for help`)}`,
          `Exec=xdg-open ${execArgument(url)}`,
          'Icon=help-browser',
          'Terminal=false',
          'Categories=Network;RemoteAccess;',
          '',
        ].join('\n'),
      };
  }
}
