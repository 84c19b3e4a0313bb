// Images for the gallery test: colourful SVG scenes rasterised by sharp (so screenshots show something), and a
// noisy PNG that stays large after compression, so an upload takes long enough under throttling to watch.
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';

/** A small landscape-like picture in a hue of its own. */
export function makeScene(index: number, width = 480, height = 360): Promise<Buffer> {
  const hue = (index * 47) % 360;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="hsl(${hue},70%,62%)"/><stop offset="1" stop-color="hsl(${(hue + 40) % 360},75%,85%)"/>
    </linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#sky)"/>
    <circle cx="${width * (0.2 + ((index * 13) % 60) / 100)}" cy="${height * 0.3}" r="${height * 0.12}" fill="hsl(${(hue + 180) % 360},90%,92%)"/>
    <path d="M0 ${height * 0.75} L${width * 0.3} ${height * 0.45} L${width * 0.55} ${height * 0.7} L${width * 0.8} ${height * 0.5} L${width} ${height * 0.72} V${height} H0Z" fill="hsl(${(hue + 200) % 360},35%,30%)"/>
    <path d="M0 ${height * 0.88} Q${width * 0.5} ${height * 0.7} ${width} ${height * 0.9} V${height} H0Z" fill="hsl(${(hue + 220) % 360},30%,18%)"/>
  </svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** Random pixels compress badly: about width × height × 3 bytes of PNG. */
export function makeNoisyPng(width: number, height: number): Promise<Buffer> {
  return sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
}
