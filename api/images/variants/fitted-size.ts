/**
 * The size of a variant of a `width`×`height` image fitted inside a `box`×`box` square and never enlarged,
 * computed as sharp's `fit: 'inside'` does, so clients can write `srcset` and reserve space before any request.
 */
export function fittedSize(width: number, height: number, box: number): { width: number; height: number } {
  if (width <= box && height <= box) return { width, height };
  if (width >= height) return { width: box, height: Math.max(1, Math.round(height / (width / box))) };
  return { width: Math.max(1, Math.round(width / (height / box))), height: box };
}
