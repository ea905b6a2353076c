// Takes the README's screenshot, docs/screenshot.png: the programme office's home page at
// 1280×800, signed in as the demo account `office`.
//
// Usage (against a running `shoumi demo`):
//   SHOUMI_DEMO_PASSWORD=... node tests/browser/screenshot.mjs [user] [path]
// Env: SHOUMI_URL (default http://127.0.0.1:18080), CHROMIUM_PATH (default /usr/bin/chromium).

import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE_URL = (process.env.SHOUMI_URL || 'http://127.0.0.1:18080').replace(/\/+$/, '');
const PASSWORD = process.env.SHOUMI_DEMO_PASSWORD;
const user = process.argv[2] || 'office';
const pathArg = process.argv[3] || join(dirname(fileURLToPath(import.meta.url)), '../../docs/screenshot.png');
const out = resolve(pathArg);

if (!PASSWORD) {
  console.error('SHOUMI_DEMO_PASSWORD must be set');
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
try {
  const context = await browser.newContext({
    baseURL: BASE_URL,
    viewport: { width: 1280, height: 800 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  const page = await context.newPage();
  await page.goto('/login');
  await page.fill('#username', user);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL((u) => u.pathname === '/home'), page.click('#login-submit')]);
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
}
