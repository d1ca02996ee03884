/**
 * The bit rate a video sender starts at, in kbit/s. Chromium starts at 300 kbit/s and lets its estimate
 * climb from there, so the first picture of a screen is a small key frame paced out slowly; at
 * 1 Mbit/s (Jitsi starts at 800 kbit/s) it arrives sooner and sharper, and on a slower uplink the
 * bandwidth estimator comes down from it within moments.
 */
export const START_KBPS = 1000;

const VIDEO_CODECS = new Set(['VP8', 'VP9', 'AV1', 'H264']);

/**
 * The answer to apply, with the start bit rate on each video codec (`x-google-start-bitrate`, read by
 * Chromium's sender from the remote description and ignored by other browsers).
 */
export function withStartBitrate(sdp: string, kbps = START_KBPS): string {
  const lines = sdp.split('\r\n');
  const param = `x-google-start-bitrate=${kbps}`;
  let video = false;
  const codecs = new Set<string>();
  for (const line of lines) {
    if (line.startsWith('m=')) video = line.startsWith('m=video ');
    const rtpmap = video ? /^a=rtpmap:(\d+) ([^/]+)\//.exec(line) : null;
    if (rtpmap?.[1] && rtpmap[2] && VIDEO_CODECS.has(rtpmap[2].toUpperCase())) codecs.add(rtpmap[1]);
  }
  const withFmtp = new Set<string>();
  const out: string[] = [];
  video = false;
  for (const line of lines) {
    if (line.startsWith('m=')) video = line.startsWith('m=video ');
    const fmtp = video ? /^a=fmtp:(\d+) (.*)$/.exec(line) : null;
    if (fmtp?.[1] && codecs.has(fmtp[1])) {
      withFmtp.add(fmtp[1]);
      out.push(fmtp[2]?.includes('x-google-start-bitrate=') ? line : `${line};${param}`);
    } else out.push(line);
  }
  // A codec without parameters (VP8 usually) gets a line of its own after its rtpmap.
  video = false;
  return out
    .flatMap((line) => {
      if (line.startsWith('m=')) video = line.startsWith('m=video ');
      const pt = video ? /^a=rtpmap:(\d+) /.exec(line)?.[1] : undefined;
      return pt && codecs.has(pt) && !withFmtp.has(pt) ? [line, `a=fmtp:${pt} ${param}`] : [line];
    })
    .join('\r\n');
}
