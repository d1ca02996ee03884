import type { Annotation, Point } from '@lifeline/contracts';
import { useEffect, useRef, useState } from 'react';

export type Tool = 'pointer' | 'arrow' | 'draw';

interface Props {
  annotations: Annotation[];
  pointer: Point | null;
  /** Only the agent draws; the customer's layer just shows. */
  tool?: Tool;
  color?: string;
  onAnnotate?: (a: Annotation) => void;
  onPointer?: (p: Point | null) => void;
}

const POINTER_INTERVAL_MS = 33;

function drawArrow(ctx: CanvasRenderingContext2D, from: Point, to: Point, w: number, h: number) {
  const [x1, y1, x2, y2] = [from.x * w, from.y * h, to.x * w, to.y * h];
  const angle = Math.atan2(y2 - y1, x2 - x1);
  const head = Math.max(12, Math.min(w, h) * 0.03);
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(x2, y2);
  ctx.stroke();
  ctx.beginPath();
  ctx.moveTo(x2, y2);
  ctx.lineTo(x2 - head * Math.cos(angle - Math.PI / 6), y2 - head * Math.sin(angle - Math.PI / 6));
  ctx.lineTo(x2 - head * Math.cos(angle + Math.PI / 6), y2 - head * Math.sin(angle + Math.PI / 6));
  ctx.closePath();
  ctx.fill();
}

/** Arrows and freehand marks over a picture of `w`×`h` (the layer here, and a session recording's frames). */
export function drawAnnotations(ctx: CanvasRenderingContext2D, list: Annotation[], w: number, h: number) {
  ctx.lineWidth = Math.max(3, Math.min(w, h) * 0.006);
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  for (const a of list) {
    ctx.strokeStyle = a.color;
    ctx.fillStyle = a.color;
    if (a.kind === 'arrow') drawArrow(ctx, a.from, a.to, w, h);
    else {
      ctx.beginPath();
      for (const [i, p] of a.points.entries()) {
        if (i === 0) ctx.moveTo(p.x * w, p.y * h);
        else ctx.lineTo(p.x * w, p.y * h);
      }
      ctx.stroke();
    }
  }
}

function paint(
  ctx: CanvasRenderingContext2D,
  list: Annotation[],
  pointer: Point | null,
  w: number,
  h: number,
) {
  ctx.clearRect(0, 0, w, h);
  drawAnnotations(ctx, list, w, h);
  if (pointer) {
    ctx.beginPath();
    ctx.fillStyle = 'rgba(250, 82, 82, 0.85)';
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = 2;
    ctx.arc(pointer.x * w, pointer.y * h, 9, 0, Math.PI * 2);
    ctx.fill();
    ctx.stroke();
  }
}

const newId = () => Math.random().toString(36).slice(2, 12);

/**
 * Arrows, freehand marks and the agent's pointer over the shared picture, in
 * coordinates that are fractions of it, so both sides see them in place.
 */
export function AnnotationLayer({
  annotations,
  pointer,
  tool,
  color = '#fa5252',
  onAnnotate,
  onPointer,
}: Props) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [draft, setDraft] = useState<Annotation | null>(null);
  const [size, setSize] = useState({ w: 0, h: 0 });
  const lastPointer = useRef(0);

  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setSize({ w: el.clientWidth, h: el.clientHeight }));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    const el = canvas.current;
    const ctx = el?.getContext('2d');
    if (!el || !ctx) return;
    el.width = size.w;
    el.height = size.h;
    paint(ctx, draft ? [...annotations, draft] : annotations, pointer, size.w, size.h);
  }, [annotations, pointer, draft, size]);

  const at = (e: React.PointerEvent<HTMLCanvasElement>): Point => {
    const r = e.currentTarget.getBoundingClientRect();
    const clamp = (v: number) => Math.min(1, Math.max(0, v));
    return { x: clamp((e.clientX - r.left) / r.width), y: clamp((e.clientY - r.top) / r.height) };
  };

  const interactive = tool !== undefined;
  return (
    <canvas
      ref={canvas}
      data-testid="annotation-layer"
      aria-label={interactive ? `Drawing surface (${tool} tool)` : 'Annotations from your agent'}
      style={{
        position: 'absolute',
        inset: 0,
        width: '100%',
        height: '100%',
        cursor: interactive ? 'crosshair' : 'default',
        pointerEvents: interactive ? 'auto' : 'none',
        touchAction: 'none',
      }}
      onPointerDown={(e) => {
        if (!tool || tool === 'pointer') return;
        e.currentTarget.setPointerCapture(e.pointerId);
        const p = at(e);
        setDraft(
          tool === 'arrow'
            ? { kind: 'arrow', id: newId(), from: p, to: p, color }
            : { kind: 'freehand', id: newId(), points: [p], color },
        );
      }}
      onPointerMove={(e) => {
        const p = at(e);
        if (tool === 'pointer' && onPointer && e.timeStamp - lastPointer.current >= POINTER_INTERVAL_MS) {
          lastPointer.current = e.timeStamp;
          onPointer(p);
        }
        if (!draft) return;
        setDraft(
          draft.kind === 'arrow'
            ? { ...draft, to: p }
            : { ...draft, points: draft.points.length < 2000 ? [...draft.points, p] : draft.points },
        );
      }}
      onPointerUp={() => {
        if (!draft) return;
        const long =
          draft.kind === 'arrow'
            ? Math.hypot(draft.to.x - draft.from.x, draft.to.y - draft.from.y) > 0.01
            : draft.points.length >= 2;
        if (long) onAnnotate?.(draft);
        setDraft(null);
      }}
      onPointerLeave={() => {
        if (tool === 'pointer') onPointer?.(null);
      }}
    />
  );
}
