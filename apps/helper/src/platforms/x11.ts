import { commandClipboard } from '../clipboard.js';
import type { HelperConfig } from '../config.js';
import { openWith } from '../open.js';
import type { Platform, ScreenCapture } from '../platform.js';
import { desktopDir, installSos } from '../sos.js';
import { X11Sink } from '../x11-input.js';

/** ffmpeg's x11grab on `display`, from its top-left corner. */
export function x11Capture(display: string, width: number, height: number, ffmpeg = 'ffmpeg'): ScreenCapture {
  return {
    width,
    height,
    ffmpeg,
    input: (fps, w, h) =>
      [
        ['-f', 'x11grab', '-draw_mouse', '1', '-framerate', String(fps)],
        ['-video_size', `${w}x${h}`, '-i', `${display}+0,0`],
      ].flat(),
    passthrough: ['-fps_mode', 'passthrough'],
  };
}

/** Linux with an X11 desktop: XTEST input, x11grab capture, xclip, xdg-open, a `.desktop` SOS launcher. */
export function x11Platform(config: HelperConfig, say: (line: string) => void): Platform {
  return {
    name: 'x11',
    async openDesktop() {
      if (!config.display)
        throw new Error('No X display to share: set DISPLAY (e.g. DISPLAY=:0) or pass --display.');
      const sink = await X11Sink.open(config.display);
      return {
        sink,
        capture: x11Capture(config.display, sink.width, sink.height, config.ffmpeg),
        clipboard: commandClipboard(config.display),
      };
    },
    openBrowser: (url) => openWith(config.openWith, [url], say),
    installSos: (link) => installSos(link, desktopDir(config.desktopDir, config.home), 'linux'),
  };
}
