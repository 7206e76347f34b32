// Draws the Teams app icons (manifest/teams/color.png, outline.png) without any image tool: a speech
// bubble, the bot's symbol. Run `npm run icons:teams` after changing a shape or the accent colour.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { encodePng } from './png.ts';

/** The accent colour of the app (also `accentColor` in the manifest). */
export const ACCENT = '#1F5FAD';

type Shape = (x: number, y: number) => boolean;

function roundedRect(x0: number, y0: number, x1: number, y1: number, r: number): Shape {
  return (x, y) => {
    if (x < x0 || x > x1 || y < y0 || y > y1) return false;
    const cx = Math.min(Math.max(x, x0 + r), x1 - r);
    const cy = Math.min(Math.max(y, y0 + r), y1 - r);
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
  };
}

function triangle(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): Shape {
  const side = (px: number, py: number, qx: number, qy: number, x: number, y: number) =>
    (qx - px) * (y - py) - (qy - py) * (x - px);
  return (x, y) => {
    const d1 = side(ax, ay, bx, by, x, y);
    const d2 = side(bx, by, cx, cy, x, y);
    const d3 = side(cx, cy, ax, ay, x, y);
    return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
  };
}

function circle(cx: number, cy: number, r: number): Shape {
  return (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

const union =
  (...shapes: Shape[]): Shape =>
  (x, y) =>
    shapes.some((s) => s(x, y));
const minus =
  (a: Shape, b: Shape): Shape =>
  (x, y) =>
    a(x, y) && !b(x, y);

/** A speech bubble with three dots, in a square of side 1 (scaled to the icon). */
function bubble(stroke: number | null): Shape {
  const body = union(roundedRect(0.2, 0.24, 0.8, 0.66, 0.1), triangle(0.3, 0.6, 0.28, 0.8, 0.46, 0.64));
  const dots = union(circle(0.36, 0.45, 0.045), circle(0.5, 0.45, 0.045), circle(0.64, 0.45, 0.045));
  if (stroke === null) return minus(body, dots);
  const inner = union(
    roundedRect(0.2 + stroke, 0.24 + stroke, 0.8 - stroke, 0.66 - stroke, 0.1 - stroke / 2),
    triangle(0.3 + stroke, 0.62 - stroke, 0.3 + stroke * 0.6, 0.8 - stroke * 2.6, 0.46 - stroke * 1.6, 0.64 - stroke),
  );
  return union(minus(body, inner), dots);
}

/** Paint `shape` (anti-aliased, 4x4 samples a pixel) over a background; colours as [r, g, b, a]. */
function paint(size: number, shape: Shape, ink: number[], background: number[]): Uint8Array {
  const rgba = new Uint8Array(size * size * 4);
  const n = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let hits = 0;
      for (let sy = 0; sy < n; sy++)
        for (let sx = 0; sx < n; sx++) if (shape((x + (sx + 0.5) / n) / size, (y + (sy + 0.5) / n) / size)) hits++;
      const t = hits / (n * n);
      const at = (y * size + x) * 4;
      if (background[3] === 0) {
        // On transparency only the coverage changes, the colour stays pure (Teams wants a white outline).
        rgba.set([ink[0]!, ink[1]!, ink[2]!, Math.round(255 * t)], at);
      } else {
        for (let c = 0; c < 4; c++) rgba[at + c] = Math.round(ink[c]! * t + background[c]! * (1 - t));
      }
    }
  }
  return rgba;
}

function rgb(hex: string): number[] {
  return [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)).concat(255);
}

/** The full-colour icon: 192 x 192, a white bubble on the accent colour. */
export function colorIcon(): Buffer {
  return encodePng(192, 192, paint(192, bubble(null), [255, 255, 255, 255], rgb(ACCENT)));
}

/** The outline icon: 32 x 32, white on transparent, as Teams requires. */
export function outlineIcon(): Buffer {
  return encodePng(32, 32, paint(32, bubble(0.07), [255, 255, 255, 255], [0, 0, 0, 0]));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = new URL('../../manifest/teams/', import.meta.url);
  writeFileSync(new URL('color.png', dir), colorIcon());
  writeFileSync(new URL('outline.png', dir), outlineIcon());
  console.log('wrote manifest/teams/color.png and outline.png');
}
