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
  /**
   * `fit` scales the picture into the space (the default); `actual` shows it
   * pixel for pixel (1:1), scrolling when it is larger than the space.
   */
  size?: 'fit' | 'actual';
  /** The height the picture may take (CSS), e.g. the whole screen in full screen. */
  maxHeight?: string;
  /** The video element, for a page that takes a frame of it (the agent's "Freeze frame"). */
  videoRef?: RefObject<HTMLVideoElement | null>;
  children?: ReactNode;
}

export type StageSize = NonNullable<Props['size']>;

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
  size = 'fit',
  maxHeight = '70vh',
  videoRef,
  children,
}: Props) {
  const own = useRef<HTMLVideoElement>(null);
  const video = videoRef ?? own;
  const [ratio, setRatio] = useState(16 / 9);
  /** The picture's own pixels, for 1:1. */
  const [natural, setNatural] = useState<{ width: number; height: number } | null>(null);

  useEffect(() => {
    const el = video.current;
    if (!el) return;
    el.srcObject = stream;
    const update = () => {
      if (!el.videoWidth) return;
      setRatio(el.videoWidth / el.videoHeight);
      setNatural({ width: el.videoWidth, height: el.videoHeight });
    };
    el.addEventListener('loadedmetadata', update);
    el.addEventListener('resize', update);
    return () => {
      el.removeEventListener('loadedmetadata', update);
      el.removeEventListener('resize', update);
    };
  }, [stream, video]);

  // 1:1 needs the picture's size; until it is known the picture fits.
  const actual = !fill && size === 'actual' && stream !== null ? natural : null;
  const picture = (
    <Box
      pos="relative"
      w={actual ? undefined : fill ? `min(100cqw, calc(100cqh * ${ratio}))` : '100%'}
      maw={actual || fill ? undefined : `calc(${maxHeight} * ${ratio})`}
      mx="auto"
      bg="dark.8"
      data-testid="media-stage"
      style={{
        ...(actual
          ? { width: actual.width, height: actual.height, flexShrink: 0 }
          : { aspectRatio: String(ratio), borderRadius: fill ? 0 : 8 }),
        overflow: 'hidden',
      }}
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
  if (!fill) {
    // The same tree either way: a new video element would lose its stream.
    return (
      <Box
        role={actual ? 'region' : undefined}
        aria-label={actual ? `${label} at actual size` : undefined}
        // A scrolled region must be reachable to scroll it with the keyboard.
        tabIndex={actual ? 0 : undefined}
        bg={actual ? 'dark.8' : undefined}
        style={actual ? { overflow: 'auto', maxHeight, borderRadius: 8 } : undefined}
      >
        {picture}
      </Box>
    );
  }
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
