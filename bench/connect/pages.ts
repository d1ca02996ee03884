import http from 'node:http';
import type { AddressInfo } from 'node:net';

// Page-side code is plain JavaScript: the benchmark's own type-check has no DOM.

/** Notes when the "Allow" button is clicked, before any handler of the page runs. */
export const MARK_ALLOW = `(() => {
  window.__allowAt = null;
  document.addEventListener('click', (e) => {
    const button = e.target instanceof Element ? e.target.closest('button') : null;
    if (button && button.textContent.trim() === 'Allow') window.__allowAt = Date.now();
  }, true);
})()`;

/** Notes when the first frame of the video is decoded and presented (or, failing that, counted). */
export const watchFirstFrame = (selector: string) => `(() => {
  window.__firstFrame = null;
  const video = document.querySelector(${JSON.stringify(selector)});
  if (!video) throw new Error('no video ' + ${JSON.stringify(selector)});
  const done = (how) => { if (!window.__firstFrame) window.__firstFrame = { at: Date.now(), how }; };
  video.requestVideoFrameCallback(() => done('requestVideoFrameCallback'));
  const poll = () => {
    if (window.__firstFrame) return;
    if (video.getVideoPlaybackQuality().totalVideoFrames > 0 || video.videoWidth > 0) done('poll');
    else setTimeout(poll, 2);
  };
  poll();
})()`;

/**
 * The baseline: the same capture and the same first decoded frame with
 * nothing in between — two RTCPeerConnections in one page, offer and answer
 * handed over directly, no server, no framework.
 */
export const BARE_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>Bare WebRTC</title></head>
<body>
<button id="allow">Allow</button>
<video id="remote" autoplay playsinline muted style="width: 640px"></video>
<script>
document.getElementById('allow').addEventListener('click', async () => {
  const media = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15 } }, audio: false });
  const sender = new RTCPeerConnection({ iceServers: [] });
  const receiver = new RTCPeerConnection({ iceServers: [] });
  sender.onicecandidate = (e) => { if (e.candidate) receiver.addIceCandidate(e.candidate); };
  receiver.onicecandidate = (e) => { if (e.candidate) sender.addIceCandidate(e.candidate); };
  receiver.ontrack = (e) => {
    document.getElementById('remote').srcObject = e.streams[0] || new MediaStream([e.track]);
  };
  for (const track of media.getTracks()) sender.addTrack(track, media);
  await sender.setLocalDescription();
  await receiver.setRemoteDescription(sender.localDescription);
  await receiver.setLocalDescription();
  await sender.setRemoteDescription(receiver.localDescription);
});
</script>
</body></html>`;

export async function serveBarePage(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(BARE_PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/bare`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
