// What every journey shares: Chromium started the same way each time, signing in, screenshots,
// and checks that fail with a message a person can act on. A journey is a plain Node script run
// by crates/jifen-server/tests/browser.rs with the server's address and the accounts in its
// environment; it exits non-zero on the first failed check.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const npmDir = process.env.JIFEN_BROWSER_NPM || path.join(os.homedir(), '.cache/jifen/npm-browser');
// ES modules ignore NODE_PATH: load playwright-core from the pinned install by its path.
const requirePinned = createRequire(path.join(npmDir, 'package.json'));
const { chromium } = requirePinned('playwright-core');

/** A package of package.json other than playwright-core (jsqr), from the pinned install. */
export function pinned(name) {
  return requirePinned(name);
}

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** An environment variable the harness must set. */
export function env(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the journeys through cargo test --test browser`);
  return v;
}

export const BASE = env('BASE');
export const BACKEND = process.env.BACKEND || 'sqlite';
export const CHROMIUM = process.env.JIFEN_CHROMIUM || '/usr/bin/chromium';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Starts Chromium with the flags above. Playwright gives each launch a fresh profile (its own
 * --user-data-dir under the temporary folder, which the harness makes per run) and removes it
 * when the browser closes.
 */
export async function launch() {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: run crates/jifen-server/tests/browser/install`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

/**
 * A new browser context: its own cookies, as another person or another device would have. A
 * desktop window unless `device` says otherwise (the portal's journeys pass a phone).
 */
export async function newContext(browser, device = {}) {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 860 },
    deviceScaleFactor: 1,
    timezoneId: 'Asia/Shanghai',
    locale: 'zh-CN',
    ...device,
  });
  context.setDefaultTimeout(15000);
  context.setDefaultNavigationTimeout(20000);
  return context;
}

/**
 * Runs a journey: a fresh browser, the steps, a clear failure, the browser closed either way.
 * The first page is in a desktop window, or in `device` (see `newContext`).
 */
export async function journey(name, steps, device = {}) {
  const started = Date.now();
  const browser = await launch();
  let page;
  try {
    page = await (await newContext(browser, device)).newPage();
    await steps(page, browser);
    console.log(`ok ${name} (${BACKEND}, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (e) {
    console.error(`FAILED ${name} (${BACKEND}) at ${page ? page.url() : 'start'}:\n${e && e.stack ? e.stack : e}`);
    if (page) {
      try {
        const text = (await page.locator('body').innerText()).slice(0, 2000);
        console.error(`--- what the page shows:\n${text}\n---`);
        const file = path.join(shotDir(), `failed-${name}-${BACKEND}.png`);
        await page.screenshot({ path: file, fullPage: true });
        console.error(`screenshot of the failure: ${file}`);
      } catch {
        // The page is gone: the error above is all there is.
      }
    }
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
}

/** The console's text in the language the page is in. */
export async function langOf(page) {
  return (await page.locator('html').getAttribute('lang')) === 'en' ? 'en' : 'zh-CN';
}

/** Signs in through the form as a person does; lands on `next` (default: the dashboard). */
export async function signIn(page, email, password, next) {
  const url = next ? `/console/login?next=${encodeURIComponent(next)}` : '/console/login';
  await page.goto(BASE + url);
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(password);
  await Promise.all([page.waitForLoadState('load'), page.locator('form button[type=submit]').click()]);
  await page.waitForLoadState('load');
  const error = page.locator('#login-error');
  if (await error.count()) {
    throw new Error(`signing in as ${email} failed: ${await error.innerText()}`);
  }
  check(!page.url().includes('/console/login'), `still on the sign-in page after signing in as ${email}`);
}

/** Signs out with the header's button. */
export async function signOut(page) {
  await Promise.all([page.waitForURL(/\/console\/login/), page.locator('header form[action="/console/logout"] button').click()]);
}

function shotDir() {
  const dir = process.env.SCREENSHOTS || fs.mkdtempSync(path.join(os.tmpdir(), 'jifen-shots-'));
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * A screenshot of the page as `<name>.<lang>.png`: into `folder` of the repository (the
 * console's docs/screenshots/ by default) when UPDATE_SCREENSHOTS=1 (from the SQLite run only,
 * so the two backends do not both write them), else into the run's temporary folder (so tests
 * leave the tree clean).
 */
export async function shot(page, name, folder = 'docs/screenshots') {
  const lang = await langOf(page);
  const update = process.env.UPDATE_SCREENSHOTS === '1' && BACKEND === 'sqlite';
  const dir = update ? path.join(ROOT, folder) : shotDir();
  fs.mkdirSync(dir, { recursive: true });
  await page.waitForLoadState('networkidle').catch(() => {});
  await page.screenshot({ path: path.join(dir, `${name}.${lang}.png`), fullPage: false, animations: 'disabled' });
}

/** Fails with `message` unless `ok`. */
export function check(ok, message) {
  if (!ok) throw new Error(message);
}

/** The visible text of the page (or of `selector`). */
export async function text(page, selector = 'body') {
  return page.locator(selector).first().innerText();
}

/** Waits (up to `timeout` ms) until the page (or `selector`) shows `wanted`. */
export async function sees(page, wanted, selector = 'body', timeout = 10000) {
  const until = Date.now() + timeout;
  let last = '';
  for (;;) {
    last = await page.locator(selector).first().innerText().catch(() => '');
    if (typeof wanted === 'string' ? last.includes(wanted) : wanted.test(last)) return last;
    if (Date.now() > until) {
      throw new Error(`expected ${selector} of ${page.url()} to show ${JSON.stringify(String(wanted))}; it shows:\n${last.slice(0, 1500)}`);
    }
    await page.waitForTimeout(100);
  }
}

/** Fails if the page (or `selector`) shows `unwanted`. */
export async function doesNotSee(page, unwanted, selector = 'body') {
  const t = await page.locator(selector).first().innerText().catch(() => '');
  const found = typeof unwanted === 'string' ? t.includes(unwanted) : unwanted.test(t);
  check(!found, `expected ${selector} of ${page.url()} not to show ${JSON.stringify(String(unwanted))}; it shows:\n${t.slice(0, 1500)}`);
}

/** Goes to a console path and waits for it; fails on an error page. */
export async function visit(page, p) {
  const res = await page.goto(BASE + p);
  check(res && res.status() < 400, `GET ${p} answered ${res && res.status()}: ${(await text(page)).slice(0, 500)}`);
  return res;
}

/** Clicks something that loads a new page and waits for it. */
export async function clickAndLoad(page, locator) {
  await Promise.all([page.waitForEvent('load'), locator.click()]);
}

/**
 * Records what a person would not see but should not happen: script errors, and answers of 400
 * or more to the page's own requests (a missing asset, a failing htmx call). `expected(status)`
 * lets a journey allow a status it provokes on purpose.
 */
export function watch(page) {
  const problems = [];
  const allowed = new Set();
  page.on('pageerror', (e) => problems.push(`script error on ${page.url()}: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400 && r.url().startsWith(BASE) && !allowed.has(r.status())) {
      problems.push(`${r.request().method()} ${r.url().slice(BASE.length)} answered ${r.status()} (on ${page.url()})`);
    }
  });
  return {
    expected(status) {
      allowed.add(status);
    },
    clean() {
      check(problems.length === 0, `problems while walking the pages:\n${problems.join('\n')}`);
    },
  };
}

/** Clicks a link of the side navigation by its label and waits for the page. */
export async function nav(page, label) {
  const link = page.locator('nav.side a', { hasText: label });
  check((await link.count()) >= 1, `no "${label}" in the navigation of ${page.url()}`);
  const [res] = await Promise.all([page.waitForNavigation(), link.first().click()]);
  check(res && res.status() < 400, `"${label}" answered ${res && res.status()}: ${(await text(page)).slice(0, 500)}`);
  return res;
}
