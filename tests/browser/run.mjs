// Browser tests of the shoumi web interface, in headless Chromium.
//
// A deliberately small runner (no test framework to download): Chromium is launched once,
// every scenario runs in fresh browser contexts of its own, a failing scenario leaves a
// screenshot of each of its pages in tests/browser/out/, and the run ends with the line
// `N passed, M failed` (exit status 1 when M > 0).
//
// Usage:   node run.mjs [name-substring ...]
// Env:     SHOUMI_URL            base URL of a running `shoumi demo` (default http://127.0.0.1:18080)
//          SHOUMI_DEMO_PASSWORD  the password of every demo account (required)
//          CHROMIUM_PATH         browser binary (default /usr/bin/chromium)
//
// The selectors used here are the UI contract the pages implement: change both together.
// To add a scenario, append `scenario('behaviour_in_words', async (t) => { ... })` below.

import { createHash, getHashes, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE_URL = (process.env.SHOUMI_URL || 'http://127.0.0.1:18080').replace(/\/+$/, '');
const PASSWORD = process.env.SHOUMI_DEMO_PASSWORD;
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const OUT_DIR = join(dirname(fileURLToPath(import.meta.url)), 'out');
const TIMEOUT_MS = 15_000;

// ---------------------------------------------------------------------------------------------
// The runner

const scenarios = [];

/** Registers a scenario; `fn` receives a context `t` (see `runScenario`). */
function scenario(name, fn) {
  scenarios.push({ name, fn });
}

class AssertionError extends Error {}

function assert(cond, message) {
  if (!cond) throw new AssertionError(message);
}

function assertEqual(actual, expected, what) {
  assert(
    actual === expected,
    `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`,
  );
}

async function runScenario(browser, { name, fn }) {
  const contexts = [];
  const t = {
    /** A fresh, isolated browser context (own cookies) with one page. */
    async newPage() {
      const context = await browser.newContext({
        baseURL: BASE_URL,
        viewport: { width: 1280, height: 800 },
        locale: 'zh-CN',
        timezoneId: 'Asia/Shanghai',
      });
      context.setDefaultTimeout(TIMEOUT_MS);
      context.setDefaultNavigationTimeout(TIMEOUT_MS);
      contexts.push(context);
      const page = await context.newPage();
      // Surface uncaught page errors in the failure report: the pages must not throw.
      page.on('pageerror', (err) => console.log(`#   [${name}] page error: ${err.message}`));
      return page;
    },
    /** A fresh context signed in as `username`; returns its page, on /home. */
    async signIn(username) {
      const page = await t.newPage();
      await signIn(page, username);
      return page;
    },
  };
  try {
    await fn(t);
    console.log(`ok - ${name}`);
    return true;
  } catch (err) {
    console.log(`not ok - ${name}`);
    for (const line of String(err && err.stack ? err.stack : err).split('\n')) {
      console.log(`#   ${line}`);
    }
    mkdirSync(OUT_DIR, { recursive: true });
    let i = 0;
    for (const context of contexts) {
      for (const page of context.pages()) {
        const file = join(OUT_DIR, `${name}-${++i}.png`);
        try {
          await page.screenshot({ path: file, fullPage: true });
          console.log(`#   screenshot of ${page.url()}: ${file}`);
        } catch (e) {
          console.log(`#   (no screenshot: ${e.message})`);
        }
      }
    }
    return false;
  } finally {
    for (const context of contexts) await context.close().catch(() => {});
  }
}

async function main() {
  if (!PASSWORD) {
    console.error('SHOUMI_DEMO_PASSWORD must be set to the password of the demo accounts');
    process.exit(2);
  }
  const filters = process.argv.slice(2);
  const selected = scenarios.filter(
    (s) => filters.length === 0 || filters.some((f) => s.name.includes(f)),
  );
  if (selected.length === 0) {
    console.error(`no scenario matches ${JSON.stringify(filters)}`);
    process.exit(2);
  }
  rmSync(OUT_DIR, { recursive: true, force: true }); // screenshots of this run only
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Playwright gives each launch a fresh temporary profile (user-data-dir).
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  console.log(`# ${selected.length} scenarios against ${BASE_URL} (Chromium ${browser.version()})`);
  let passed = 0;
  let failed = 0;
  try {
    for (const s of selected) {
      if (await runScenario(browser, s)) passed++;
      else failed++;
    }
  } finally {
    await browser.close();
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

// ---------------------------------------------------------------------------------------------
// Helpers shared by the scenarios

/** Signs in on /login and waits to land on /home. Demo accounts need no password change. */
async function signIn(page, username) {
  const response = await page.goto('/login');
  assertEqual(response && response.status(), 200, 'GET /login status');
  await page.fill('#username', username);
  await page.fill('#password', PASSWORD);
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/home'),
    page.click('#login-submit'),
  ]);
}

/** Clicks an element that submits a form or follows a link, and waits for the new page. */
async function clickAndWait(page, selector) {
  const [response] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.click(selector),
  ]);
  return response;
}

/** Texts of the `a.enterprise-link`s on the page, with their absolute URLs. */
async function enterpriseLinks(page) {
  return page.$$eval('a.enterprise-link', (links) =>
    links.map((a) => ({ name: a.textContent.trim(), href: a.href })),
  );
}

/** The one enterprise an enterprise user can see on /enterprises. */
async function ownEnterprise(page) {
  const response = await page.goto('/enterprises');
  assertEqual(response && response.status(), 200, 'GET /enterprises status');
  const links = await enterpriseLinks(page);
  assertEqual(links.length, 1, 'number of enterprises visible to an enterprise user');
  assert(links[0].name.length > 0, 'the enterprise link has a name');
  return links[0];
}

const CREDIT_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** Appends the GB 32100-2015 check character to 17 characters of the code alphabet. */
function creditCode(first17) {
  assertEqual(first17.length, 17, `length of ${first17}`);
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = CREDIT_ALPHABET.indexOf(first17[i]);
    assert(v >= 0, `${first17[i]} is not in the credit-code alphabet`);
    sum += v * CREDIT_WEIGHTS[i];
  }
  return first17 + CREDIT_ALPHABET[(31 - (sum % 31)) % 31];
}

// Self-check against the worked example of the standard (also pinned by the domain tests).
assertEqual(creditCode('91350100M000100Y4'), '91350100M000100Y43', 'credit-code check character');

/** A random string of `n` decimal digits, so reruns never collide with earlier data. */
function digits(n) {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(Math.random() * 10);
  return s;
}

/** CSV text with CRLF line ends and a UTF-8 byte-order mark, as Excel writes it. */
function csvWithBom(rows) {
  const quote = (v) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  const text = rows.map((r) => r.map(quote).join(',')).join('\r\n') + '\r\n';
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
}

/** Whether this Node's OpenSSL has SM3 (GB/T 32905); without it SM3 is checked on vectors only. */
const NODE_HAS_SM3 = getHashes().includes('sm3');

/** SHA-256 and SM3 (null when Node lacks it) of `buffer` in hex, computed here, not by the page. */
function nodeDigests(buffer) {
  const hex = (alg) => createHash(alg).update(buffer).digest('hex');
  return { sha256: hex('sha256'), sm3: NODE_HAS_SM3 ? hex('sm3') : null };
}

// Self-check of Node's SM3 against the first example of GB/T 32905-2016.
if (NODE_HAS_SM3) {
  assertEqual(
    nodeDigests(Buffer.from('abc')).sm3,
    '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0',
    'Node SM3 of "abc"',
  );
}

/**
 * Chooses `file` ({name, mimeType, buffer}) in the `[data-hash-file]` input `selector` of a
 * `[data-hash-form]` page and waits for ledger.js to hash it; returns the digests it filled in.
 */
async function hashInPage(page, selector, file) {
  // Empty the fields first, so a digest of the previous file is not mistaken for this one's.
  await page.$$eval('#sha256, #sm3', (inputs) => inputs.forEach((i) => (i.value = '')));
  await page.setInputFiles(selector, file);
  await page.waitForFunction(() =>
    ['#sha256', '#sm3'].every((s) => /^[0-9a-f]{64}$/.test(document.querySelector(s).value)),
  );
  return page.$eval('#sha256', (sha) => ({
    sha256: sha.value,
    sm3: document.querySelector('#sm3').value,
    submitDisabled: sha.form.querySelector('button[type=submit]').disabled,
    status: (document.querySelector('#hash-status') || {}).textContent || '',
  }));
}

/**
 * Records the body of every request `page` sends, to check a file's bytes never leave it. Routed
 * rather than listened to: a `request` event has no body for a multipart form with a file part.
 */
async function recordRequestBodies(page) {
  const bodies = [];
  await page.route('**/*', (route) => {
    const r = route.request();
    if (r.method() !== 'GET') bodies.push({ url: r.url(), body: r.postDataBuffer() });
    return route.continue();
  });
  return bodies;
}

function assertNotSent(bodies, marker, what) {
  for (const { url, body } of bodies) {
    assert(body, `${what}: the body of the request to ${url} was seen`);
    assert(!body.includes(Buffer.from(marker)), `${what}: a request to ${url} carried the file's content`);
  }
}

// ---------------------------------------------------------------------------------------------
// Scenarios

scenario('town_officer_searches_enterprises_in_chinese_and_opens_one', async (t) => {
  const page = await t.signIn('town');

  // Pick a Chinese search term from an enterprise the officer can see.
  const list = await page.goto('/enterprises');
  assertEqual(list && list.status(), 200, 'GET /enterprises status');
  const first = (await enterpriseLinks(page))[0];
  assert(first, 'the town officer sees at least one enterprise');
  const han = [...first.name.matchAll(/\p{Script=Han}{2,}/gu)].map((m) => m[0]);
  assert(han.length > 0, `enterprise name ${first.name} has two adjacent Chinese characters`);
  // Two characters from the middle of the longest run: more distinctive than a 有限公司 suffix.
  const run = han.reduce((a, b) => (b.length > a.length ? b : a));
  const at = Math.max(0, Math.floor(run.length / 2) - 1);
  const term = run.slice(at, at + 2);

  await page.fill('#q', term);
  await clickAndWait(page, '#search-submit');

  const rows = page.locator('#enterprise-table tbody tr');
  const count = await rows.count();
  assert(count >= 1, `searching for ${term} finds at least one enterprise (found ${count})`);
  const divisions = await page.$$eval('#enterprise-table tbody tr .division', (cells) =>
    cells.map((c) => c.textContent.trim()),
  );
  assertEqual(divisions.length, count, 'every result row has a .division cell');
  for (const d of divisions) assertEqual(d, '梁村镇', 'division of a result row');
  const names = (await enterpriseLinks(page)).map((l) => l.name);
  assert(
    names.some((n) => n.includes(term)),
    `some result's name contains ${term}: ${JSON.stringify(names)}`,
  );

  const link = page.locator('#enterprise-table a.enterprise-link').first();
  const name = (await link.textContent()).trim();
  await clickAndWait(page, '#enterprise-table a.enterprise-link >> nth=0');
  const path = new URL(page.url()).pathname;
  assert(/^\/enterprises\/[a-z0-9]+$/.test(path), `detail URL ${path} is /enterprises/<id>`);
  const h1 = (await page.textContent('h1')) || '';
  assert(h1.includes(name), `h1 "${h1.trim()}" contains the name clicked, ${name}`);
});

scenario('enterprise_user_cannot_open_another_enterprise', async (t) => {
  const pageB = await t.signIn('enterprise-b');
  const own = await ownEnterprise(pageB);

  const pageA = await t.signIn('enterprise');
  const other = await ownEnterprise(pageA);
  assert(own.href !== other.href, 'the two demo enterprises are different');
  assert(own.name !== other.name, 'the two demo enterprises have different names');

  // Control: enterprise-b can open its own enterprise.
  const mine = await pageB.goto(own.href);
  assertEqual(mine && mine.status(), 200, `enterprise-b opening its own ${own.href}`);

  const response = await pageB.goto(other.href);
  assertEqual(response && response.status(), 404, `enterprise-b opening ${other.href}`);
  const body = await pageB.content();
  assert(!body.includes(other.name), `the 404 page does not reveal the name ${other.name}`);
  const h1 = ((await pageB.textContent('h1')) || '').trim();
  assert(/404|未找到/.test(h1), `error page h1 "${h1}" says 404 or 未找到`);
});

scenario('office_user_imports_a_file_with_a_bad_row_and_sees_the_row_report', async (t) => {
  const page = await t.signIn('office');
  const response = await page.goto('/enterprises/import');
  assertEqual(response && response.status(), 200, 'GET /enterprises/import status');

  const run = digits(6);
  const valid1 = { name: `浏览器测试甲${run}化工有限公司`, code: creditCode(`91371526MA${run}1`) };
  const valid2 = { name: `浏览器测试乙${run}机械有限公司`, code: creditCode(`91371526MA${run}2`) };
  const csv = csvWithBom([
    ['企业名称', '统一社会信用代码', '所属镇街代码', '行业'],
    [valid1.name, valid1.code, '371526101', 'C26'], // spreadsheet row 2
    [valid2.name, valid2.code, '371526101', 'C26'], // row 3
    [`浏览器测试丙${run}纺织有限公司`, '123', '371526101', 'C26'], // row 4: malformed code
  ]);
  await page.setInputFiles('#import-file', {
    name: `browser-test-${run}.csv`,
    mimeType: 'text/csv',
    buffer: csv,
  });
  await clickAndWait(page, '#import-submit');

  await page.waitForSelector('#import-report');
  const reportRows = await page.$$eval('#import-report tr', (trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td,th')].map((c) => c.textContent.trim())),
  );
  const rowNumber = (n) => (c) => new RegExp(`^(第\\s*)?${n}(\\s*行)?$`).test(c);
  const hit = reportRows.some(
    (cells) => cells.some(rowNumber(4)) && cells.some((c) => c.includes('统一社会信用代码')),
  );
  assert(
    hit,
    `the report names row 4, column 统一社会信用代码: ${JSON.stringify(reportRows)}`,
  );

  // A file with a bad row imports nothing.
  const search = await page.goto(`/enterprises?q=${encodeURIComponent(valid1.name)}`);
  assertEqual(search && search.status(), 200, 'GET /enterprises?q= status');
  const found = await page.locator('#enterprise-table tbody tr').count();
  const noResults = await page.locator('#no-results').count();
  assert(
    found === 0 || noResults > 0,
    `nothing was imported, but searching ${valid1.name} finds ${found} rows`,
  );
});

scenario('enterprise_applies_town_recommends_expert_scores_office_runs_publicity_and_designates_and_the_dashboard_counts_it', async (t) => {
  // The office's dashboard before: units holding the enterprise title now.
  const office = await t.signIn('office');
  const counted = async () => {
    const r = await office.goto('/dashboard');
    assertEqual(r && r.status(), 200, 'GET /dashboard status');
    assert((await office.locator('figure svg').count()) >= 2, 'the dashboard draws its charts as SVG');
    const text = await office.textContent('#target-enterprise-2025-12-31 .designated');
    return Number((text || '').trim());
  };
  const before = await counted();
  assert(Number.isInteger(before), `a designated count is shown (${before})`);

  // The enterprise applies for itself and submits, with a piece of evidence.
  const ent = await t.signIn('enterprise');
  const own = await ownEnterprise(ent);
  const created = await ent.goto('/demonstration/new?unit_type=enterprise');
  assertEqual(created && created.status(), 200, 'GET /demonstration/new status');
  const options = await ent.$$eval('#subject option', (os) => os.map((o) => o.textContent.trim()));
  assertEqual(JSON.stringify(options), JSON.stringify([own.name]), 'an enterprise may apply only for itself');
  await ent.fill('#statement', '浏览器测试：公司已建立商业秘密保护制度，明确秘点与密级。');
  await clickAndWait(ent, '#create-application');
  const url = new URL(ent.url()).pathname;
  assert(/^\/demonstration\/[a-z0-9]+$/.test(url), `the new application's page ${url}`);
  await ent.setInputFiles('#evidence-file', {
    name: '保密制度.pdf',
    mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.4\n% browser test evidence\n'),
  });
  await clickAndWait(ent, '#upload-file');
  assert((await ent.content()).includes('保密制度.pdf'), 'the uploaded file is listed');
  await clickAndWait(ent, '#step-submit button[type=submit]');
  assertEqual((await ent.textContent('#stage')).trim(), '待初审', 'stage after submitting');

  // 梁村's town officer recommends it.
  const town = await t.signIn('town');
  await town.goto(url);
  await town.fill('#reasons-recommend', '材料齐全，同意推荐。');
  await clickAndWait(town, '#step-recommend button[type=submit]');
  assertEqual((await town.textContent('#stage')).trim(), '评审中', 'stage after the first review');

  // The office assigns the expert, who scores every indicator.
  await office.goto(url);
  await office.selectOption('#assessor', 'expert');
  await clickAndWait(office, '#assign-assessor');
  const expert = await t.signIn('expert');
  const sheet = await expert.goto(`${url}/score`);
  assertEqual(sheet && sheet.status(), 200, 'the assessor opens the score sheet');
  const rows = expert.locator('#score-sheet tbody tr');
  const n = await rows.count();
  assert(n > 10, `the enterprise sheet has its indicators (${n})`);
  for (let i = 0; i < n; i++) {
    const points = Number((await rows.nth(i).locator('td.num').textContent()).trim());
    await rows.nth(i).locator('input').fill(String(Math.max(0, points - 1)));
  }
  await clickAndWait(expert, '#save-scores');
  assert((await expert.textContent('#message')).includes('已保存'), 'the scores are saved');

  // The office opens publicity. It runs for working days and cannot be backdated to before the
  // assessment, so designating now is refused with the date it ends.
  await office.goto(url);
  await clickAndWait(office, '#step-open_publicity button[type=submit]');
  assertEqual((await office.textContent('#stage')).trim(), '公示中', 'stage after the assessment');
  await clickAndWait(office, '#step-designate button[type=submit]');
  assert((await office.textContent('#message')).includes('公示期至'), 'designation waits for the end of publicity');
  assertEqual((await office.textContent('#stage')).trim(), '公示中', 'still in publicity');

  // After publicity the office designates: the demo holds an application whose publicity ended
  // without objection (the clock of a test run cannot wait five working days).
  const r = await office.goto('/demonstration?stage=publicity');
  assertEqual(r && r.status(), 200, 'GET /demonstration?stage=publicity');
  const links = await office.$$eval('a.application-link', (as) => as.map((a) => a.getAttribute('href')));
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  let ready = null;
  for (const href of links) {
    await office.goto(href);
    const span = ((await office.textContent('#publicity')) || '').split('—').map((x) => x.trim());
    if (span[1] && span[1].slice(0, 10) < today && (await office.locator('#step-designate').count()) > 0) {
      ready = href;
      break;
    }
  }
  assert(ready, `an application whose publicity is over (checked ${links.length})`);
  await clickAndWait(office, '#step-designate button[type=submit]');
  assertEqual((await office.textContent('#stage')).trim(), '已命名', 'stage after designation');
  const number = (await office.textContent('#designation-number')).trim();
  assert(number.includes('〔'), `a designation number is given (${number})`);

  assertEqual(await counted(), before + 1, 'the dashboard counts the new demonstration enterprise');
});

scenario('language_switch_shows_english', async (t) => {
  const page = await t.newPage();
  const response = await page.goto('/login');
  assertEqual(response && response.status(), 200, 'GET /login status');
  await clickAndWait(page, 'a#lang-switch');
  await page.waitForSelector('html[lang="en"]');
});

scenario('evidence_pages_hash_files_in_the_browser_like_gbt_32905_and_node', async (t) => {
  // The public verify page: the same ledger.js as the registration page, no sign-in needed.
  const page = await t.newPage();
  const bodies = await recordRequestBodies(page);
  const r = await page.goto('/evidence/verify');
  assertEqual(r && r.status(), 200, 'GET /evidence/verify status');

  // Known answers: FIPS 180-2 for SHA-256, GB/T 32905-2016 for SM3 ("abcd"×16 is exactly one
  // block, so its padding takes a second block), and the empty file.
  const vectors = [
    {
      data: Buffer.from('abc'),
      sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      sm3: '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0',
    },
    {
      data: Buffer.from('abcd'.repeat(16)),
      sha256: nodeDigests(Buffer.from('abcd'.repeat(16))).sha256,
      sm3: 'debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732',
    },
    {
      data: Buffer.alloc(0),
      sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      sm3: '1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b',
    },
  ];
  for (const [i, v] of vectors.entries()) {
    const got = await hashInPage(page, '#file', {
      name: `vector-${i}.txt`,
      mimeType: 'text/plain',
      buffer: v.data,
    });
    assertEqual(got.sha256, v.sha256, `SHA-256 of ${JSON.stringify(v.data.toString())}`);
    assertEqual(got.sm3, v.sm3, `SM3 of ${JSON.stringify(v.data.toString())}`);
  }

  // More than one 4 MiB chunk, with a marker straddling the chunk boundary.
  const marker = `shoumi-browser-hash-${digits(12)}`;
  const big = randomBytes(5 * 1024 * 1024 + 3);
  big.write(marker, 0);
  big.write(marker, 4 * 1024 * 1024 - 10);
  const want = nodeDigests(big);
  const got = await hashInPage(page, '#file', {
    name: 'big.bin',
    mimeType: 'application/octet-stream',
    buffer: big,
  });
  assertEqual(got.sha256, want.sha256, 'SHA-256 of 5 MiB + 3 bytes');
  if (want.sm3) assertEqual(got.sm3, want.sm3, 'SM3 of 5 MiB + 3 bytes');
  assertEqual(got.submitDisabled, false, 'the submit button is enabled again after hashing');
  assert(got.status.includes('未上传'), `the status says nothing was uploaded: ${got.status}`);
  assertNotSent(bodies, marker, 'hashing');
});

scenario('enterprise_registers_evidence_hashed_in_the_browser_and_anyone_verifies_the_proof', async (t) => {
  const page = await t.signIn('enterprise');
  const own = await ownEnterprise(page);
  const bodies = await recordRequestBodies(page);
  const response = await page.goto('/evidence');
  assertEqual(response && response.status(), 200, 'GET /evidence status');

  // A document of this run only, its content marked (its name and title are sent, not its bytes).
  const marker = `shoumi-browser-evidence-${digits(12)}`;
  const name = `计量记录-${digits(6)}.txt`;
  const doc = { name, mimeType: 'text/plain', buffer: Buffer.from(`浏览器存证测试\n${marker}\n`) };
  const want = nodeDigests(doc.buffer);

  const got = await hashInPage(page, '#file', doc);
  assertEqual(got.sha256, want.sha256, 'SHA-256 computed by the page');
  if (want.sm3) assertEqual(got.sm3, want.sm3, 'SM3 computed by the page');
  assertEqual(await page.$eval('#file_name', (i) => i.value), name, '#file_name');
  assertEqual(await page.$eval('#file_size', (i) => i.value), String(doc.buffer.length), '#file_size');
  assertEqual(await page.inputValue('#title'), name, '#title defaults to the file name');

  const title = `浏览器测试计量记录 ${name.slice(5, 11)}`;
  await page.fill('#title', title);
  await page.selectOption('#kind', 'measure-record');
  const submitters = await page.$$eval('#submitter option', (os) => os.map((o) => o.value));
  const uscc = submitters.find((v) => v.startsWith('uscc:'));
  assert(uscc, `the enterprise is a submitter choice: ${JSON.stringify(submitters)}`);
  await page.selectOption('#submitter', uscc);
  await clickAndWait(page, '#register-submit');

  // The certificate.
  const certPath = new URL(page.url()).pathname;
  assert(/^\/evidence\/\d+$/.test(certPath), `registering leads to a certificate, not ${page.url()}`);
  await page.waitForSelector('#certificate #registered');
  assertEqual((await page.textContent('#cert-sha256')).trim(), want.sha256, '#cert-sha256');
  const certText = await page.textContent('#certificate');
  assert(certText.includes(own.name), `the certificate names the enterprise ${own.name}`);
  assert(certText.includes(uscc), `the certificate gives the submitter ${uscc}`);
  const cosigners = await page.$eval('#cert-cosigners', (dd) =>
    dd.innerText.split('\n').map((x) => x.trim()).filter(Boolean),
  );
  // Shown right after registering: the proof linked below must already carry the quorum (both
  // demo witnesses), or /evidence/verify refuses it (见证机构的联署数量不足).
  assertEqual(cosigners.length, 2, `cosigners on the certificate ${JSON.stringify(cosigners)}`);
  assert(cosigners.some((c) => c.includes('人民法院')), `the court cosigned: ${cosigners}`);
  assert(cosigners.some((c) => c.includes('人民检察院')), `the procuratorate cosigned: ${cosigners}`);

  // The proof, downloaded as the browser would.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#proof-link')]);
  const index = certPath.split('/').pop();
  assertEqual(download.suggestedFilename(), `entry-${index}.tlog-proof`, 'proof file name');
  const proof = readFileSync(await download.path());
  assert(
    proof.toString('utf8').startsWith('c2sp.org/tlog-proof@v1'),
    `the proof is a c2sp.org/tlog-proof@v1: ${JSON.stringify(proof.toString('utf8').slice(0, 40))}`,
  );
  assertNotSent(bodies, marker, 'registering');
  assert(
    bodies.some(({ body }) => body.includes(Buffer.from(want.sha256))),
    'the registration request carried the digest (the body check above saw it)',
  );

  // Anyone, not signed in, verifies the document against the proof.
  const verify = async (document) => {
    const anon = await t.newPage();
    const sent = await recordRequestBodies(anon);
    const r = await anon.goto('/evidence/verify');
    assertEqual(r && r.status(), 200, 'GET /evidence/verify status (anonymous)');
    const digests = await hashInPage(anon, '#file', document);
    assertEqual(digests.sha256, nodeDigests(document.buffer).sha256, 'SHA-256 on the verify page');
    await anon.setInputFiles('#proof', {
      name: `entry-${index}.tlog-proof`,
      mimeType: 'text/plain',
      buffer: proof,
    });
    await clickAndWait(anon, '#verify-submit');
    await anon.waitForSelector('#verify-result');
    assertNotSent(sent, marker, 'verifying');
    assert(
      sent.some(({ body }) => body.includes(Buffer.from('c2sp.org/tlog-proof@v1'))),
      'the verify request carried the proof (the body check above saw it)',
    );
    return anon;
  };

  const ok = await verify(doc);
  const okResult = await ok.getAttribute('#verify-result', 'data-result');
  const okText = (await ok.textContent('#verify-result')).trim().replace(/\s+/g, ' ');
  assertEqual(okResult, 'valid', `the verify result (${okText})`);
  const by = await ok.textContent('#verify-submitter');
  assert(by.includes(own.name) && by.includes(uscc), `verified as submitted by ${own.name}: ${by}`);
  const recognised = await ok.textContent('#verify-cosigners');
  assert(recognised.includes('人民法院'), `the court's cosignature is shown: ${recognised}`);
  assert(recognised.includes('人民检察院'), `the procuratorate's is too: ${recognised}`);

  // A document differing in one byte does not match the proof.
  const other = Buffer.from(doc.buffer);
  other[other.length - 2] ^= 1;
  const bad = await verify({ ...doc, buffer: other });
  assertEqual(await bad.getAttribute('#verify-result', 'data-result'), 'invalid', 'result for another document');
  const reason = await bad.textContent('#verify-reason');
  assert(reason.includes('不一致'), `the reason says the document differs: ${reason}`);
});

await main();
