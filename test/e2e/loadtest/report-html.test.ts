// The HTML report in headless Chromium: the charts render, nothing is fetched, nothing logs an
// error. Screenshots go to test-results/ for a person to look at.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../../src/loadtest/report-html.js';
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
    if (!existsSync(CHROMIUM)) console.warn(`skipping: ${CHROMIUM} is not installed`);
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

  async function open(result: LoadtestResult, name: string, colorScheme: 'light' | 'dark' = 'light') {
    const file = join(OUT, `${name}.html`);
    writeFileSync(file, renderHtml(result));
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
    // Charts have a real size on the page.
    const box = await page.locator('#latency-time svg.chart').boundingBox();
    expect(box!.width).toBeGreaterThan(600);
    expect(box!.height).toBeGreaterThan(150);
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
