import path from 'node:path';
import type { HelperConfig } from '../../config.js';
import { openWith } from '../../open.js';
import type { Platform } from '../../platform.js';
import { installSos } from '../../sos.js';
import { gdigrabCapture } from './capture.js';
import { win32Clipboard } from './clipboard.js';
import { loadKoffi, Win32Sink } from './input.js';
import { assetDir, extractAsset } from './program.js';

/**
 * Windows: SendInput and the clipboard through Koffi, ffmpeg's gdigrab, the default browser
 * for the consent page, a `.url` SOS shortcut on the desktop.
 */
export function windowsPlatform(
  config: HelperConfig,
  say: (line: string) => void,
  env: Record<string, string | undefined>,
  fetchFn: typeof fetch,
): Platform {
  const dir = assetDir(env);
  return {
    name: 'windows',
    async openDesktop() {
      const koffi = loadKoffi(extractAsset('koffi.node', dir));
      const sink = new Win32Sink(koffi);
      if (sink.width <= 0 || sink.height <= 0) throw new Error('Windows reports no screen to share.');
      const ffmpeg = config.ffmpeg ?? extractAsset('ffmpeg.exe', dir);
      return {
        sink,
        capture: gdigrabCapture(ffmpeg, sink.width, sink.height),
        clipboard: win32Clipboard(koffi),
      };
    },
    // url.dll's handler opens an address in the default browser, whichever it is, without a console window.
    openBrowser: (url) =>
      config.openWith === 'rundll32.exe'
        ? openWith('rundll32.exe', ['url.dll,FileProtocolHandler', url], say)
        : openWith(config.openWith, [url], say),
    installSos: (link) => {
      if (!config.home) throw new Error('Cannot find the desktop: USERPROFILE is not set.');
      return installSos(link, path.join(config.home, 'Desktop'), 'windows', fetchFn);
    },
  };
}
