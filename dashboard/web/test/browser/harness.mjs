// Shared steps of the browser scenarios: one browser for the run, a fresh context (no
// cookies) per scenario, page errors collected so any uncaught exception fails the test.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';

const VIEWPORT = { width: 1440, height: 900 };

export async function launchBrowser(config) {
  return chromium.launch({ executablePath: config.chromium, args: ['--no-sandbox'] });
}

/** A new page in a fresh context; `page.pageErrors` lists uncaught exceptions. */
export async function openPage(browser, config) {
  const context = await browser.newContext({ viewport: VIEWPORT, baseURL: config.baseUrl });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  page.pageErrors = [];
  page.on('pageerror', (error) => page.pageErrors.push(error.message));
  return page;
}

export async function closePage(page) {
  const errors = page.pageErrors;
  await page.context().close();
  assert.deepEqual(errors, [], 'the page threw uncaught exceptions');
}

export async function screenshot(page, config, name) {
  mkdirSync(config.screenshotDir, { recursive: true });
  // Let transitions (flame graph, 200 ms) settle so the picture shows the final state.
  await page.waitForTimeout(400);
  await page.screenshot({ path: join(config.screenshotDir, `${name}.png`), fullPage: true });
}

export async function logIn(page, config) {
  await page.goto('/');
  await page.getByLabel('Email').fill(config.email);
  await page.getByLabel('Password').fill(config.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Applications' }).waitFor();
}

/** Logs in and opens an application's tab (default CPU), by clicking as a user would. */
export async function openApp(page, config, appName = config.appName) {
  await logIn(page, config);
  await page.locator('.apps-table a.app-link', { hasText: new RegExp(`^${appName}$`) }).click();
  await page.getByRole('heading', { level: 1, name: appName }).waitFor();
}

export async function openTab(page, label) {
  await page.locator('nav.tabs a', { hasText: new RegExp(`^${label}$`) }).click();
}

/** The function names of the hot-spot table's rows, top to bottom. */
export async function hotspotFunctions(page) {
  return page.locator('[data-testid=hotspot-table] tbody tr').evaluateAll(
    (rows) => rows.map((row) => row.dataset.function));
}

/** The flame graph frame whose name contains `text` (d3-flame-graph sets a name attribute). */
export function flameFrame(page, text) {
  return page.locator(`[data-testid=flame-graph] g[name*="${text.replace(/"/g, '\\"')}"]`).first();
}

/** Waits for the next profile request and returns its query parameters. */
export async function nextProfileRequest(page, action) {
  const [request] = await Promise.all([
    page.waitForRequest((r) => new URL(r.url()).pathname.endsWith('/profile')),
    action(),
  ]);
  return Object.fromEntries(new URL(request.url()).searchParams);
}
