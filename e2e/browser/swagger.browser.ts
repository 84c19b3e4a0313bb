// Swagger UI as a person uses it: upload a PNG through "Try it out" on POST /images, then find it with GET /images.
// Runs Debian's Chromium (apt-get install chromium); playwright-core never downloads a browser.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseUrl, deleteQuietly } from '../support/api';
import { makePng } from '../support/images';
import { launchChromium } from './chromium';

const SCREENSHOT = path.join(import.meta.dirname, '..', 'artifacts', 'swagger.png');

/** The operation block for METHOD PATH, e.g. ('post', '/images'). */
const operation = (page: Page, method: string, apiPath: string): Locator =>
  page.locator(`.opblock.opblock-${method}`).filter({
    has: page.locator(`.opblock-summary-path[data-path="${apiPath}"]`),
  });

async function tryItOut(block: Locator): Promise<void> {
  await block.locator('.opblock-summary').first().click();
  await block.getByRole('button', { name: 'Try it out' }).click();
}

async function execute(block: Locator): Promise<{ status: string; body: string }> {
  await block.getByRole('button', { name: 'Execute' }).click();
  const row = block.locator('.live-responses-table .response').first();
  await row.locator('.response-col_status').waitFor({ timeout: 30_000 });
  return {
    status: (await row.locator('.response-col_status').innerText()).trim(),
    body: await row.locator('.response-col_description').innerText(),
  };
}

describe('Swagger UI', () => {
  let browser: Browser;
  let page: Page;
  const created: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    const context = await browser.newContext({
      viewport: { width: 1280, height: 1600 },
      extraHTTPHeaders: process.env.E2E_API_KEY ? { 'x-api-key': process.env.E2E_API_KEY } : {},
    });
    page = await context.newPage();
  });

  afterAll(async () => {
    if (page) {
      mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true }).catch(() => undefined);
    }
    await browser?.close();
    for (const id of created) await deleteQuietly(id);
  });

  it('uploads a PNG with "Try it out" on POST /images and lists it with GET /images', async () => {
    await page.goto(`${baseUrl}/docs`, { waitUntil: 'load' });
    await page.locator('.swagger-ui .information-container').waitFor({ timeout: 30_000 });

    const post = operation(page, 'post', '/images');
    await tryItOut(post);
    await post.locator('input[type="file"]').setInputFiles({
      name: 'swagger-e2e.png',
      mimeType: 'image/png',
      buffer: await makePng(20, 10),
    });
    const uploaded = await execute(post);
    expect(uploaded.status, uploaded.body).toBe('201');
    const id = /"id":\s*"([0-9a-f-]{36})"/.exec(uploaded.body)?.[1];
    expect(id, uploaded.body).toBeTruthy();
    created.push(id!);

    const list = operation(page, 'get', '/images');
    await tryItOut(list);
    await list
      .locator('input[placeholder="limit"], input[placeholder^="limit"]')
      .first()
      .fill('100')
      .catch(() => undefined);
    const listed = await execute(list);
    expect(listed.status, listed.body).toBe('200');
    expect(listed.body).toContain(id);
  });
});
