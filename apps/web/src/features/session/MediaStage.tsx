import { Box } from '@mantine/core';
import { type ReactNode, useEffect, useRef, useState } from 'react';

interface Props {
  stream: MediaStream | null;
  /** Holds the picture still (AR freeze frame) so marks can be drawn on it precisely. */
  frozen?: boolean;
  muted?: boolean;
  label: string;
  /**
   * `fit` scales the picture into the space (the default); `actual` shows it
   * pixel for pixel (1:1), scrolling when it is larger than the space.
   */
  size?: 'fit' | 'actual';
  /** The height the picture may take (CSS), e.g. the whole screen in full screen. */
  maxHeight?: string;
  children?: ReactNode;
}

export type StageSize = NonNullable<Props['size']>;

/**
 * A video whose box has exactly the picture's proportions, so an overlay of
 * the same box maps fractions to the same spot of the picture on both sides.
 */
export function MediaStage({
  stream,
  frozen = false,
  muted = true,
  label,
  size = 'fit',
  maxHeight = '70vh',
  children,
}: Props) {
  const video = useRef<HTMLVideoElement>(null);
  const still = useRef<HTMLCanvasElement>(null);
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
  }, [stream]);

  useEffect(() => {
    const el = video.current;
    const canvas = still.current;
    if (!frozen || !el || !canvas) return;
    canvas.width = el.videoWidth;
    canvas.height = el.videoHeight;
    canvas.getContext('2d')?.drawImage(el, 0, 0);
  }, [frozen]);

  // 1:1 needs the picture's size; until it is known the picture fits.
  const actual = size === 'actual' && stream !== null ? natural : null;
  const stage = (
    <Box
      pos="relative"
      w={actual ? undefined : '100%'}
      maw={actual ? undefined : `calc(${maxHeight} * ${ratio})`}
      mx="auto"
      bg="dark.8"
      style={{
        ...(actual
          ? { width: actual.width, height: actual.height, flexShrink: 0 }
          : { aspectRatio: String(ratio), borderRadius: 8 }),
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
      <canvas
        ref={still}
        aria-label={frozen ? 'Frozen frame' : undefined}
        style={{
          position: 'absolute',
          inset: 0,
          width: '100%',
          height: '100%',
          display: frozen ? 'block' : 'none',
        }}
      />
      {children}
    </Box>
  );
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
      {stage}
    </Box>
  );
}
