import { Box } from '@mantine/core';
import { type ReactNode, useEffect, useRef, useState } from 'react';

interface Props {
  stream: MediaStream | null;
  /** Holds the picture still (AR freeze frame) so marks can be drawn on it precisely. */
  frozen?: boolean;
  muted?: boolean;
  /**
   * Fill the positioned parent (a phone's camera view): the picture is as big
   * as fits, still with its own proportions, so marks stay in place.
   */
  fill?: boolean;
  label: string;
  children?: ReactNode;
}

/**
 * A video whose box has exactly the picture's proportions, so an overlay of
 * the same box maps fractions to the same spot of the picture on both sides.
 */
export function MediaStage({ stream, frozen = false, muted = true, fill = false, label, children }: Props) {
  const video = useRef<HTMLVideoElement>(null);
  const still = useRef<HTMLCanvasElement>(null);
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
  }, [stream]);

  useEffect(() => {
    const el = video.current;
    const canvas = still.current;
    if (!frozen || !el || !canvas) return;
    canvas.width = el.videoWidth;
    canvas.height = el.videoHeight;
    canvas.getContext('2d')?.drawImage(el, 0, 0);
  }, [frozen]);

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
