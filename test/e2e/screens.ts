import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

/** Committed references: each view at 1920×1080, stored at a quarter of the size. */
export const REFERENCES = fileURLToPath(new URL('./screens/', import.meta.url));
/** Where every run writes its screenshots (full size), to look at. */
export const WRITTEN = fileURLToPath(new URL('../../test-results/screens/', import.meta.url));
/** Set to 1 to replace the references with this run's screenshots (a deliberate update). */
export const UPDATE = process.env['SUANLI_UPDATE_SCREENS'] === '1';

const REF_W = 480;
const REF_H = 270;
/** The comparison's grid: coarse, so that live figures, times and text do not count; layout does. */
const GRID_W = 48;
const GRID_H = 27;

/**
 * Decodes and scales PNGs in the browser (a canvas): the PNG scaled to `w`×`h`, as a PNG and as
 * RGB bytes. No image library is needed.
 */
async function scaled(decoder: Page, png: Buffer, w: number, h: number): Promise<{ png: Buffer; rgb: number[] }> {
  const out = await decoder.evaluate(
    async ({ b64, w, h }) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = w;
      canvas.height = h;
      const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(img, 0, 0, w, h);
      const data = ctx.getImageData(0, 0, w, h).data;
      const rgb: number[] = [];
      for (let i = 0; i < data.length; i += 4)
        rgb.push(data[i] as number, data[i + 1] as number, data[i + 2] as number);
      return { png: canvas.toDataURL('image/png').split(',')[1] as string, rgb };
    },
    { b64: png.toString('base64'), w, h },
  );
  return { png: Buffer.from(out.png, 'base64'), rgb: out.rgb };
}

/** Mean of each cell of the grid, from an RGB image of REF_W × REF_H. */
function grid(rgb: readonly number[]): number[] {
  const cw = REF_W / GRID_W;
  const ch = REF_H / GRID_H;
  const out: number[] = [];
  for (let gy = 0; gy < GRID_H; gy++) {
    for (let gx = 0; gx < GRID_W; gx++) {
      const sum = [0, 0, 0];
      for (let y = gy * ch; y < (gy + 1) * ch; y++) {
        for (let x = gx * cw; x < (gx + 1) * cw; x++) {
          for (let c = 0; c < 3; c++) sum[c] = (sum[c] ?? 0) + (rgb[(y * REF_W + x) * 3 + c] ?? 0);
        }
      }
      for (let c = 0; c < 3; c++) out.push((sum[c] ?? 0) / (cw * ch));
    }
  }
  return out;
}

export interface Comparison {
  /** Mean difference over the grid's cells and channels, 0..255. */
  readonly meanDiff: number;
  /** Share of cells whose largest channel differs by more than 48. */
  readonly changedCells: number;
  readonly updated: boolean;
}

/**
 * Writes the screenshot of a view, and compares it with the committed reference on a coarse grid
 * (or, with SUANLI_UPDATE_SCREENS=1, replaces the reference); `decoder` is a blank page that scales images.
 */
export async function compareWithReference(
  decoder: Page,
  name: string,
  png: Buffer,
  reference = name,
): Promise<Comparison> {
  mkdirSync(WRITTEN, { recursive: true });
  writeFileSync(`${WRITTEN}${name}.png`, png);
  {
    const now = await scaled(decoder, png, REF_W, REF_H);
    const refPath = `${REFERENCES}${reference}.png`;
    if ((UPDATE && reference === name) || !existsSync(refPath)) {
      if (!UPDATE) throw new Error(`no reference ${refPath}: run with SUANLI_UPDATE_SCREENS=1 to make it`);
      mkdirSync(REFERENCES, { recursive: true });
      writeFileSync(refPath, now.png);
      return { meanDiff: 0, changedCells: 0, updated: true };
    }
    const ref = await scaled(decoder, readFileSync(refPath), REF_W, REF_H);
    const a = grid(now.rgb);
    const b = grid(ref.rgb);
    let diff = 0;
    let changed = 0;
    for (let i = 0; i < a.length; i += 3) {
      let most = 0;
      for (let c = 0; c < 3; c++) {
        const d = Math.abs((a[i + c] ?? 0) - (b[i + c] ?? 0));
        diff += d;
        most = Math.max(most, d);
      }
      if (most > 48) changed++;
    }
    return { meanDiff: diff / a.length, changedCells: changed / (a.length / 3), updated: false };
  }
}
