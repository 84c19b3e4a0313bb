// Which bytes to show for an image: a variant preset with a srcset when the API offers them, else the original.
import { thumbHashToRGBA } from 'thumbhash';
import type { Image } from './api-types';
import { resolve } from './api';

export interface ImageSource {
  readonly src: string;
  /** `url 256w, url 640w…` when the widths are known; empty otherwise. */
  readonly srcset: string;
}

/**
 * The first preset that exists among `preferred` as `src`, and every preset with a known width in `srcset`,
 * so the browser picks the smallest that fills the slot. Without variants, the original.
 */
export function sourceOf(image: Image, preferred: readonly string[]): ImageSource {
  const variants = image.links.variants ?? {};
  const name = preferred.find((preset) => variants[preset]);
  if (!name) return { src: resolve(image.links.content), srcset: '' };
  const widths = Object.fromEntries(Object.entries(image.variants ?? {}).map(([preset, size]) => [preset, size.width]));
  const srcset = Object.entries(variants)
    .filter(([preset]) => Number.isFinite(widths[preset]))
    .sort(([a], [b]) => (widths[a] ?? 0) - (widths[b] ?? 0))
    .map(([preset, url]) => `${resolve(url)} ${widths[preset]}w`)
    .join(', ');
  return { src: resolve(variants[name] ?? image.links.content), srcset };
}

/** A ThumbHash (standard or URL-safe base64) as bytes, or null when it is not one. */
function thumbHashBytes(placeholder: string): Uint8Array | null {
  try {
    const binary = atob(placeholder.replace(/-/g, '+').replace(/_/g, '/'));
    return Uint8Array.from(binary, (char) => char.charCodeAt(0));
  } catch {
    return null;
  }
}

/**
 * Paints the blurred preview into a canvas: no data: or blob: URL is needed, so the page's CSP keeps img-src to
 * the API's own origin. The canvas is tiny (≤32 px) and CSS stretches and smooths it.
 */
export function paintPlaceholder(canvas: HTMLCanvasElement, placeholder: string | null | undefined): boolean {
  const bytes = placeholder ? thumbHashBytes(placeholder) : null;
  if (!bytes || bytes.length < 5) return false;
  try {
    const { w, h, rgba } = thumbHashToRGBA(bytes);
    canvas.width = w;
    canvas.height = h;
    const context = canvas.getContext('2d');
    if (!context) return false;
    context.putImageData(new ImageData(new Uint8ClampedArray(rgba), w, h), 0, 0);
    return true;
  } catch {
    return false;
  }
}
