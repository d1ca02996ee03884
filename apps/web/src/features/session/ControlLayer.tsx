import type { ControlInput, MouseButton } from '@lifeline/contracts';
import { useEffect, useRef } from 'react';

const BUTTONS: Record<number, MouseButton> = { 0: 'left', 1: 'middle', 2: 'right' };

/** One wheel event of a mouse is about 100 pixels; a touchpad sends many small ones, each still at least a notch. */
const notches = (delta: number) =>
  delta === 0 ? 0 : Math.sign(delta) * Math.min(20, Math.max(1, Math.round(Math.abs(delta) / 100)));

/**
 * Over the customer's picture while the agent has control: the agent's mouse,
 * wheel and keyboard go to the customer's computer as they happen. Positions
 * are fractions of the picture, so they land in place at any size.
 */
export function ControlLayer({ send }: { send: (input: ControlInput) => void }) {
  const surface = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = surface.current;
    if (!el) return;
    el.focus();
    // React's wheel listener is passive; scrolling the page instead of the remote screen would be wrong.
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const dx = notches(e.deltaX);
      const dy = notches(e.deltaY);
      if (dx || dy) send({ type: 'wheel', dx, dy });
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => {
      el.removeEventListener('wheel', onWheel);
      send({ type: 'release-all' });
    };
  }, [send]);

  const at = (e: React.PointerEvent<HTMLDivElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    const clamp = (n: number) => Math.min(1, Math.max(0, n));
    return { x: clamp((e.clientX - box.left) / box.width), y: clamp((e.clientY - box.top) / box.height) };
  };
  const key = (e: React.KeyboardEvent, down: boolean) => {
    // Every key goes to the customer, Tab and shortcuts included, so this page must not act on it as well.
    e.preventDefault();
    send({ type: 'key', code: e.code, key: e.key, down });
  };

  return (
    <div
      ref={surface}
      role="application"
      aria-label="Remote control of the customer's screen"
      // biome-ignore lint/a11y/noNoninteractiveTabindex: it must take the keyboard focus to forward keys
      tabIndex={0}
      data-testid="control-layer"
      style={{ position: 'absolute', inset: 0, outline: 'none', cursor: 'crosshair', touchAction: 'none' }}
      onPointerMove={(e) => send({ type: 'move', ...at(e) })}
      onPointerDown={(e) => {
        e.currentTarget.focus();
        e.currentTarget.setPointerCapture(e.pointerId);
        const button = BUTTONS[e.button];
        if (button) send({ type: 'button', button, down: true, ...at(e) });
      }}
      onPointerUp={(e) => {
        const button = BUTTONS[e.button];
        if (button) send({ type: 'button', button, down: false, ...at(e) });
      }}
      onContextMenu={(e) => e.preventDefault()}
      onKeyDown={(e) => key(e, true)}
      onKeyUp={(e) => key(e, false)}
      onBlur={() => send({ type: 'release-all' })}
    />
  );
}
