// The HTML report in headless Chromium: the charts render, nothing is fetched, nothing logs an
// error. Screenshots go to test-results/ for a person to look at.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLoadtestOptions } from '../../../src/loadtest/options.js';
import { prepareLoadtest, runPrepared } from '../../../src/loadtest/outcome.js';
import { renderHtml } from '../../../src/loadtest/report-html.js';
import type { ReportExtras } from '../../../src/loadtest/report-text.js';
import type { LoadtestResult } from '../../../src/loadtest/result.js';
import { loadtest } from '../../support/loadtest-checks.js';
import { freePort, REPO, startNginx, startStallServer, type Nginx } from '../../support/loadtest-servers.js';

const CHROMIUM = '/usr/bin/chromium';
const OUT = join(REPO, 'test-results');

describe.skipIf(!existsSync(CHROMIUM))('HTML report in Chromium', () => {
  let context: BrowserContext;
  let profile: string;
  let nginx: Nginx;
  let stall: Awaited<ReturnType<typeof startStallServer>>;

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    profile = mkdtempSync(join(tmpdir(), 'albctl-chromium-'));
    [nginx, stall] = await Promise.all([startNginx(), startStallServer(1000, 150)]);
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1200, height: 900 },
    });
  });
  afterAll(async () => {
    await context?.close();
    await Promise.all([nginx?.stop(), stall?.stop()]);
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  async function open(result: LoadtestResult, name: string, colorScheme: 'light' | 'dark' = 'light', extras: ReportExtras = {}) {
    const file = join(OUT, `${name}.html`);
    writeFileSync(file, renderHtml(result, extras));
    const page = await context.newPage();
    await page.emulateMedia({ colorScheme });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`file://${file}`);
    await page.screenshot({ path: join(OUT, `${name}${colorScheme === 'dark' ? '-dark' : ''}.png`), fullPage: true });
    return { page, problems, requests, file };
  }

  it('renders every chart of an open-model run, self-contained', async () => {
    const r = await loadtest({ rate: 600, duration: 3, connections: 6 }, `http://127.0.0.1:${stall.port}/`);
    const { page, problems, requests, file } = await open(r, 'loadtest-report');
    expect(problems).toEqual([]);
    expect(requests).toEqual([`file://${file}`]);
    for (const id of ['latency-time', 'throughput', 'histogram', 'spectrum', 'targets', 'status']) {
      await expect(page.locator(`#${id} svg.chart`).count(), id).resolves.toBeGreaterThan(0);
    }
    // Four percentile lines over time, bars per second, histogram bars, two spectrum curves.
    expect(await page.locator('#latency-time path.line').count()).toBe(4);
    expect(await page.locator('#throughput rect.bar').count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator('#histogram rect.bar').count()).toBeGreaterThan(5);
    expect(await page.locator('#spectrum path.line').count()).toBe(2);
    expect(await page.locator('#targets rect.bar').count()).toBe(1);
    await expect(page.locator('.kpi-value').first().textContent()).resolves.toMatch(/\/s$/);
    // The open model's target rate is drawn across the throughput chart.
    await expect(page.locator('#throughput .target-rate text').textContent()).resolves.toBe('target 600/s');
    // One font size for the axis labels of every chart, as rendered.
    const sizes = await page.locator('svg.chart text.tick').evaluateAll((els) => [...new Set(els.map((e) => Math.round(e.getBoundingClientRect().height)))]);
    expect(sizes.length, `tick label heights ${sizes.join(', ')}`).toBe(1);
    // Percentile labels sit above the histogram's bars, never on them.
    const labels = await page.locator('#histogram .marker text').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().bottom));
    const barTop = await page.locator('#histogram rect.bar').evaluateAll((els) => Math.min(...els.map((e) => e.getBoundingClientRect().top)));
    expect(labels).toHaveLength(3);
    for (const bottom of labels) expect(bottom).toBeLessThanOrEqual(barTop + 0.5);
    // Charts have a real size on the page.
    const box = await page.locator('#latency-time svg.chart').boundingBox();
    expect(box!.width).toBeGreaterThan(600);
    expect(box!.height).toBeGreaterThan(150);
    await page.close();
  });

  it('--compare and relative thresholds on two real runs: thresholds at the top, the baseline beside each figure', async () => {
    const baselineFile = join(OUT, 'loadtest-baseline.json');
    const fast = await runPrepared(await prepareLoadtest(parseLoadtestOptions({ connections: 4, duration: 1.5 }, `http://127.0.0.1:${nginx.port}/`)));
    writeFileSync(baselineFile, JSON.stringify(fast.doc));
    // The same load against a server that stalls 150 ms every second: p99 far worse than nginx's.
    const options = parseLoadtestOptions(
      { connections: 4, duration: 2, compare: baselineFile, assert: ['p99 < +10%', 'rps > -99.9%', 'errors < 1%'] },
      `http://127.0.0.1:${stall.port}/`,
    );
    const slow = await runPrepared(await prepareLoadtest(options));
    expect(slow.doc.assertions!.map((a) => [a.expr, a.ok])).toEqual([
      ['p99 < +10%', false],
      ['rps > -99.9%', true],
      ['errors < 1%', true],
    ]);
    expect(slow.doc.assertions![0]!.actual).toBeGreaterThan(10);
    expect(slow.exitCode).toBe(4);
    const { page, problems } = await open(slow.result, 'loadtest-report-compare', 'light', { assertions: slow.doc.assertions, comparison: slow.comparison, baseline: baselineFile });
    expect(problems).toEqual([]);
    await expect(page.locator('#thresholds h2').textContent()).resolves.toBe('Thresholds: 2 of 3 met');
    await expect(page.locator('#thresholds tr.fail code').textContent()).resolves.toBe('p99 < +10%');
    // Near the top: above every chart.
    const thresholdsY = (await page.locator('#thresholds').boundingBox())!.y;
    expect(thresholdsY).toBeLessThan((await page.locator('#latency-time').boundingBox())!.y);
    expect(thresholdsY).toBeLessThan(700);
    const p99 = page.locator('#compare tr', { hasText: 'p99' }).first();
    await expect(p99.getAttribute('class')).resolves.toBe('worse');
    await expect(p99.locator('td.change').textContent()).resolves.toMatch(/^\+\d+%$/);
    await expect(page.locator('.kpi-sub').nth(2).textContent()).resolves.toMatch(/^baseline .* · \+\d+%$/);
    await page.close();
  });

  it('the run table reads at 420 px wide', async () => {
    const r = await loadtest({ connections: 2, duration: 1, connectTo: `::127.0.0.1:${nginx.port}` }, 'http://a-long-load-balancer-name-1234567890.eu-west-1.elb.amazonaws.com/');
    const file = join(OUT, 'loadtest-report-narrow.html');
    writeFileSync(file, renderHtml(r));
    const page = await context.newPage();
    await page.setViewportSize({ width: 420, height: 900 });
    await page.goto(`file://${file}`);
    await page.locator('#run').screenshot({ path: join(OUT, 'loadtest-report-narrow-run.png') });
    // Nothing wider than the page, and each label sits above its value, which wraps at word ends.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(420);
    const dt = (await page.locator('#run dt').first().boundingBox())!;
    const dd = (await page.locator('#run dd').first().boundingBox())!;
    expect(dd.y).toBeGreaterThan(dt.y);
    expect(dd.width).toBeGreaterThan(300);
    await expect(page.locator('#run').textContent()).resolves.toContain('Addresses');
    await page.close();
  });

  it('renders a closed-model run in dark mode', async () => {
    const r = await loadtest({ connections: 8, duration: 2 }, `http://127.0.0.1:${nginx.port}/`);
    const { page, problems, requests } = await open(r, 'loadtest-report-closed', 'dark');
    expect(problems).toEqual([]);
    expect(requests).toHaveLength(1);
    expect(await page.locator('#spectrum path.line').count()).toBe(1);
    await page.close();
  });

  it('renders a run where every request failed, and escapes what servers send', async () => {
    const r = await loadtest({ connections: 2, duration: 0.5 }, `http://127.0.0.1:${await freePort()}/`);
    r.targets = { '<script>alert(1)</script>': 1 };
    r.stickiness = { users: 1, pinned: 1 };
    const { page, problems, requests } = await open(r, 'loadtest-report-failed');
    expect(problems).toEqual([]);
    expect(requests).toHaveLength(1);
    await expect(page.locator('.kpi.bad').count()).resolves.toBeGreaterThan(0);
    await expect(page.locator('#status').textContent()).resolves.toMatch(/refused/);
    await expect(page.locator('#targets').textContent()).resolves.toContain('<script>');
    expect(await page.locator('script').count()).toBe(0);
    await page.close();
  });
});
