import type { ScreenCapture } from '../../platform.js';

/**
 * ffmpeg's gdigrab on the whole primary screen. The ffmpeg inside the Windows
 * program is 4.1, older than `-fps_mode` (5.1): `-vsync passthrough` is the
 * same behaviour under its old name.
 */
export function gdigrabCapture(ffmpeg: string, width: number, height: number): ScreenCapture {
  return {
    width,
    height,
    ffmpeg,
    input: (fps, w, h) =>
      [
        ['-f', 'gdigrab', '-draw_mouse', '1', '-framerate', String(fps)],
        ['-offset_x', '0', '-offset_y', '0', '-video_size', `${w}x${h}`, '-i', 'desktop'],
      ].flat(),
    passthrough: ['-vsync', 'passthrough'],
  };
}
