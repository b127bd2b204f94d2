// Browser scenarios: headless Chromium (Debian's chromium) driven by playwright-core uses
// the dashboard as a person would and saves screenshots. Against the mock API server by
// default; against a real dashboard with --base-url (see config.mjs), where the checks
// that depend on fixture values are skipped.
// Exit code 77 (skipped) only when no Chromium binary exists.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readConfig } from './config.mjs';
import { launchBrowser, openPage, closePage, screenshot, logIn, openApp, openTab,
  hotspotFunctions, flameFrame, nextProfileRequest } from './harness.mjs';
import { startMockServer } from '../mock-server.mjs';

const config = readConfig();
if (!existsSync(config.chromium)) {
  console.log(`SKIP: no Chromium at ${config.chromium}; install Debian's chromium (scripts/install-deps).`);
  process.exit(77);
}
if (config.usesMock && !existsSync(`${config.distDir}/index.html`)) {
  console.log(`FAIL: no built UI in ${config.distDir}; run npm run build first.`);
  process.exit(1);
}

const mockOnly = config.usesMock ? {} : { skip: 'needs the mock server\'s fixture data' };
const TIMEOUT = { timeout: 60000 };
let browser;
let mock;

before(async () => {
  if (config.usesMock) {
    mock = await startMockServer({ distDir: config.distDir });
    config.baseUrl = mock.url;
  }
  browser = await launchBrowser(config);
});

after(async () => {
  await browser?.close();
  await mock?.close();
});

/** Runs `body(page)` in a fresh page and closes it, failing on uncaught page errors. */
function scenario(name, options, body) {
  test(name, { ...TIMEOUT, ...options }, async () => {
    const page = await openPage(browser, config);
    try {
      await body(page);
    } catch (error) {
      await screenshot(page, config, `failed-${name.replace(/[^a-z0-9]+/gi, '-')}`).catch(() => {});
      throw error;
    }
    await closePage(page);
  });
}

scenario('login refuses a wrong password, then opens the applications list', {}, async (page) => {
  await page.goto('/');
  await page.getByLabel('Email').fill(config.email);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('alert').filter({ hasText: 'Wrong email or password' }).waitFor();
  await screenshot(page, config, 'login-refused');
  await logIn(page, config);
  const row = page.locator('.apps-table tbody tr', { has: page.locator('a.app-link', { hasText: config.appName }) });
  await row.waitFor();
  if (config.usesMock) {
    const cells = await row.locator('td').allTextContents();
    assert.deepEqual(cells.slice(0, 5), ['23.4 %', '182 MiB', '1.5', '2 / 3 active', '1 anomaly']);
    // One CPU unit, said where the figures are: % of one core, as the CPU profile.
    await page.locator('.apps-table th', { hasText: 'CPU (% of a core)' }).waitFor();
    assert.equal(await row.locator('.row-details').textContent(), 'Native · Python · prod · staging · v1.2 · v1.3');
    assert.equal(await page.locator('.apps-table tbody tr').count(), 3);
    // An app whose processes all ended minutes ago: not live, no current figures.
    const ended = page.locator('.apps-table tbody tr[data-app="checkout"]');
    assert.deepEqual((await ended.locator('td').allTextContents()).slice(0, 4), ['–', '–', '–', '0 / 12 active']);
    assert.equal(await ended.locator('.status-dot.stale').count(), 1);
    assert.equal(await row.locator('.status-dot.live').count(), 1);
  }
  await screenshot(page, config, 'applications');
});

scenario('the CPU tab shows the flame graph with the hot function and its hot spots', {}, async (page) => {
  await openApp(page, config);
  await flameFrame(page, config.hotFunction).waitFor();
  // A real agent names functions as the demangler does ("(anonymous namespace)::score_items()"),
  // so the hot function is matched as part of the name.
  const hotRows = (await hotspotFunctions(page)).filter((name) => name.includes(config.hotFunction));
  assert.ok(hotRows.length > 0, `${config.hotFunction} is in the hot-spot table`);
  // The two figures of a cell are explained: the value (for CPU, % of one core), then the share.
  assert.equal(await page.locator('[data-testid=hotspot-table] .table-legend').textContent(),
    'Self and Total: CPU in % of one core, then the share of the whole profile.');
  assert.equal(await page.locator('[data-testid=hotspot-table] .location-cell', { hasText: /:0$/ }).count(), 0);
  if (config.usesMock) {
    assert.equal((await hotspotFunctions(page))[0], 'format_row', 'largest self value first');
    const row = page.locator('[data-testid=hotspot-table] tr[data-function="render_response"]');
    assert.match(await row.textContent(), /render\.cpp:55/);
  }
  // Picking a function highlights its frames (d3-flame-graph marks them as highlighted).
  const quoted = hotRows[0].replace(/["\\]/g, '\\$&');
  await page.locator(`[data-testid=hotspot-table] tr[data-function="${quoted}"] button`).first().click();
  assert.equal(await page.getByLabel('Highlight frames matching').inputValue(), hotRows[0]);
  // The search says how much it found, and a frame's tooltip gives its total and self.
  assert.match(await page.locator('.flame-matches').first().textContent(),
    /^\d+ frames? match(es)?: .+, [\d.<]+ % of the total$/);
  const hot = flameFrame(page, config.hotFunction);
  await hot.hover();
  assert.match(await page.locator('.flame-details').first().textContent(), /total .+, self .+/);
  await page.mouse.move(1, 1);
  await page.locator('.flame-details', { hasText: 'Hover a frame' }).first().waitFor();
  if (config.usesMock) {
    // One frame per function by default; a frame per line on demand.
    assert.equal(await page.locator('[data-testid=flame-graph] g[name^="escape_html"]').count(), 1);
    await page.getByLabel('Show a frame per line').check();
    await page.locator('[data-testid=flame-graph] g[name="escape_html (render.cpp:104)"]').waitFor();
    assert.equal(await page.locator('[data-testid=flame-graph] g[name^="escape_html"]').count(), 2);
    await page.getByLabel('Show a frame per line').uncheck();
    await page.locator('[data-testid=flame-graph] g[name="escape_html (render.cpp)"]').waitFor();
  }
  // Frames are reached from the keyboard: focused, a frame shows its details; Enter zooms.
  const focused = flameFrame(page, config.hotFunction).first();
  await focused.focus();
  assert.equal(await focused.getAttribute('role'), 'button');
  assert.match(await page.locator('.flame-details').first().textContent(), /total .+, self .+/);
  await page.keyboard.press('Enter');
  await page.keyboard.press('Escape');
  // The profile downloads as a pprof file of the same range and filters.
  const download = page.getByRole('link', { name: 'Download pprof' });
  const href = await download.getAttribute('href');
  assert.match(href, /^\/api\/apps\/\d+\/profile\/pprof\?kind=cpu&from=\d+&to=\d+/);
  assert.notEqual(await download.getAttribute('download'), null);
  const file = await page.request.get(href);
  assert.equal(file.status(), 200);
  assert.deepEqual([...(await file.body()).subarray(0, 2)], [0x1f, 0x8b], 'a gzip file');
  await screenshot(page, config, 'cpu');
});

scenario('at 800 px the tab bar hints at hidden tabs and function names keep their width', {}, async (page) => {
  await page.setViewportSize({ width: 800, height: 900 });
  await openApp(page, config);
  await flameFrame(page, config.hotFunction).waitFor();
  const tabs = page.locator('nav.tabs');
  const overflowing = await tabs.evaluate((nav) => nav.scrollWidth > nav.clientWidth + 1);
  if (overflowing) {
    // Hidden tabs are hinted at by a faded edge, and the current tab is in view.
    await page.locator('nav.tabs.more-right, nav.tabs.more-left').waitFor();
  }
  const current = await page.locator('nav.tabs [aria-current="page"]').boundingBox();
  const bar = await tabs.boundingBox();
  assert.ok(current.x >= bar.x - 1 && current.x + current.width <= bar.x + bar.width + 1, 'the current tab is in view');
  const functionCell = await page.locator('[data-testid=hotspot-table] .function-cell').first().boundingBox();
  assert.ok(functionCell.width >= 140, `the Function column keeps ${functionCell.width} px`);
  await screenshot(page, config, 'cpu-800px');
});

scenario('the hot-spot table sorts by total, self and function', {}, async (page) => {
  await openApp(page, config);
  await flameFrame(page, config.hotFunction).waitFor();
  const totalShares = async () => page.locator('[data-testid=hotspot-table] tbody tr td:nth-child(2) .share-percent')
    .allTextContents().then((texts) => texts.map((t) => parseFloat(t)));
  const header = (column) => page.locator(`[data-testid=hotspot-table] th:has(button[data-column="${column}"])`);

  await page.locator('button[data-column="total"]').click();
  assert.equal(await header('total').getAttribute('aria-sort'), 'descending');
  const descending = await totalShares();
  assert.deepEqual(descending, [...descending].sort((a, b) => b - a));
  await page.locator('button[data-column="total"]').click();
  assert.equal(await header('total').getAttribute('aria-sort'), 'ascending');
  const ascending = await totalShares();
  assert.deepEqual(ascending, [...ascending].sort((a, b) => a - b));

  await page.locator('button[data-column="function"]').click();
  const names = await hotspotFunctions(page);
  assert.deepEqual(names, [...names].sort((a, b) => a.localeCompare(b)));
  if (config.usesMock) {
    assert.equal(names[0], 'accept_connection');
    await page.locator('button[data-column="total"]').click();
    assert.equal((await hotspotFunctions(page))[0], 'main');
  }
  await page.getByLabel('Filter hot spots').fill(config.hotFunction);
  const filtered = await page.locator('[data-testid=hotspot-table] tbody tr').allTextContents();
  assert.ok(filtered.length > 0 && filtered.every((text) => text.includes(config.hotFunction)),
    'the filter keeps only matching rows');
  await screenshot(page, config, 'hotspots-sorted');
});

scenario('allocations, heap in use with its leak, blocking categories, errors and metrics tabs', {}, async (page) => {
  await openApp(page, config);
  await openTab(page, 'Allocations');
  await page.locator('.profile-view[data-kind="alloc"], .state-empty').first().waitFor();
  if (config.usesMock) {
    await flameFrame(page, 'std::string::append').waitFor();
    // Rates read per second: the total, every cell and the legend.
    assert.match(await page.locator('.stat', { hasText: 'Total' }).locator('dd').textContent(), /iB\/s$/);
    const cells = await page.locator('[data-testid=hotspot-table] .share-value').allTextContents();
    assert.ok(cells.length > 0 && cells.every((cell) => cell.endsWith('/s')), `per second: ${cells.slice(0, 4)}`);
    await page.locator('.table-legend', { hasText: 'bytes per second' }).waitFor();
  }
  await screenshot(page, config, 'allocations');

  await openTab(page, 'Heap in use');
  await page.locator('.profile-view[data-kind="inuse"], .state-empty').first().waitFor();
  if (config.usesMock) {
    await page.getByRole('region', { name: 'Suspected leaks' }).getByText('cache_insert').waitFor();
    const leakRows = page.locator('[data-testid=hotspot-table] tr.is-leak');
    assert.equal(await leakRows.count(), 1);
    assert.equal(await leakRows.getAttribute('data-function'), 'cache_insert');
  }
  await screenshot(page, config, 'heap-in-use');

  await openTab(page, 'Blocking');
  await page.locator('.profile-view[data-kind="block"], .state-empty').first().waitFor();
  if (config.usesMock) {
    const categories = await page.locator('.chip[data-category]').evaluateAll(
      (chips) => chips.map((chip) => chip.dataset.category));
    assert.deepEqual(categories, ['all', 'network', 'io', 'lock', 'sleep', 'wait']);
    await page.locator('.chip[data-category="lock"]').click();
    assert.equal(await page.locator('.chip[data-category="lock"]').getAttribute('aria-pressed'), 'true');
    await flameFrame(page, 'std::mutex::lock').waitFor();
    assert.equal(await flameFrame(page, 'recv').count(), 0, 'other categories are left out');
    assert.equal((await hotspotFunctions(page))[0], 'std::mutex::lock');
    assert.match(await page.locator('.stat', { hasText: 'Total' }).locator('dd').textContent(), /s\/s$/);
  }
  await screenshot(page, config, 'blocking');

  await openTab(page, 'Errors');
  await page.getByRole('region', { name: 'Exceptions' }).waitFor();
  if (config.usesMock) {
    await page.getByRole('cell', { name: 'std::runtime_error' }).waitFor();
    // A 300-character message is cut and wraps: every column stays in the viewport, and
    // the table is not a scroll box of its own; the whole message opens on demand.
    const long = page.locator('.exceptions-table tbody tr', { hasText: 'std::invalid_argument' });
    const count = await long.locator('td.num').boundingBox();
    const viewport = page.viewportSize();
    assert.ok(count && count.x + count.width <= viewport.width, `Count in view (${JSON.stringify(count)})`);
    const table = await page.locator('.exceptions-table').boundingBox();
    const card = await page.getByRole('region', { name: 'Exceptions' }).boundingBox();
    assert.ok(table.width <= card.width, `table ${table.width} px within its card ${card.width} px`);
    assert.equal(await page.locator('.errors-view .table-scroll').count(), 0);
    assert.ok(!(await long.locator('.long-message summary').textContent()).includes('(end)'));
    await long.locator('.long-message summary').click();
    await long.locator('.full-message', { hasText: '(end)' }).waitFor();
    await page.locator('.crash summary', { hasText: 'SIGSEGV' }).click();
    await page.locator('.crash .stack li', { hasText: 'render_response (render.cpp:55)' }).waitFor();
    // One row per type and site: its other messages and its throw stack open on demand,
    // a chart shows the rate, and an abort names the program's frame and the exception.
    const runtime = page.locator('.exceptions-table tbody tr', { hasText: 'std::runtime_error' });
    await runtime.locator('.other-messages summary', { hasText: 'and 2 other messages' }).click();
    await runtime.locator('.other-messages li', { hasText: 'connection refused' }).waitFor();
    await runtime.locator('.throw-stack summary').click();
    await runtime.locator('.throw-stack .stack li', { hasText: 'serve_forever (server.cpp:88)' }).waitFor();
    await page.getByRole('img', { name: /Exceptions per minute: 6 points, at most 20/ }).waitFor();
    await page.locator('.error-rate canvas').waitFor();
    const abort = page.locator('.crash summary', { hasText: 'SIGABRT' });
    assert.match(await abort.textContent(), /load_config \(config\.cpp:12\).*uncaught std::runtime_error: missing key "port"/);
  }
  await screenshot(page, config, 'errors');

  await openTab(page, 'Metrics');
  await page.locator('.metrics-view, .state-empty').first().waitFor();
  if (config.usesMock) {
    await page.locator('.metric-card canvas').nth(4).waitFor();
    assert.equal(await page.locator('.metric-card').count(), 5);
    await page.locator('.metric-card[data-metric="memory/Current RSS"]').waitFor();
    // A counter reads per second.
    assert.match(await page.locator('.metric-card[data-metric="cpu/CPU time"] .metric-latest').textContent(), /ms\/s$/);
    // The value under the pointer shows below the chart.
    const rss = page.locator('.metric-card[data-metric="memory/Current RSS"]');
    const box = await rss.locator('.u-over').boundingBox();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
    await rss.locator('.u-legend .u-value', { hasText: /MiB$/ }).waitFor();
    await screenshot(page, config, 'metrics-tooltip');
    // Dragging across a chart makes the dragged span the page's range.
    await page.mouse.move(box.x + box.width * 0.25, box.y + box.height * 0.5);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.75, box.y + box.height * 0.5, { steps: 5 });
    await page.mouse.up();
    await page.waitForURL(/range=custom/);
    const url = new URL(page.url().replace('#/', ''));
    const span = Number(url.searchParams.get('to')) - Number(url.searchParams.get('from'));
    assert.ok(span > 1200 && span < 2400, `about half of the hour: ${span} s`);
    await page.locator('.metric-card canvas').first().waitFor();
  }
  await screenshot(page, config, 'metrics');
});

scenario('auto-refresh renders a live view again, up to now', mockOnly, async (page) => {
  await openApp(page, config);
  await flameFrame(page, config.hotFunction).waitFor();
  await page.getByLabel('Refresh', { exact: true }).selectOption('10s');
  await page.waitForURL(/refresh=10s/);
  const first = await nextProfileRequest(page, async () => {});
  const again = await nextProfileRequest(page, async () => {});
  assert.ok(Number(again.to) >= Number(first.to) + 9, `the next request ends later (${first.to} → ${again.to})`);
  assert.equal(Number(again.to) - Number(again.from), 3600, 'the same preset');
  await page.getByLabel('Refresh', { exact: true }).selectOption('');
  await page.waitForURL((url) => !url.href.includes('refresh='));
});

/** A page URL's range: {from, to} (Unix seconds) of a custom range. */
function rangeOf(href) {
  const url = new URL(String(href).replace('#/', ''));
  return { from: Number(url.searchParams.get('from')), to: Number(url.searchParams.get('to')) };
}

/** Drags across the middle half of `element` (a chart's .u-over), as a person selects a span. */
async function dragAcross(page, element) {
  const box = await element.boundingBox();
  await page.mouse.move(box.x + box.width * 0.25, box.y + box.height * 0.5);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.75, box.y + box.height * 0.5, { steps: 5 });
  await page.mouse.up();
}

scenario('every profile tab has a timeline: hover reads a value, Zoom out doubles the range, a drag sets it',
  {}, async (page) => {
    const asked = [];  // the kinds of the timeline requests
    const answered = [];  // their answers' kinds and statuses, for a failure's message
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.pathname.endsWith('/profile/timeline')) asked.push(url.searchParams.get('kind'));
    });
    page.on('response', (r) => {
      const url = new URL(r.url());
      if (url.pathname.endsWith('/profile/timeline')) answered.push(`${url.searchParams.get('kind')} ${r.status()}`);
    });
    page.on('requestfailed', (r) => {
      const url = new URL(r.url());
      if (url.pathname.endsWith('/profile/timeline')) answered.push(`${url.searchParams.get('kind')} failed: ${r.failure()?.errorText}`);
    });
    await openApp(page, config);  // on the CPU tab
    const timeline = page.locator('[data-testid=profile-timeline]');
    const tabs = [['CPU', 'cpu', / %$/], ['Allocations', 'alloc', /\/s$/], ['Heap in use', 'inuse', /iB$/],
      ['Blocking', 'block', /s\/s$/]];
    for (const [label, kind, unit] of tabs) {
      if (kind !== 'cpu') await openTab(page, label);
      await page.locator(`.profile-view[data-kind="${kind}"], .state-empty`).first().waitFor();
      assert.ok(asked.includes(kind), `${label}: the timeline of ${kind} was asked for`);
      if (!config.usesMock && await page.locator('.state-empty').count()) continue;  // nothing of this kind
      await timeline.locator('canvas').waitFor().catch(async (error) => {
        const cards = await page.locator('[data-testid=profile-timeline]').evaluateAll((found) => found.map((card) =>
          `connected ${card.isConnected}, plot ${card.querySelector('.timeline-plot')?.clientWidth}px wide ` +
          `with ${card.querySelector('.timeline-plot')?.childElementCount} children`));
        throw new Error(`${label}: no timeline (timeline requests: ${asked.join(', ')}; answers: ` +
          `${answered.join(', ') || 'none'}; timeline cards: ${cards.join(' | ') || 'none'}; ` +
          `page errors: ${page.pageErrors.join(' | ') || 'none'}): ${error.message}`);
      });
      // Above the flame graph, the value under the pointer in the profile's unit (rates per second).
      const [timelineBox, flameBox] = [await timeline.boundingBox(), await page.locator('.flame-card').boundingBox()];
      assert.ok(timelineBox.y < flameBox.y, `${label}: the timeline is above the flame graph`);
      if (config.usesMock) {
        const over = await timeline.locator('.u-over').boundingBox();
        await page.mouse.move(over.x + over.width * 0.6, over.y + over.height * 0.5);
        await timeline.locator('.u-legend .u-value', { hasText: unit }).waitFor();
        if (kind === 'alloc') assert.match(await timeline.locator('.timeline-unit').textContent(), /per second \(\/s\)/);
      }
    }
    await openTab(page, 'CPU');
    await timeline.locator('canvas').waitFor();
    await screenshot(page, config, 'profile-timeline');
    // Zoom out: the hour becomes two, ending now (never past it).
    await timeline.getByRole('button', { name: 'Zoom out' }).click();
    await page.waitForURL(/range=custom/);
    const zoomed = rangeOf(page.url());
    assert.equal(zoomed.to - zoomed.from, 7200, 'twice the hour');
    assert.ok(Math.abs(zoomed.to - Date.now() / 1000) < 120, 'ends now');
    await timeline.locator('canvas').waitFor();
    // A drag across the middle half selects about half of the two hours, and the profile follows.
    const request = nextProfileRequest(page, () => dragAcross(page, timeline.locator('.u-over')));
    await page.waitForURL((url) => rangeOf(url).from !== zoomed.from);
    const dragged = rangeOf(page.url());
    assert.ok(dragged.to - dragged.from > 2400 && dragged.to - dragged.from < 4800, `about an hour: ${dragged.to - dragged.from} s`);
    assert.ok(dragged.from > zoomed.from && dragged.to < zoomed.to, 'inside the zoomed range');
    const profileAsked = await request;
    assert.deepEqual([Number(profileAsked.from), Number(profileAsked.to)], [dragged.from, dragged.to]);
    // Zooming out again doubles the dragged span around its middle (it ends before now).
    await page.locator('[data-testid=profile-timeline], .state-empty').first().waitFor();
    if (await timeline.count()) {
      await timeline.getByRole('button', { name: 'Zoom out' }).click();
      await page.waitForURL((url) => rangeOf(url).from !== dragged.from);
      const again = rangeOf(page.url());
      assert.equal(again.to - again.from, 2 * (dragged.to - dragged.from));
      assert.ok(Math.abs((again.from + again.to) / 2 - (dragged.from + dragged.to) / 2) <= 1, 'around the middle');
    }
  });

scenario('metrics merged or per process: a legend names each process, counts step in whole numbers', {}, async (page) => {
  await openApp(page, config);
  await openTab(page, 'Metrics');
  await page.locator('.metrics-view, .state-empty').first().waitFor();
  const threads = page.locator('.metric-card[data-metric="runtime/Active threads"]');
  const ticksOf = async (card) => (await card.locator('.uplot').getAttribute('data-value-ticks')).split('\n');
  await threads.locator('canvas').waitFor();
  await page.waitForFunction(() => document.querySelector('.metric-card[data-metric="runtime/Active threads"] .uplot')
    ?.dataset.valueTicks);
  for (const tick of await ticksOf(threads)) assert.match(tick, /^\d+$/, `a whole number: ${tick}`);
  await page.getByRole('button', { name: 'Per process' }).click();
  await page.waitForURL(/group=process/);
  // The view is drawn again once the new range's metrics arrive: until then the old one, with
  // "Merged" pressed, is still on screen (a bare read here raced it on PostgreSQL).
  await page.locator('.metric-grouping button.chip[aria-pressed="true"]', { hasText: 'Per process' }).waitFor();
  await threads.locator('canvas').waitFor();
  const labels = await threads.locator('.u-legend .u-series:not(:first-child) .u-label').allTextContents();
  for (const label of labels) assert.match(label, /^.+ · pid \d+$|^other \d+ process/, `names a process: ${label}`);
  if (config.usesMock) {
    assert.deepEqual(labels, ['web-1 · pid 1201', 'web-2 · pid 2202']);
    assert.equal(await threads.locator('.metric-latest').textContent(), '2 processes');
    await page.waitForFunction(() => document.querySelector('.metric-card[data-metric="runtime/Active threads"] .uplot')
      ?.dataset.valueTicks);
    for (const tick of await ticksOf(threads)) assert.match(tick, /^\d+$/, `a whole number: ${tick}`);
  }
  await screenshot(page, config, 'metrics-per-process');
  // The choice stays with the metrics tab: other tabs do not carry it.
  assert.ok(!(await page.locator('nav.tabs a[data-tab="cpu"]').getAttribute('href')).includes('group='));
  await page.getByRole('button', { name: 'Merged' }).click();
  await page.waitForURL((url) => !url.href.includes('group='));
  // As above: the per-process view stays until the merged one is drawn, and the new card's
  // chart (its legend) comes at the frame after the card is inserted.
  await page.locator('.metric-grouping button.chip[aria-pressed="true"]', { hasText: 'Merged' }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll(
    '.metric-card[data-metric="runtime/Active threads"] .u-legend .u-series').length === 2).catch(async (error) => {
    const count = await threads.locator('.u-legend .u-series').count();
    throw new Error(`merged: ${count} legend entries, not one line and the time: ${error.message}`);
  });
});

scenario('changing the time range changes the request\'s from and to', {}, async (page) => {
  await openApp(page, config);
  await flameFrame(page, config.hotFunction).waitFor();
  const sixHours = await nextProfileRequest(page, () => page.getByLabel('Time range', { exact: true }).selectOption('6h'));
  assert.equal(Number(sixHours.to) - Number(sixHours.from), 6 * 3600);
  assert.ok(Math.abs(Number(sixHours.to) - Date.now() / 1000) < 120, 'ends now');
  assert.match(page.url(), /range=6h/);
  await flameFrame(page, config.hotFunction).waitFor();

  const week = await nextProfileRequest(page, () => page.getByLabel('Time range', { exact: true }).selectOption('7d'));
  assert.equal(Number(week.to) - Number(week.from), 7 * 86400);

  await page.getByLabel('Time range', { exact: true }).selectOption('custom');
  await page.getByLabel('From').fill('2025-01-02T03:00');
  await page.getByLabel('To').fill('2025-01-02T05:30');
  const custom = await nextProfileRequest(page, () => page.getByRole('button', { name: 'Apply' }).click());
  const expected = (text) => String(Math.floor(new Date(text).getTime() / 1000));   // local time, as typed
  assert.equal(custom.from, expected('2025-01-02T03:00'));
  assert.equal(custom.to, expected('2025-01-02T05:30'));
  await page.locator('.profile-view, .state-empty').first().waitFor();
  await screenshot(page, config, 'custom-range');
});

scenario('comparing two versions shows both flame graphs and the change per function', mockOnly, async (page) => {
  await openApp(page, config);
  await openTab(page, 'Compare');
  await page.getByLabel('Baseline (A)').waitFor();
  assert.equal(await page.getByLabel('Baseline (A)').inputValue(), '1.2');
  assert.equal(await page.getByLabel('Compared (B)').inputValue(), '1.3');
  await page.locator('[data-testid=compare-a] g[name*="format_row"]').waitFor();
  await page.locator('[data-testid=compare-b] g[name*="format_row"]').waitFor();
  const first = page.locator('[data-testid=diff-table] tbody tr').first();
  assert.equal(await first.getAttribute('data-function'), 'format_row');
  assert.equal(await first.getAttribute('data-change'), 'increase');
  assert.ok(await page.locator('[data-testid=diff-table] tr[data-change="decrease"]').count() > 0);
  await screenshot(page, config, 'compare-versions');
});

scenario('comparing the range with the previous period asks for both periods', {}, async (page) => {
  await openApp(page, config);
  const requests = [];
  page.on('request', (r) => { if (r.url().includes('/profile?')) requests.push(new URL(r.url()).searchParams); });
  await openTab(page, 'Compare');
  await page.getByLabel('Compare', { exact: true }).waitFor();
  if (await page.getByLabel('Compare', { exact: true }).inputValue() !== 'ranges') {
    await page.getByLabel('Compare', { exact: true }).selectOption('ranges');
  }
  // A young dashboard has nothing in the previous period: then the empty state explains it.
  await page.locator('[data-testid=diff-table], .compare-results .state-empty').first().waitFor();
  const [a, b] = requests.slice(-2);
  assert.equal(Number(a.get('to')), Number(b.get('from')), 'the baseline ends where the range starts');
  assert.equal(Number(a.get('to')) - Number(a.get('from')), Number(b.get('to')) - Number(b.get('from')));
  if (config.usesMock) {
    // The diff table can be drawn before the second flame graph: wait for the graph first.
    const changed = page.locator('[data-testid=compare-b] g[name*="format_row"]');
    await changed.first().waitFor();
    assert.equal(await changed.count(), 1);
  }
  await screenshot(page, config, 'compare-ranges');
});

scenario('the processes tab shows who profiles and saves the activation limit', {}, async (page) => {
  await openApp(page, config);
  await openTab(page, 'Processes');
  await page.getByRole('region', { name: 'Profiling activation' }).waitFor();
  if (config.usesMock) {
    const rows = page.locator('.processes-table tbody tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 4);
    assert.equal(await page.locator('.processes-table .badge-ok').count(), 2);
    assert.equal(await page.locator('.processes-table tbody tr[data-pid="1190"] [data-field=state]').textContent(),
      'ended');
    assert.equal(await page.locator('.processes-table tbody tr[data-pid="2203"] [data-field=state]').textContent(),
      'not reporting');
    // Each process names its runtime and agent version (the original agents' too).
    const python = page.locator('.processes-table tbody tr[data-pid="2202"]');
    assert.equal(await python.locator('[data-field=runtime]').textContent(), 'Python 3.6.15');
    assert.equal(await python.locator('[data-field=agent]').textContent(), '1.2.6');
  } else {
    // The real demo is a native program under siagent.
    const runtime = page.locator('.processes-table tbody tr [data-field=runtime]').first();
    await runtime.waitFor();
    assert.match(await runtime.textContent(), /^Native/);
  }
  await page.getByLabel('Limit', { exact: true }).selectOption('count');
  await page.getByLabel('N or P').fill('1');
  const [request] = await Promise.all([
    page.waitForRequest((r) => r.url().endsWith('/settings') && r.method() === 'PUT'),
    page.getByRole('button', { name: 'Save' }).click(),
  ]);
  assert.deepEqual(request.postDataJSON(), { max_active_processes: 1, max_active_percent: null });
  assert.ok(request.headers()['x-csrf-token'], 'the change carries the CSRF header');
  await page.getByTestId('activation-summary').filter({ hasText: 'At most 1 process profiles at once.' }).waitFor();
  await screenshot(page, config, 'processes');
  // Leave the application as it was: every process profiles.
  await page.getByLabel('Limit', { exact: true }).selectOption('all');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByTestId('activation-summary').filter({ hasText: 'Every process profiles.' }).waitFor();
});

scenario('an application without data explains how to connect an agent', mockOnly, async (page) => {
  await openApp(page, config, 'idle');
  const empty = page.locator('.state-empty');
  await empty.waitFor();
  const text = await empty.textContent();
  assert.match(text, /LD_PRELOAD=\/path\/libsiagent\.so SI_AGENT_KEY=/);
  assert.match(text, new RegExp(`SI_DASHBOARD_ADDRESS=${config.baseUrl.replace(/[.]/g, '\\.')}`));
  await screenshot(page, config, 'empty-application');
});

scenario('an application that reports CPU but no allocations is not told to connect an agent', mockOnly,
  async (page) => {
    await openApp(page, config, 'checkout');
    await openTab(page, 'Allocations');
    const empty = page.locator('.state-empty');
    await empty.waitFor();
    const text = await empty.textContent();
    assert.match(text, /Its agent is connected: this application reports CPU profile in this range/);
    assert.match(text, /SI_ALLOCATION_SAMPLING_BYTES/);
    assert.doesNotMatch(text, /LD_PRELOAD/);
  });

scenario('an app without anomalies is told what is still warming up and when it will be judged', mockOnly,
  async (page) => {
    await openApp(page, config, 'checkout');
    await openTab(page, 'Anomalies');
    const empty = page.getByRole('region', { name: 'Anomalies' }).locator('.state-empty');
    await empty.waitFor();
    const text = await empty.textContent();
    assert.match(text, /This application has reported since/);
    assert.match(text, /Leaks: heap or memory growth sustained over the data so far, from 5 min up to 6 h \(/);
    assert.match(text, /New errors: error types not seen while the app started, once its errors have settled/);
  });

scenario('a failing API shows an error state, and "Try again" recovers', {}, async (page) => {
  await openApp(page, config);
  await flameFrame(page, config.hotFunction).waitFor();
  await page.route('**/profile?*', (route) => route.fulfill({ status: 500,
    contentType: 'application/json', body: JSON.stringify({ error: 'database is locked' }) }));
  await page.getByLabel('Time range', { exact: true }).selectOption('24h');
  const alert = page.locator('.state-error');
  await alert.waitFor();
  assert.match(await alert.textContent(), /database is locked \(HTTP 500\)/);
  await screenshot(page, config, 'error-state');
  await page.unroute('**/profile?*');
  await alert.getByRole('button', { name: 'Try again' }).click();
  await flameFrame(page, config.hotFunction).waitFor();
  // The app header too, when the server was down as the page opened.
  await page.route('**/api/apps', (route) => route.fulfill({ status: 503,
    contentType: 'application/json', body: JSON.stringify({ error: 'server restarting' }) }));
  await page.reload();
  const down = page.locator('.app-header .state-error');
  await down.waitFor();
  await page.unroute('**/api/apps');
  await down.getByRole('button', { name: 'Try again' }).click();
  await page.locator('.app-header h1').waitFor();
});

scenario('an agent key is shown once when created, then only its prefix; it can be deleted', {}, async (page) => {
  await logIn(page, config);
  await page.locator('nav.topnav a', { hasText: 'Account' }).click();
  await page.getByRole('heading', { name: 'Agent keys' }).waitFor();
  if (config.usesMock) {
    // What the dashboard refused lately, per key: the agents themselves rarely say.
    const refused = page.getByRole('region', { name: 'Refused agent requests' }).locator('tbody tr');
    assert.deepEqual((await refused.first().locator('td').allTextContents()).slice(1),
      ['production', '400', 'envelope: run_id is not a hex id', '/agent/v1/upload', '10.0.0.7']);
  }
  const name = `browser-test-${Date.now()}`;
  await page.getByLabel('Name', { exact: true }).fill(name);
  const [request] = await Promise.all([
    page.waitForRequest((r) => r.url().endsWith('/api/account/keys') && r.method() === 'POST'),
    page.getByRole('button', { name: 'Create key' }).click(),
  ]);
  assert.ok(request.headers()['x-csrf-token'], 'state-changing calls carry the CSRF header');
  const key = (await page.getByTestId('new-key').textContent()).trim();
  assert.match(key, /^si_/);
  await screenshot(page, config, 'agent-key-created');

  await page.reload();
  const row = page.locator('.keys-table tr', { hasText: name });
  await row.waitFor();
  assert.equal(await page.getByTestId('new-key').count(), 0, 'the key is not shown again');
  assert.ok(!(await page.content()).includes(key), 'the page holds no copy of the key');
  await row.getByRole('button', { name: 'Delete' }).click();
  await row.getByRole('button', { name: 'Yes, delete' }).click();
  await page.getByRole('status').filter({ hasText: `Key "${name}" was deleted.` }).waitFor();
  assert.equal(await page.locator('.keys-table tr', { hasText: name }).count(), 0);
  await screenshot(page, config, 'account');
});

scenario('the Anomalies tab lists flagged points and acknowledging one closes it', mockOnly, async (page) => {
  await openApp(page, config);
  await page.getByLabel('Time range', { exact: true }).selectOption('24h');
  await openTab(page, 'Anomalies');
  const card = page.getByRole('region', { name: 'Anomalies' });
  await card.waitFor();
  const rows = card.locator('tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 2);
  const open = rows.filter({ hasText: 'memory / Current RSS' });
  assert.equal(await open.locator('td').nth(1).textContent(), 'Metric');
  assert.equal(await open.locator('td').nth(4).textContent(), '912 MiB');
  assert.equal(await open.locator('td').nth(5).textContent(), '0.98');
  assert.equal(await card.locator('th').nth(5).textContent(), 'Score');
  assert.equal(await page.getByRole('region', { name: 'Anomaly threshold' })
    .locator('.anomaly-threshold-value').textContent(), '0.9');
  assert.match(await open.textContent(), /expected about/);
  assert.equal(await rows.filter({ hasText: 'cpu / CPU usage' }).getByText('Acknowledged').count(), 1);
  await screenshot(page, config, 'anomalies');
  await open.getByRole('button', { name: /^Acknowledge memory \/ Current RSS/ }).click();
  await open.getByText('Acknowledged').waitFor();
  assert.equal(await card.getByRole('button', { name: /^Acknowledge/ }).count(), 0);
  const chart = new URL((await open.locator('a.anomaly-chart').getAttribute('href')).slice(1), 'http://x');
  assert.equal(chart.pathname, '/apps/1/metrics');
  assert.equal(chart.searchParams.get('host'), 'web-2');
  assert.equal(Number(chart.searchParams.get('to')) - Number(chart.searchParams.get('from')), 4 * 3600);
  await open.locator('a.anomaly-chart').click();
  const rss = page.locator('.metric-card[data-metric="memory/Current RSS"]');
  await rss.locator('canvas').waitFor();
  assert.equal(await rss.locator('.metric-anomalies').textContent(), '1 anomaly');
  assert.equal(await page.locator('.metric-anomalies').count(), 1, 'only the flagged series is marked');
  await screenshot(page, config, 'metrics-anomaly-marker');
  await page.locator('nav.breadcrumb a', { hasText: 'Applications' }).click();
  const demoRow = page.locator('.apps-table tbody tr', { has: page.locator('a.app-link', { hasText: /^demo$/ }) });
  await demoRow.waitFor();
  assert.equal(await demoRow.locator('.badge-warning').count(), 0, 'no open anomaly left');
});

scenario('the Anomalies tab shows the account threshold, which an owner changes within bounds', {}, async (page) => {
  await openApp(page, config);
  await openTab(page, 'Anomalies');
  const region = () => page.getByRole('region', { name: 'Anomaly threshold' });
  const value = () => region().locator('.anomaly-threshold-value');
  await value().waitFor();
  assert.equal(await value().textContent(), '0.9');
  assert.match(await region().textContent(), /the default/);
  // Out of bounds: the server's 400 reason is shown and nothing changes.
  await region().locator('input[name="threshold"]').fill('1.5');
  await region().getByRole('button', { name: 'Save threshold' }).click();
  await region().getByRole('alert').filter({ hasText: 'from 0.5 to 0.999' }).waitFor();
  assert.equal(await value().textContent(), '0.9');
  await region().locator('input[name="threshold"]').fill('0.95');
  await region().getByRole('button', { name: 'Save threshold' }).click();
  await region().locator('.anomaly-threshold-value', { hasText: '0.95' }).waitFor();
  assert.match(await region().textContent(), /default 0\.9/);
  await screenshot(page, config, 'anomalies-threshold');
  await region().getByRole('button', { name: 'Back to the default' }).click();
  await region().locator('.anomaly-threshold-value', { hasText: /^0\.9$/ }).waitFor();
});

scenario('leaks, regressions and new errors read by kind and link to the heap profile, compare view and errors', mockOnly, async (page) => {
  await openApp(page, config);
  await page.getByLabel('Time range', { exact: true }).selectOption('7d');
  await openTab(page, 'Anomalies');
  const card = page.getByRole('region', { name: 'Anomalies' });
  const rowOf = (kind) => card.locator(`tbody tr[data-kind="${kind}"]`);
  await rowOf('leak').waitFor();
  const link = async (kind) => new URL((await rowOf(kind).locator('a.anomaly-chart').getAttribute('href')).slice(1), 'http://x');

  const leak = rowOf('leak');
  assert.equal(await leak.locator('td').nth(1).textContent(), 'Leak');
  assert.equal(await leak.locator('td').nth(2).textContent(), 'Heap in use: cache_put');
  assert.equal(await leak.locator('td').nth(4).textContent(), '12 MiB/h');
  const heap = await link('leak');
  assert.equal(heap.pathname, '/apps/1/inuse');
  assert.equal(Number(heap.searchParams.get('to')) - Number(heap.searchParams.get('from')), 21600);
  assert.equal(heap.searchParams.get('host'), 'web-1');

  const regression = rowOf('regression');
  assert.equal(await regression.locator('td').nth(1).textContent(), 'Regression');
  assert.equal(await regression.locator('td').nth(2).textContent(), 'escape_html (CPU)');
  assert.equal(await regression.locator('td').nth(4).textContent(), '8.0 % → 31.0 %');
  const compare = await link('regression');
  assert.equal(compare.pathname, '/apps/1/compare');
  assert.equal(compare.searchParams.get('cmp_mode'), 'versions');
  assert.equal(compare.searchParams.get('cmp_a'), '1.2');
  assert.equal(compare.searchParams.get('cmp_b'), '1.3');
  assert.equal(compare.searchParams.get('cmp_kind'), 'cpu');

  const error = rowOf('error');
  assert.equal(await error.locator('td').nth(2).textContent(), 'TimeoutError');
  assert.match(await error.textContent(), /New exception type TimeoutError at fetch_upstream/);
  assert.equal((await link('error')).pathname, '/apps/1/errors');
  await screenshot(page, config, 'anomalies-kinds');

  await regression.locator('a.anomaly-chart').click();
  await page.locator('.compare-view').waitFor();
  assert.equal(await page.locator('select[name="cmp_mode"]').inputValue(), 'versions');
});

scenario('muting an anomaly rule from the Anomalies tab dims its rows until unmuted', mockOnly, async (page) => {
  await openApp(page, config);
  await page.getByLabel('Time range', { exact: true }).selectOption('24h');
  await openTab(page, 'Anomalies');
  const card = page.getByRole('region', { name: 'Anomalies' });
  const cpu = card.locator('tbody tr', { hasText: 'cpu / CPU usage' });
  await cpu.waitFor();
  assert.equal(await card.locator('tbody tr.anomaly-muted').count(), 0);
  // Choosing "until…" shows a date input: at 1440 and at 800 px the row still fits its card
  // (the Host column stays in view) and the "every host" box sits beside its words.
  for (const width of [1440, 800]) {
    await page.setViewportSize({ width, height: 900 });
    await cpu.getByLabel('Mute cpu / CPU usage', { exact: true }).selectOption({ label: 'until…' });
    await cpu.getByLabel('Mute cpu / CPU usage until').waitFor();
    await screenshot(page, config, `anomalies-mute-until-${width}px`);
    const cardBox = await card.boundingBox();
    const tableBox = await card.locator('table').boundingBox();
    assert.ok(tableBox.x + tableBox.width <= cardBox.x + cardBox.width + 1,
      `at ${width} px the table (${Math.round(tableBox.x + tableBox.width)}) ends inside its card (${Math.round(cardBox.x + cardBox.width)})`);
    const host = await cpu.locator('td', { hasText: 'web-1' }).first().boundingBox();
    assert.ok(host.x + host.width <= cardBox.x + cardBox.width, `at ${width} px the host cell is in the card`);
    const box = await cpu.getByLabel('Mute cpu / CPU usage on every host').boundingBox();
    const words = await cpu.locator('.mute-all-hosts').boundingBox();
    assert.ok(words.height < 2 * box.height + 4 && words.width > box.width + 20,
      `at ${width} px the checkbox (${JSON.stringify(box)}) is beside its words (${JSON.stringify(words)})`);
    await cpu.getByLabel('Mute cpu / CPU usage', { exact: true }).selectOption({ label: 'Mute…' });
  }
  await page.setViewportSize({ width: 1440, height: 900 });
  const [request] = await Promise.all([
    page.waitForRequest((r) => r.url().endsWith('/rules') && r.method() === 'POST'),
    cpu.getByLabel('Mute cpu / CPU usage', { exact: true }).selectOption({ label: 'for 1 day' }),
  ]);
  const rule = request.postDataJSON();
  assert.deepEqual({ ...rule, until: undefined }, { kind: 'metric', category: 'cpu', name: 'CPU usage', host: 'web-1',
    environment: 'prod', until: undefined }, 'the row\'s host and environment');
  assert.ok(Math.abs(rule.until - (Date.now() / 1000 + 86400)) < 120, 'muted for a day from now');
  const mutedCpu = card.locator('tbody tr.anomaly-muted', { hasText: 'cpu / CPU usage' });
  await mutedCpu.waitFor();
  assert.match(await mutedCpu.locator('.rule-state').textContent(), /^Muted until \d{4}-\d\d-\d\d \d\d:\d\d/);
  // Turned off on every host: "Off" until turned back on.
  const rss = card.locator('tbody tr', { hasText: 'memory / Current RSS' });
  await rss.getByLabel('Mute memory / Current RSS on every host').check();
  await rss.getByLabel('Mute memory / Current RSS', { exact: true }).selectOption({ label: 'off until turned on' });
  const offRss = card.locator('tbody tr.anomaly-muted', { hasText: 'memory / Current RSS' });
  await offRss.waitFor();
  assert.match(await offRss.locator('.rule-state').textContent(), /^Off/);
  assert.equal(await card.locator('tbody tr.anomaly-muted').count(), 2);
  const rules = page.getByRole('region', { name: 'Muted rules' });
  assert.deepEqual(await rules.locator('tbody tr').evaluateAll((rows) => rows.map((row) => row.children[2].textContent)),
    ['every host · prod', 'web-1 · prod'], 'the rules in force, newest first, with their scope');
  await screenshot(page, config, 'anomalies-muted');
  await mutedCpu.getByRole('button', { name: 'Unmute cpu / CPU usage' }).click();
  await card.locator('tbody tr:not(.anomaly-muted)', { hasText: 'cpu / CPU usage' }).waitFor();
  await card.locator('tbody tr.anomaly-muted', { hasText: 'memory / Current RSS' })
    .getByRole('button', { name: 'Unmute memory / Current RSS' }).click();
  await card.locator('tbody tr:not(.anomaly-muted)', { hasText: 'memory / Current RSS' }).waitFor();
  assert.equal(await card.locator('tbody tr.anomaly-muted').count(), 0);
  assert.equal(await page.getByRole('region', { name: 'Muted rules' }).count(), 0, 'no rule left in force');
});

scenario('a user changes their own password on the Account page', mockOnly, async (page) => {
  await logIn(page, config);
  await page.locator('nav.topnav a', { hasText: 'Account' }).click();
  const form = page.getByRole('form', { name: 'Change your password' });
  await form.getByLabel('Current password').fill('not my password');
  await form.getByLabel('New password').fill('a brand new one');
  await form.getByRole('button', { name: 'Change password' }).click();
  await form.getByRole('alert').filter({ hasText: 'the current password is wrong' }).waitFor();
  await form.getByLabel('Current password').fill(config.password);
  const [request] = await Promise.all([
    page.waitForRequest((r) => r.url().endsWith('/api/me/password') && r.method() === 'POST'),
    form.getByRole('button', { name: 'Change password' }).click(),
  ]);
  assert.ok(request.headers()['x-csrf-token'], 'the change carries the CSRF header');
  await page.getByRole('status').filter({ hasText: 'Your password was changed' }).waitFor();
  // Back as it was: the other scenarios log in with it.
  const again = page.getByRole('form', { name: 'Change your password' });
  await again.getByLabel('Current password').fill('a brand new one');
  await again.getByLabel('New password').fill(config.password);
  await again.getByRole('button', { name: 'Change password' }).click();
  await page.getByRole('status').filter({ hasText: 'Your password was changed' }).waitFor();
});

scenario('a webhook is added in the Account view and shown only masked afterwards', {}, async (page) => {
  await logIn(page, config);
  await page.locator('nav.topnav a', { hasText: 'Account' }).click();
  await page.getByRole('heading', { name: 'Webhooks' }).waitFor();
  const name = `hook-${Date.now()}`;
  const secret = `T000/B000/browser-secret-${Date.now()}-WXYZ`;
  await page.getByLabel('Webhook name').fill(name);
  await page.getByLabel('Webhook URL').fill(`https://hooks.example.com/services/${secret}`);
  await page.getByLabel('Format').selectOption('slack');
  await page.getByRole('button', { name: 'Add webhook' }).click();
  const row = page.locator('.webhooks-table tr', { hasText: name });
  await row.waitFor();
  assert.equal(await row.locator('.webhook-url').textContent(), 'https://hooks.example.com/…WXYZ');
  assert.ok(!(await page.content()).includes('browser-secret'), 'the page holds no copy of the URL');
  await page.reload();
  await row.waitFor();
  assert.ok(!(await page.content()).includes('browser-secret'), 'nor after a reload');
  await screenshot(page, config, 'webhooks');
  // A form's controls line up although some fields have a hint below them.
  for (const form of await page.locator('form.inline-form').all()) {
    const tops = await form.locator('input:not([type=checkbox]), select, button').evaluateAll(
      (controls) => controls.map((control) => Math.round(control.getBoundingClientRect().top)));
    assert.ok(tops.length > 0 && Math.max(...tops) - Math.min(...tops) <= 2, `controls at one height: ${tops}`);
  }
  await row.getByRole('button', { name: 'Send test' }).click();
  await row.getByText('Test queued').waitFor();
  await row.getByRole('button', { name: 'Delete' }).click();
  await row.getByRole('button', { name: 'Yes, delete' }).click();
  await page.getByRole('status').filter({ hasText: `Webhook "${name}" was deleted.` }).waitFor();
});

scenario('the Spans tab shows latency, the p95 trend and a span\'s own flame graph', mockOnly, async (page) => {
  await openApp(page, config);
  await openTab(page, 'Spans');
  const table = page.getByTestId('spans-table');
  await table.locator('tr[data-span="handle_request"]').waitFor();
  const cells = await table.locator('tr[data-span="handle_request"] td').allTextContents();
  assert.deepEqual(cells, ['handle_request', '1,200', '12 ms', '48 ms', '95 ms', '180 ms', '▲ 20.0 % slower']);
  assert.equal(await table.locator('tr[data-span="render_page"] td.trend').textContent(), 'new');
  assert.equal(await table.locator('tr[aria-selected="true"]').getAttribute('data-span'), 'handle_request',
    'the busiest span is selected first');
  const query = await nextProfileRequest(page, () => table.locator('tr[data-span="render_page"] button').click());
  assert.equal(query.span, 'render_page');
  assert.equal(query.kind, 'cpu');
  await page.locator('.latency-card[data-span="render_page"] canvas').first().waitFor();
  await flameFrame(page, 'format_row').waitFor();
  assert.equal(await flameFrame(page, 'parse_request').count(), 0, 'parse_request ran outside render_page');
  assert.match(page.url(), /#\/apps\/1\/spans\?.*span=render_page/);
  await screenshot(page, config, 'spans-mock');
  const alloc = await nextProfileRequest(page, () => page.locator('button.chip[data-profile="alloc"]').click());
  assert.deepEqual([alloc.kind, alloc.span], ['alloc', 'render_page']);
  await flameFrame(page, 'std::string::append').waitFor();
});

const withSpans = config.spans ? {} : { skip: 'needs SIAGENT_SPANS_APP (a real dashboard with span_demo\'s data)' };
scenario('the Spans tab lists the spans, charts one and filters its flame graph to it', withSpans, async (page) => {
  const { app, span, hotFunction, otherFunction } = config.spans;
  await openApp(page, config, app);
  await openTab(page, 'Spans');
  const table = page.getByTestId('spans-table');
  await table.waitFor();
  const names = await table.locator('tbody tr').evaluateAll((rows) => rows.map((row) => row.dataset.span));
  for (const name of ['fast', 'slow', span]) assert.ok(names.includes(name), `span ${name} is listed (${names})`);
  const fast = await table.locator('tr[data-span="fast"] td').allTextContents();
  assert.equal(fast[1], '400', 'fast ran 400 times');
  assert.match(fast[3], /ms$/, 'a p95 in milliseconds');
  const cpuInSpan = (r) => new URL(r.url()).pathname.endsWith('/profile')
    && new URL(r.url()).searchParams.get('span') === span && new URL(r.url()).searchParams.get('kind') === 'cpu';
  await Promise.all([page.waitForRequest(cpuInSpan),
    table.locator(`tr[data-span="${span}"] button`).click()]);
  await page.locator(`.latency-card[data-span="${span}"] canvas`).first().waitFor();
  await page.locator(`.span-profile[data-span="${span}"] [data-testid=flame-graph]`).waitFor();
  await flameFrame(page, hotFunction).waitFor();
  assert.equal(await flameFrame(page, otherFunction).count(), 0, `${otherFunction} ran in another span`);
  assert.ok((await hotspotFunctions(page)).some((name) => name.includes(hotFunction)));
  await screenshot(page, config, 'spans');
  const blocking = (r) => new URL(r.url()).searchParams.get('kind') === 'block'
    && new URL(r.url()).searchParams.get('span') === span;
  await Promise.all([page.waitForRequest(blocking), page.locator('button.chip[data-profile="block"]').click()]);
  await page.locator('button.chip[data-profile="block"][aria-pressed="true"]').waitFor();
});

scenario('logging out returns to the login page and ends the session', {}, async (page) => {
  await logIn(page, config);
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('button', { name: 'Log in' }).waitFor();
  await page.goto('/#/apps');
  await page.getByRole('button', { name: 'Log in' }).waitFor();
  assert.match(page.url(), /#\/login/);
  const status = await page.evaluate(async () => (await fetch('/api/apps')).status);
  assert.equal(status, 401);
});

scenario('a hot spot\'s sandwich view shows its callers and callees above the flame graph, and closes', {}, async (page) => {
  await openApp(page, config);
  await flameFrame(page, config.hotFunction).waitFor();
  const name = (await hotspotFunctions(page)).find((fn) => fn.includes(config.hotFunction));
  await page.getByRole('button', { name: `Sandwich view of ${name}`, exact: true }).click();
  const card = page.getByTestId('sandwich-card');
  await card.waitFor();
  assert.equal(await card.locator('h2').textContent(), `Sandwich: ${name}`);
  assert.ok((await card.locator('.sandwich-total').textContent()).startsWith(`${name}: total `));
  assert.match(await card.locator('.sandwich-total').textContent(), /\([\d.<]+ % of the profile\)$/);
  assert.equal(await card.locator('[data-testid=flame-graph]').count(), 2);
  const callers = card.locator('.sandwich-part[data-part="callers"]');
  const callees = card.locator('.sandwich-part[data-part="callees"]');
  await callers.locator('g[name]').first().waitFor();
  await callees.locator('g[name]').first().waitFor();
  const above = await page.evaluate(() => {
    const [sandwich, flame] = [document.querySelector('.sandwich-card'), document.querySelector('.flame-card')];
    return Boolean(sandwich.compareDocumentPosition(flame) & Node.DOCUMENT_POSITION_FOLLOWING);
  });
  assert.ok(above, 'the card is above the flame graph');
  if (config.usesMock) {
    // main → serve_forever → handle_request → render_response → format_row, escape_html (two lines).
    assert.equal(await card.locator('.sandwich-total').textContent(),
      'render_response: total 37 % (59.68 % of the profile)');
    await callers.locator('g[name^="handle_request (server.cpp:40)"]').waitFor();
    await callers.locator('g[name^="main (demo.cpp:120)"]').waitFor();
    assert.equal(await callers.locator('g[name^="format_row"]').count(), 0, 'a callee is not a caller');
    await callees.locator('g[name="escape_html (render.cpp)"]').waitFor();
    assert.equal(await callees.locator('g[name^="handle_request"]').count(), 0, 'a caller is not a callee');
  }
  await screenshot(page, config, 'sandwich');
  if (config.usesMock) {
    // Another function's sandwich replaces the card.
    await page.getByRole('button', { name: 'Sandwich view of format_row', exact: true }).click();
    await card.locator('h2', { hasText: 'Sandwich: format_row' }).waitFor();
    assert.equal(await card.count(), 1);
  }
  await card.getByRole('button', { name: /^Close the sandwich view of / }).click();
  await card.waitFor({ state: 'detached' });
  await flameFrame(page, config.hotFunction).waitFor();
});
