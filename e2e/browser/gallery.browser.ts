// The web gallery at / as a person uses it, in Debian's Chromium: upload by file picker and by drop, watch the
// progress, browse page by page, inspect, download, copy a link, delete, a hostile file name, and the API-key
// prompt. Axe checks each view; screenshots land in the folder printed at the end (a CI artifact).
import { readFileSync, mkdirSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { PutBucketCorsCommand, S3Client } from '@aws-sdk/client-s3';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseUrl, deleteQuietly, maxUploadBytes, rawFetch, sha256, uploadOk, type ImageMetadata } from '../support/api';
import { text } from '../support/images';
import sharp from 'sharp';
import { rgbaToThumbHash } from 'thumbhash';
import { launchChromium } from './chromium';
import { makeNoisyPng, makeScene } from './gallery-fixtures';

/** The gallery's page size (web/src/gallery-app.ts PAGE_SIZE). */
const PAGE_SIZE = 24;
const target = `${process.env.E2E_TARGET === 'lambda' ? 'lambda' : 'node'}-${process.env.E2E_STORAGE ?? 'disk'}`;
const SCREENSHOTS = path.join(import.meta.dirname, '..', 'artifacts', 'gallery', target);
const DESKTOP = { width: 1280, height: 860 };
const PHONE = { width: 390, height: 844 };
const HOSTILE_NAME = '"><img src=x onerror=alert(1)>.png';
const galleryUrl = `${baseUrl}/`;

/** Every image the API lists, all pages. */
async function listedImages(): Promise<ImageMetadata[]> {
  const images: ImageMetadata[] = [];
  let cursor: string | null = null;
  do {
    const query = cursor ? `?limit=100&cursor=${encodeURIComponent(cursor)}` : '?limit=100';
    const body = (await rawFetch(`/images${query}`)).json<{ items: ImageMetadata[]; nextCursor: string | null }>();
    images.push(...body.items);
    cursor = body.nextCursor;
  } while (cursor);
  return images;
}

const card = (page: Page, id: string) => page.locator(`li.card[data-id="${id}"]`);

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), animations: 'disabled' });
}

/** Scrolls until the listing has no further page, the way a person reaches the end; each scroll must load one. */
async function scrollToEnd(page: Page): Promise<void> {
  const more = page.locator('.more');
  await page.waitForFunction(() => document.querySelector<HTMLElement>('.more')?.dataset.state !== 'loading');
  for (let round = 0; round < 50; round++) {
    if ((await more.getAttribute('data-state')) === 'end') return;
    const shown = await page.locator('li.card').count();
    await more.scrollIntoViewIfNeeded();
    await page.waitForFunction(
      (before) =>
        document.querySelector<HTMLElement>('.more')?.dataset.state !== 'loading' &&
        (document.querySelectorAll('li.card').length > before ||
          document.querySelector<HTMLElement>('.more')?.dataset.state === 'end'),
      shown,
      { timeout: 15_000 },
    );
  }
  throw new Error('the gallery kept loading pages');
}

async function seriousViolations(page: Page, include: string): Promise<string[]> {
  const results = await new AxeBuilder({ page }).include(include).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((n) => n.target).join(' | ')})`);
}

/** Every request the page makes, every CSP violation it reports, every JS dialog and error. */
function watch(page: Page) {
  const seen = { requests: [] as string[], dialogs: [] as string[], errors: [] as string[] };
  page.on('request', (request) => seen.requests.push(request.url()));
  page.on('dialog', (dialog) => {
    seen.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => seen.errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) seen.errors.push(message.text());
  });
  return seen;
}

async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []);
}

async function newGalleryContext(
  browser: Browser,
  viewport: { width: number; height: number },
  colorScheme: 'light' | 'dark' = 'light',
) {
  const context = await browser.newContext({
    viewport,
    acceptDownloads: true,
    isMobile: viewport.width < 500,
    hasTouch: viewport.width < 500,
    colorScheme,
  });
  await context.addInitScript(() => {
    const violations: string[] = [];
    (window as unknown as { __csp: string[] }).__csp = violations;
    document.addEventListener('securitypolicyviolation', (event) =>
      violations.push(`${event.violatedDirective} ${event.blockedURI}`),
    );
  });
  return context;
}

/** Slows the browser's uploads so progress is visible (Chromium's own network emulation). */
async function throttleUploads(
  context: BrowserContext,
  page: Page,
  bytesPerSecond: number,
): Promise<() => Promise<void>> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const set = (uploadThroughput: number) =>
    cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput,
    });
  await set(bytesPerSecond);
  return async () => {
    await set(-1);
    await cdp.detach();
  };
}

/** Records every value the progress bars take, from the page itself. */
async function recordProgress(page: Page): Promise<void> {
  await page.evaluate(() => {
    const values: Array<{ name: string; value: number }> = [];
    (window as unknown as { __progress: typeof values }).__progress = values;
    new MutationObserver((mutations) => {
      for (const mutation of mutations) {
        const target = mutation.target as HTMLProgressElement;
        if (target instanceof HTMLProgressElement) {
          values.push({ name: target.getAttribute('aria-label') ?? '', value: target.value });
        }
      }
    }).observe(document.body, { attributes: true, attributeFilter: ['value'], subtree: true });
  });
}

const progressOf = (page: Page, name: string) =>
  page.evaluate(
    (label) =>
      (window as unknown as { __progress: Array<{ name: string; value: number }> }).__progress
        .filter((entry) => entry.name === label)
        .map((entry) => entry.value),
    `Upload of ${name}`,
  );

/** Drops files on the page as a person dragging them from the desktop would (a synthetic DataTransfer). */
async function dropFiles(page: Page, files: Array<{ name: string; type: string; bytes: Buffer }>): Promise<void> {
  const payload = files.map((file) => ({ ...file, bytes: file.bytes.toString('base64') }));
  await page.evaluate((items) => {
    const transfer = new DataTransfer();
    for (const item of items) {
      const bytes = Uint8Array.from(atob(item.bytes), (char) => char.charCodeAt(0));
      transfer.items.add(new File([bytes], item.name, { type: item.type }));
    }
    const target = document.querySelector('main') ?? document.body;
    for (const type of ['dragenter', 'dragover', 'drop']) {
      target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
    }
  }, payload);
}

describe('Web gallery', () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let seen: ReturnType<typeof watch>;
  const created = new Set<string>();
  const seeded: ImageMetadata[] = [];
  let uploaded: ImageMetadata[] = [];

  beforeAll(async () => {
    // More than one page of images, so the gallery has to fetch a second one.
    for (let i = 0; i < PAGE_SIZE + 2; i++) {
      const image = await uploadOk(await makeScene(i), `scene-${String(i + 1).padStart(2, '0')}.png`, 'image/png');
      seeded.push(image);
      created.add(image.id);
    }
    browser = await launchChromium();
    context = await newGalleryContext(browser, DESKTOP);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(baseUrl).origin });
    page = await context.newPage();
    seen = watch(page);
  });

  afterAll(async () => {
    await browser?.close();
    for (const id of created) await deleteQuietly(id);
    process.stderr.write(`[gallery] screenshots: ${SCREENSHOTS}\n`);
  });

  it('says how to add the first image when the store is empty', async () => {
    const empty = await context.newPage();
    // Only this page sees an empty listing; the store itself is shared with other tests.
    await empty.route(/\/images\?/, (route) =>
      route.fulfill({ status: 200, contentType: 'application/json', body: '{"items":[],"nextCursor":null}' }),
    );
    await empty.goto(galleryUrl);
    await expect.poll(() => empty.getByText('No images yet').count()).toBe(1);
    expect(await empty.locator('.empty').innerText()).toMatch(/Drop images .*Upload images/s);
    await empty.close();
  });

  it('shows the first page of the grid, and a policy that loads nothing from elsewhere', async () => {
    // Without the trailing slash: under a stage, `/local` and `/local/` must both work.
    await page.goto(baseUrl);
    await page
      .locator('li.card')
      .nth(PAGE_SIZE - 1)
      .waitFor();
    expect(await page.locator('li.card').count()).toBe(PAGE_SIZE);
    const first = page.locator('li.card img').first();
    expect(await first.getAttribute('loading')).toBe('lazy');
    const csp = (await page.request.get(galleryUrl)).headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(await seriousViolations(page, '.gallery')).toEqual([]);
    await screenshot(page, 'grid-desktop');
  });

  it('uploads by the file picker and by a drop, with progress, a thumbnail per image and the error for a non-image', async () => {
    await recordProgress(page);
    const big = await makeNoisyPng(440, 440); // ~580 KB: a few seconds at the throttled rate
    const picked = [
      { name: 'picked-1.png', mimeType: 'image/png', buffer: await makeScene(101) },
      { name: 'picked-2-large.png', mimeType: 'image/png', buffer: big },
      { name: 'notes.txt', mimeType: 'text/plain', buffer: text },
    ];
    const restore = await throttleUploads(context, page, 160 * 1024);
    await page.locator('#file-input').setInputFiles(picked);
    await dropFiles(page, [{ name: 'dropped.png', type: 'image/png', bytes: await makeScene(202) }]);

    const large = page.locator('.upload', { hasText: 'picked-2-large.png' });
    await expect
      .poll(async () => Number(await large.locator('progress').getAttribute('value')), { timeout: 20_000 })
      .toBeGreaterThan(10);
    expect(await large.getAttribute('data-state')).toBe('uploading');
    await screenshot(page, 'upload-desktop');
    expect(await seriousViolations(page, '.uploads')).toEqual([]);

    await page.locator('.upload[data-state="done"]').nth(2).waitFor({ timeout: 60_000 });
    await restore();
    await page.locator('.upload[data-state="failed"]').waitFor();
    expect(await page.locator('.upload[data-state="done"] img').count()).toBe(3);
    const failed = page.locator('.upload[data-state="failed"]');
    expect(await failed.locator('.upload-name').innerText()).toBe('notes.txt');
    expect(await failed.locator('.upload-detail').innerText()).toMatch(/Only image\/jpeg/);
    expect(await failed.getByRole('button', { name: /Retry/ }).count()).toBe(1);

    // Bytes-sent progress: several values between nothing and everything, for the file big enough to show them.
    const values = await progressOf(page, 'picked-2-large.png');
    const between = new Set(values.filter((value) => value > 0 && value < 100));
    expect(between.size, `progress values ${values.join(',')}`).toBeGreaterThanOrEqual(2);
    expect(values.at(-1)).toBe(100);
    await expect.poll(() => page.locator('#live-status').innerText()).toMatch(/Uploads finished: 3 uploaded, 1 failed/);

    uploaded = (await listedImages()).filter((image) =>
      ['picked-1.png', 'picked-2-large.png', 'dropped.png'].includes(image.originalName ?? ''),
    );
    expect(uploaded.map((image) => image.originalName).sort()).toEqual([
      'dropped.png',
      'picked-1.png',
      'picked-2-large.png',
    ]);
    uploaded.forEach((image) => created.add(image.id));
  });

  it('after a reload, loads the next page on scroll and shows the same three', async () => {
    await page.reload();
    await page
      .locator('li.card')
      .nth(PAGE_SIZE - 1)
      .waitFor();
    expect(await page.locator('li.card').count()).toBe(PAGE_SIZE);
    await scrollToEnd(page);
    expect(await page.locator('li.card').count()).toBeGreaterThan(PAGE_SIZE);
    for (const image of [...seeded, ...uploaded]) {
      expect(await card(page, image.id).count(), image.originalName ?? image.id).toBe(1);
    }
    expect(await card(page, uploaded[0]!.id).locator('img').getAttribute('alt')).toBe(uploaded[0]!.originalName);
  });

  it('shows the details, downloads the original byte for byte and copies its link', async () => {
    const image = uploaded.find((item) => item.originalName === 'picked-1.png')!;
    await card(page, image.id).getByRole('button').click();
    const dialog = page.getByRole('dialog', { name: 'picked-1.png' });
    await dialog.waitFor();
    const facts = await dialog.locator('.facts').innerText();
    expect(facts).toContain(`${image.width} × ${image.height} px`);
    expect(facts).toContain(image.contentType);
    expect(facts).toContain(image.sha256);
    expect(await dialog.locator('.original-name').innerText()).toBe('picked-1.png');
    await dialog.locator('img').evaluate((img: HTMLImageElement) => img.decode());
    expect(await seriousViolations(page, '.detail')).toEqual([]);
    await screenshot(page, 'detail-desktop');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      dialog.getByRole('link', { name: 'Download original' }).click(),
    ]);
    const downloaded = readFileSync((await download.path())!);
    const original = await rawFetch(`/images/${image.id}/content`);
    expect(sha256(downloaded)).toBe(image.sha256);
    expect(Buffer.compare(downloaded, original.body)).toBe(0);

    await dialog.getByRole('button', { name: 'Copy link' }).click();
    await dialog.getByText('Link copied.').waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(new URL(image.links.content, galleryUrl).href);
  });

  it('deletes from the detail view after a confirmation, and the grid updates without a reload', async () => {
    const image = uploaded.find((item) => item.originalName === 'picked-1.png')!;
    const dialog = page.getByRole('dialog', { name: 'picked-1.png' });
    await dialog.getByRole('button', { name: 'Delete…' }).click();
    const confirm = page.getByRole('alertdialog');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    expect(await card(page, image.id).count()).toBe(1);

    await dialog.getByRole('button', { name: 'Delete…' }).click();
    await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect.poll(() => card(page, image.id).count()).toBe(0);
    expect(await dialog.isVisible()).toBe(false);
    expect((await rawFetch(`/images/${image.id}`)).status).toBe(404);
  });

  it('deletes a multi-selection after a confirmation', async () => {
    const [a, b] = seeded;
    await card(page, a!.id).getByRole('checkbox').check();
    await card(page, b!.id).getByRole('checkbox').check();
    await page.getByText('2 images selected').waitFor();
    await page.getByRole('button', { name: 'Delete selected' }).click();
    await page
      .getByRole('alertdialog', { name: 'Delete 2 images?' })
      .getByRole('button', { name: 'Delete', exact: true })
      .click();
    await expect.poll(() => card(page, a!.id).count()).toBe(0);
    expect(await card(page, b!.id).count()).toBe(0);
    for (const image of [a!, b!]) expect((await rawFetch(`/images/${image.id}`)).status).toBe(404);
    expect(await page.getByText('images selected').count()).toBe(0);
  });

  it('is usable with the keyboard alone: open an image, close it, and land back where one was', async () => {
    const first = page.locator('li.card').first();
    await first.getByRole('button').focus();
    await page.keyboard.press('Enter');
    const dialog = page.locator('dialog.detail');
    await expect.poll(() => dialog.evaluate((element: HTMLDialogElement) => element.open)).toBe(true);
    // Focus moves into the modal dialog, so Tab cannot wander off behind it.
    expect(await page.evaluate(() => document.activeElement?.closest('dialog')?.className)).toMatch(/detail/);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.evaluate((element: HTMLDialogElement) => element.open)).toBe(false);
    expect(await first.getByRole('button').evaluate((button) => button === document.activeElement)).toBe(true);

    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toMatch(/^Select /);
    await page.keyboard.press('Space');
    await page.getByText('1 image selected').waitFor();
    await page.keyboard.press('Space');
    await expect.poll(() => page.getByText('image selected').count()).toBe(0);
  });

  it('shows a hostile original name as text and runs nothing', async () => {
    const hostile = await uploadOk(await makeScene(7), HOSTILE_NAME, 'image/png');
    created.add(hostile.id);
    await page.reload();
    await scrollToEnd(page);
    const item = card(page, hostile.id);
    expect(await item.locator('.card-caption').innerText()).toBe(hostile.originalName);
    expect(await item.locator('img').getAttribute('alt')).toBe(hostile.originalName);
    await item.getByRole('button').click();
    expect(await page.locator('.detail .original-name').innerText()).toBe(hostile.originalName);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    await page.keyboard.press('Escape');
    expect(seen.dialogs).toEqual([]);
  });

  it('waits out a 503 for its Retry-After and then uploads', async () => {
    const busyPage = await context.newPage();
    let refused = 0;
    await busyPage.route(/\/images$/, async (route) => {
      if (route.request().method() !== 'POST' || refused > 0) return route.continue();
      refused++;
      await route.fulfill({
        status: 503,
        headers: { 'retry-after': '2', 'content-type': 'application/json' },
        body: JSON.stringify({
          statusCode: 503,
          error: 'Service Unavailable',
          code: 'SERVER_BUSY',
          message: 'Busy',
          requestId: 'r',
        }),
      });
    });
    await busyPage.goto(galleryUrl);
    await busyPage
      .locator('#file-input')
      .setInputFiles([{ name: 'after-busy.png', mimeType: 'image/png', buffer: await makeScene(9) }]);
    const upload = busyPage.locator('.upload', { hasText: 'after-busy.png' });
    await upload.getByText(/Server busy, retrying in [12] s/).waitFor();
    await busyPage.locator('.upload[data-state="done"]', { hasText: 'after-busy.png' }).waitFor({ timeout: 10_000 });
    expect(refused).toBe(1);
    const stored = (await listedImages()).find((item) => item.originalName === 'after-busy.png');
    expect(stored).toBeDefined();
    created.add(stored!.id);
    await busyPage.close();
  });

  it('uses the variant presets for srcset and paints the ThumbHash placeholder when the API offers them', async () => {
    // The API's own variants, as listed: the grid shows a preset and offers the others by their width.
    const real = page.locator('li.card img').first();
    // Signed links, so the <img> loads them without the API key.
    expect(await real.getAttribute('src')).toMatch(/\/variants\/[a-z0-9-]+\?expires=\d+&signature=[\w-]+$/);
    expect(await real.getAttribute('srcset')).toMatch(/\/variants\/thumb\?expires=\d+&signature=[\w-]+ \d+w/);
    await real.scrollIntoViewIfNeeded();
    await expect
      .poll(() => real.evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0)))
      .toBeGreaterThan(0);
    // Then a listing with made-up presets and a known placeholder, to check the choice and the painting exactly.
    const scene = await sharp(await makeScene(3))
      .resize(100, 75)
      .ensureAlpha()
      .raw()
      .toBuffer();
    const placeholder = Buffer.from(rgbaToThumbHash(100, 75, scene)).toString('base64');
    const variantsPage = await context.newPage();
    await variantsPage.route(/\/images\?/, async (route) => {
      const response = await route.fetch();
      const body = (await response.json()) as { items: ImageMetadata[]; nextCursor: string | null };
      const items = body.items.map((item) => ({
        ...item,
        placeholder,
        links: {
          ...item.links,
          variants: Object.fromEntries(
            ['thumb', 'small', 'large'].map((name) => [name, `${item.links.content}#${name}`]),
          ),
        },
        variants: {
          thumb: { width: 256, height: 171 },
          small: { width: 640, height: 427 },
          large: { width: 2048, height: 1365 },
        },
      }));
      await route.fulfill({ response, json: { ...body, items } });
    });
    await variantsPage.goto(galleryUrl);
    const first = variantsPage.locator('li.card').first();
    await first.locator('img').waitFor();
    const img = first.locator('img');
    expect(await img.getAttribute('src')).toMatch(/#small$/);
    expect(await img.getAttribute('srcset')).toMatch(/#thumb 256w, .*#small 640w, .*#large 2048w$/);
    expect(await img.getAttribute('sizes')).toBeTruthy();
    const painted = await first.locator('canvas.placeholder').evaluate((canvas: HTMLCanvasElement) => ({
      hidden: canvas.hidden,
      width: canvas.width,
      alpha: canvas.getContext('2d')!.getImageData(0, 0, 1, 1).data[3],
    }));
    expect(painted).toMatchObject({ hidden: false, alpha: 255 });
    expect(painted.width).toBeGreaterThan(0);
    expect(await cspViolations(variantsPage)).toEqual([]);
    await variantsPage.close();
  });

  it('made no request outside the API’s origin and broke no rule of its CSP', async () => {
    const origin = new URL(baseUrl).origin;
    expect(seen.requests.filter((url) => new URL(url).origin !== origin)).toEqual([]);
    expect(await cspViolations(page)).toEqual([]);
    expect(seen.errors).toEqual([]);
  });

  it.runIf(process.env.E2E_STORAGE === 's3' && process.env.S3_TEST_ENDPOINT)(
    'on S3, sends a file above the upload limit straight to the bucket, with progress',
    async () => {
      await allowBrowserUploads(new URL(baseUrl).origin);
      const before = new Set((await listedImages()).map((image) => image.id));
      await page.reload();
      await recordProgress(page);
      const bucketRequests: string[] = [];
      page.on('request', (request) => {
        if (request.url().startsWith(process.env.S3_TEST_ENDPOINT!)) bucketRequests.push(request.method());
      });
      const side = Math.ceil(Math.sqrt((maxUploadBytes * 1.2) / 3));
      const bytes = await makeNoisyPng(side, side);
      expect(bytes.length).toBeGreaterThan(maxUploadBytes);
      const restore = await throttleUploads(context, page, 512 * 1024);
      await page.locator('#file-input').setInputFiles([{ name: 'direct.png', mimeType: 'image/png', buffer: bytes }]);
      const done = page.locator('.upload[data-state="done"]', { hasText: 'direct.png' });
      await done
        .or(page.locator('.upload[data-state="failed"]', { hasText: 'direct.png' }))
        .waitFor({ timeout: 60_000 });
      expect(await page.locator('.upload', { hasText: 'direct.png' }).locator('.upload-detail').innerText()).toMatch(
        /Uploaded/,
      );
      await restore();
      expect(bucketRequests).toContain('POST');
      const values = await progressOf(page, 'direct.png');
      expect(new Set(values.filter((value) => value > 0 && value < 100)).size, values.join(',')).toBeGreaterThanOrEqual(
        2,
      );
      expect(values.at(-1)).toBe(100);
      // The direct-upload flow carries no file name, so the new image is the one that was not there before.
      const added = (await listedImages()).filter((image) => !before.has(image.id));
      expect(added).toHaveLength(1);
      created.add(added[0]!.id);
      expect(added[0]!.size).toBeGreaterThan(maxUploadBytes);
      expect(await cspViolations(page)).toEqual([]);
    },
  );

  it('works on a phone-sized screen, here in the dark scheme', async () => {
    const phone = await newGalleryContext(browser, PHONE, 'dark');
    const phonePage = await phone.newPage();
    await phonePage.goto(galleryUrl);
    await phonePage.locator('li.card').nth(5).waitFor();
    await phonePage
      .locator('li.card img')
      .first()
      .evaluate((img: HTMLImageElement) => img.decode());
    const overflow = await phonePage.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await seriousViolations(phonePage, '.gallery')).toEqual([]);
    await screenshot(phonePage, 'grid-phone');

    await recordProgress(phonePage);
    const restore = await throttleUploads(phone, phonePage, 120 * 1024);
    await phonePage
      .locator('#file-input')
      .setInputFiles([{ name: 'from-phone.png', mimeType: 'image/png', buffer: await makeNoisyPng(400, 400) }]);
    const upload = phonePage.locator('.upload', { hasText: 'from-phone.png' });
    await expect
      .poll(async () => Number(await upload.locator('progress').getAttribute('value')), { timeout: 20_000 })
      .toBeGreaterThan(10);
    await phonePage.locator('.uploads').scrollIntoViewIfNeeded();
    await screenshot(phonePage, 'upload-phone');
    await phonePage.locator('.upload[data-state="done"]', { hasText: 'from-phone.png' }).waitFor({ timeout: 60_000 });
    await restore();
    const fromPhone = (await listedImages()).find((image) => image.originalName === 'from-phone.png');
    expect(fromPhone).toBeDefined();
    created.add(fromPhone!.id);

    await phonePage.locator('li.card').first().getByRole('button').click();
    await phonePage.locator('.detail img').evaluate((img: HTMLImageElement) => img.decode());
    await screenshot(phonePage, 'detail-phone');
    await phone.close();
  });
});

/** The bucket's CORS rule for presigned POSTs from the page's origin, as infra's ImageBucket sets for its origins. */
async function allowBrowserUploads(origin: string): Promise<void> {
  const client = new S3Client({
    endpoint: process.env.S3_TEST_ENDPOINT,
    region: process.env.S3_TEST_REGION ?? 'us-east-1',
    forcePathStyle: true,
    credentials: {
      accessKeyId: process.env.S3_TEST_ACCESS_KEY_ID ?? '',
      secretAccessKey: process.env.S3_TEST_SECRET_ACCESS_KEY ?? '',
    },
  });
  try {
    await client.send(
      new PutBucketCorsCommand({
        Bucket: process.env.S3_TEST_BUCKET,
        CORSConfiguration: {
          CORSRules: [
            { AllowedMethods: ['POST'], AllowedOrigins: [origin], AllowedHeaders: ['Content-Type'], MaxAgeSeconds: 60 },
          ],
        },
      }),
    );
  } catch (error) {
    // MinIO (GitHub's CI job) has no per-bucket CORS and admits every origin by default.
    if ((error as Error).name !== 'NotImplemented') throw error;
  } finally {
    client.destroy();
  }
}

/**
 * API Gateway's usage plan in front of the target: the page and its files load without a key, every API call
 * needs `x-api-key` (403 in the gateway's envelope otherwise), as on a deployed stage.
 */
function keyDemandingProxy(key: string): Promise<Server> {
  const upstream = new URL(baseUrl);
  const prefix = upstream.pathname.replace(/\/$/, '');
  const open = (pathname: string) => {
    const inside = pathname.startsWith(prefix) ? pathname.slice(prefix.length) : pathname;
    return inside === '/' || inside === '' || inside.startsWith('/assets/') || inside === '/health';
  };
  const server = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://proxy').pathname;
    if (!open(pathname) && req.headers['x-api-key'] !== key) {
      res.writeHead(403, { 'content-type': 'application/json', 'x-request-id': 'proxy' });
      res.end(
        JSON.stringify({
          statusCode: 403,
          error: 'Forbidden',
          code: 'FORBIDDEN',
          message: 'Forbidden',
          requestId: 'proxy',
        }),
      );
      return;
    }
    const forwarded = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (upstreamResponse) => {
        res.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        upstreamResponse.pipe(res);
      },
    );
    forwarded.on('error', () => res.destroy());
    req.pipe(forwarded);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('Web gallery behind an API key', () => {
  const KEY = 'gallery-test-key-0123456789';
  let proxy: Server;
  let browser: Browser;

  beforeAll(async () => {
    proxy = await keyDemandingProxy(KEY);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => proxy?.close(resolve));
  });

  it('asks for the key, says when it is wrong, keeps it for the tab only and sends it as x-api-key', async () => {
    const port = (proxy.address() as { port: number }).port;
    const url = `http://127.0.0.1:${port}${new URL(baseUrl).pathname.replace(/\/$/, '')}/`;
    const context = await newGalleryContext(browser, DESKTOP);
    const page = await context.newPage();
    const sentKeys: Array<string | undefined> = [];
    page.on('request', (request) => {
      if (/\/images(\?|$)/.test(request.url())) sentKeys.push(request.headers()['x-api-key']);
    });
    await page.goto(url);
    const prompt = page.getByRole('dialog', { name: 'API key needed' });
    await prompt.waitFor();
    expect(await seriousViolations(page, '.key')).toEqual([]);

    await prompt.getByLabel('API key').fill('not-the-key');
    await prompt.getByRole('button', { name: 'Use key' }).click();
    await prompt.getByText('That key was not accepted').waitFor();

    await prompt.getByLabel('API key').fill(KEY);
    await prompt.getByRole('button', { name: 'Use key' }).click();
    await page.locator('li.card, .empty').first().waitFor();
    expect(await prompt.isVisible()).toBe(false);
    expect(sentKeys).toEqual([undefined, 'not-the-key', KEY]);
    expect(await page.evaluate(() => sessionStorage.getItem('imagestore.apiKey'))).toBe(KEY);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    expect(await context.cookies()).toEqual([]);

    // A reload in the same tab keeps working without asking again.
    await page.reload();
    await page.locator('li.card, .empty').first().waitFor();
    expect(await prompt.isVisible()).toBe(false);
    await context.close();
  });
});
