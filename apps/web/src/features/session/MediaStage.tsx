import { FREEZE_FRAME_MAX_CHARS } from '@lifeline/contracts/constants';
import { Box } from '@mantine/core';
import { type ReactNode, type RefObject, useEffect, useRef, useState } from 'react';

interface Props {
  stream: MediaStream | null;
  /** The frozen picture (AR freeze frame, a data URL) shown instead of the video, so marks can be drawn on it precisely. */
  frozen?: string | null;
  muted?: boolean;
  /**
   * Fill the positioned parent (a phone's camera view): the picture is as big
   * as fits, still with its own proportions, so marks stay in place.
   */
  fill?: boolean;
  label: string;
  /** The video element, for a page that takes a frame of it (the agent's "Freeze frame"). */
  videoRef?: RefObject<HTMLVideoElement | null>;
  children?: ReactNode;
}

/** The longer side of a frozen frame: enough to draw precisely, small enough to send. */
const FRAME_MAX_SIDE = 1280;

/**
 * The video's current frame as a JPEG data URL that fits a session message, or
 * null while the video has no picture. Both sides show this one image, so a
 * mark lands on the same picture on both.
 */
export function captureFrame(video: HTMLVideoElement | null): string | null {
  if (!video?.videoWidth || !video.videoHeight) return null;
  let scale = Math.min(1, FRAME_MAX_SIDE / Math.max(video.videoWidth, video.videoHeight));
  const canvas = document.createElement('canvas');
  for (let attempt = 0; attempt < 6; attempt++) {
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    canvas.getContext('2d')?.drawImage(video, 0, 0, canvas.width, canvas.height);
    for (const quality of [0.85, 0.7, 0.55]) {
      const frame = canvas.toDataURL('image/jpeg', quality);
      if (frame.length <= FREEZE_FRAME_MAX_CHARS) return frame;
    }
    scale *= 0.7;
  }
  return null;
}

/**
 * A video whose box has exactly the picture's proportions, so an overlay of
 * the same box maps fractions to the same spot of the picture on both sides.
 */
export function MediaStage({
  stream,
  frozen = null,
  muted = true,
  fill = false,
  label,
  videoRef,
  children,
}: Props) {
  const own = useRef<HTMLVideoElement>(null);
  const video = videoRef ?? own;
  const [ratio, setRatio] = useState(16 / 9);

  useEffect(() => {
    const el = video.current;
    if (!el) return;
    el.srcObject = stream;
    const update = () => el.videoWidth && setRatio(el.videoWidth / el.videoHeight);
    el.addEventListener('loadedmetadata', update);
    el.addEventListener('resize', update);
    return () => {
      el.removeEventListener('loadedmetadata', update);
      el.removeEventListener('resize', update);
    };
  }, [stream, video]);

  const picture = (
    <Box
      pos="relative"
      w={fill ? `min(100cqw, calc(100cqh * ${ratio}))` : '100%'}
      maw={fill ? undefined : `calc(70vh * ${ratio})`}
      mx="auto"
      bg="dark.8"
      data-testid="media-stage"
      style={{ aspectRatio: String(ratio), borderRadius: fill ? 0 : 8, overflow: 'hidden' }}
    >
      <video
        ref={video}
        autoPlay
        playsInline
        muted={muted}
        aria-label={label}
        style={{ width: '100%', height: '100%', display: 'block', visibility: frozen ? 'hidden' : 'visible' }}
      />
      {frozen && (
        <img
          src={frozen}
          alt="Frozen frame"
          // The frozen picture sets the box: marks are fractions of exactly this image.
          onLoad={(e) => {
            const img = e.currentTarget;
            if (img.naturalWidth) setRatio(img.naturalWidth / img.naturalHeight);
          }}
          style={{ position: 'absolute', inset: 0, width: '100%', height: '100%', display: 'block' }}
        />
      )}
      {children}
    </Box>
  );
  if (!fill) return picture;
  // A size container: the picture's width can then depend on the height available.
  return (
    <Box
      pos="absolute"
      style={{
        inset: 0,
        containerType: 'size',
        display: 'flex',
        alignItems: 'center',
        justifyContent: 'center',
      }}
    >
      {picture}
    </Box>
  );
}
