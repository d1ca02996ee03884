import type { Annotation } from '@lifeline/contracts';
import { type RefObject, useEffect, useRef, useState } from 'react';
import { api, isApiError, problemText } from '../../lib/api.js';
import { drawAnnotations } from './AnnotationLayer.js';

/** One chunk every two seconds: a crash of the agent's browser loses at most about that much. */
const TIMESLICE_MS = 2000;
const FPS = 15;
const MAX_WIDTH = 1280;
const ATTEMPTS = 5;

const mediaTypeFor = (audio: boolean) =>
  [audio ? 'video/webm;codecs=vp8,opus' : 'video/webm;codecs=vp8', 'video/webm'].find((t) =>
    MediaRecorder.isTypeSupported(t),
  ) ?? 'video/webm';

/** What the agent sees, as it is now: the marks, and the frozen frame that replaces the video in AR. */
interface Overlay {
  annotations: Annotation[];
  frozen: HTMLImageElement | null;
}

/**
 * Records what the agent sees — the customer's picture with the agent's marks
 * drawn in, and in AR both voices mixed — and uploads it chunk by chunk as
 * it goes (docs/ARCHITECTURE.md, "How a recording is written").
 */
class SessionRecorder {
  private readonly recorder: MediaRecorder;
  private readonly ticker: Worker;
  private uploads: Promise<unknown> = Promise.resolve();
  private seq = 0;
  private stopped = false;
  private failed = false;

  private constructor(
    private readonly code: string,
    private readonly id: string,
    private readonly stream: MediaStream,
    drawFrame: () => void,
    private readonly audio: AudioContext | null,
    mediaType: string,
    private readonly onFailure: (message: string) => void,
  ) {
    this.ticker = new Worker(new URL('./frame-ticker.worker.ts', import.meta.url), { type: 'module' });
    this.ticker.onmessage = drawFrame;
    this.ticker.postMessage(1000 / FPS);
    this.recorder = new MediaRecorder(stream, { mimeType: mediaType, videoBitsPerSecond: 1_500_000 });
    this.recorder.ondataavailable = (e) => {
      if (e.data.size > 0) this.upload(this.seq++, e.data);
    };
    this.recorder.start(TIMESLICE_MS);
  }

  static async start(
    code: string,
    video: HTMLVideoElement,
    overlay: () => Overlay,
    audioTracks: MediaStreamTrack[],
    onFailure: (message: string) => void,
  ): Promise<SessionRecorder> {
    const scale = Math.min(1, MAX_WIDTH / video.videoWidth);
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('This browser cannot draw the recording.');
    // Frames are taken when asked for, not when the canvas changes: a still screen (WebRTC sends few
    // frames of it) must still fill the recording up to its last second, which sets its length.
    const stream = canvas.captureStream(0);
    const [track] = stream.getVideoTracks() as CanvasCaptureMediaStreamTrack[];
    const drawFrame = () => {
      const { annotations, frozen } = overlay();
      const { width: w, height: h } = canvas;
      ctx.fillStyle = '#000';
      ctx.fillRect(0, 0, w, h);
      ctx.drawImage(frozen ?? video, 0, 0, w, h);
      drawAnnotations(ctx, annotations, w, h);
      track?.requestFrame();
    };
    drawFrame();
    let audio: AudioContext | null = null;
    if (audioTracks.length) {
      // Customer and agent in one track: a recording plays back with both voices.
      audio = new AudioContext();
      const mix = audio.createMediaStreamDestination();
      for (const track of audioTracks) audio.createMediaStreamSource(new MediaStream([track])).connect(mix);
      for (const track of mix.stream.getAudioTracks()) stream.addTrack(track);
    }
    const mediaType = mediaTypeFor(audio !== null);
    try {
      const { id } = await api.recordings.start(code, { mediaType });
      return new SessionRecorder(code, id, stream, drawFrame, audio, mediaType, onFailure);
    } catch (err) {
      for (const t of stream.getTracks()) t.stop();
      void audio?.close();
      throw err;
    }
  }

  /**
   * In order, each chunk after the one before; a failed upload is tried again. A refused one (or one that
   * kept failing) ends the recording there: the chunks after it could not be played without it.
   */
  private upload(seq: number, chunk: Blob) {
    this.uploads = this.uploads.then(async () => {
      if (this.failed) return;
      for (let attempt = 1; ; attempt++) {
        try {
          await api.recordings.chunk(this.code, this.id, seq, chunk);
          return;
        } catch (err) {
          const refused = isApiError(err) && err.status >= 400 && err.status < 500;
          if (refused || attempt === ATTEMPTS) {
            this.failed = true;
            this.onFailure(`Recording stopped: ${problemText(err)}`);
            void this.stop();
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
        }
      }
    });
  }

  /** Takes the last chunk, uploads what is left and finishes the recording. */
  async stop() {
    if (this.stopped) return;
    this.stopped = true;
    if (this.recorder.state !== 'inactive') {
      const last = new Promise((resolve) => this.recorder.addEventListener('stop', resolve, { once: true }));
      this.recorder.stop();
      await last;
    }
    this.ticker.terminate();
    for (const t of this.stream.getTracks()) t.stop();
    void this.audio?.close();
    await this.uploads;
    // Unfinished (a chunk was lost, or this fails too), a recording ends with its last stored chunk.
    if (!this.failed) await api.recordings.finish(this.code, this.id).catch(() => {});
  }
}

/**
 * Records while media flows, if the organisation records its sessions: one
 * recording per stretch of live picture. `recording` drives the indicator.
 */
export function useSessionRecording({
  code,
  active,
  video,
  annotations,
  frozen,
  audioTracks,
}: {
  code: string;
  /** The organisation records, and the customer's picture is live. */
  active: boolean;
  video: RefObject<HTMLVideoElement | null>;
  annotations: Annotation[];
  frozen: string | null;
  /** Read when a recording starts: the customer's and the agent's microphones in AR. */
  audioTracks: () => MediaStreamTrack[];
}) {
  const [recording, setRecording] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const overlay = useRef<Overlay>({ annotations, frozen: null });
  overlay.current.annotations = annotations;
  useEffect(() => {
    if (!frozen) {
      overlay.current.frozen = null;
      return;
    }
    const image = new Image();
    image.onload = () => {
      overlay.current.frozen = image;
    };
    image.src = frozen;
  }, [frozen]);
  const tracks = useRef(audioTracks);
  tracks.current = audioTracks;

  useEffect(() => {
    if (!active) return;
    let cancelled = false;
    let recorder: SessionRecorder | undefined;
    const begin = async () => {
      // The picture's size is known once its first frame arrived.
      const el = video.current;
      if (!el || el.videoWidth === 0) {
        if (!cancelled) setTimeout(() => void begin(), 100);
        return;
      }
      try {
        recorder = await SessionRecorder.start(
          code,
          el,
          () => overlay.current,
          tracks.current(),
          (message) => {
            setProblem(message);
            setRecording(false);
          },
        );
      } catch (err) {
        // Recording was turned off since the session began: nothing to record, nothing to report.
        if (!isApiError(err, 409)) setProblem(`Recording did not start: ${problemText(err)}`);
        return;
      }
      if (cancelled) void recorder.stop();
      else {
        setProblem(null);
        setRecording(true);
      }
    };
    void begin();
    return () => {
      cancelled = true;
      setRecording(false);
      void recorder?.stop();
    };
  }, [active, code, video]);

  return { recording, problem };
}
