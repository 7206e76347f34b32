import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequesterToken } from '../bots/web/token.ts';
import { screenshotPath } from './screenshots.ts';
import { hasChromium, launchChromium } from './web/browser.ts';
import { type WebBot, webBot } from './web/harness.ts';

// The admin console and the widget token in a real headless Chromium (Debian's, driven by
// playwright-core): what an admin does with the page, and what it must refuse. Skipped with one line
// without Chromium; REQUIRE_BROWSER=1 (CI) makes that a failure.

const required = Boolean(process.env.REQUIRE_BROWSER);
if (!hasChromium && required) throw new Error('REQUIRE_BROWSER is set but no Chromium: apt-get install chromium');
if (!hasChromium)
  console.warn('admin-browser tests skipped: no Chromium at /usr/bin/chromium (apt-get install chromium)');

const ADMIN_TOKEN = 'admin-token-for-the-browser-tests-42';
const TOKEN_SECRET = 'widget-secret-for-the-browser-tests-0123456789';
const NEW_WELCOME = 'Welkom bij de helpdesk van De Klankkast: vertel maar!';

async function logIn(page: Page, url: string): Promise<void> {
  const first = await page.goto(`${url}/admin`);
  expect(first?.status()).toBe(401);
  await page.getByLabel('Admin token (ADMIN_TOKEN)').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('#status').filter({ hasText: 'profile academy' }).waitFor();
}

describe.skipIf(!hasChromium)('the admin console in a headless Chromium', () => {
  let bot: WebBot;
  let browser: Browser;
  beforeAll(async () => {
    [bot, browser] = await Promise.all([webBot({ ADMIN_TOKEN, WEBCHAT_TOKEN_SECRET: TOKEN_SECRET }), launchChromium()]);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await bot?.close();
  });

  it('no console without the token: a wrong one is refused, the right one opens it', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      const res = await page.goto(`${bot.url}/admin`);
      expect(res?.status()).toBe(401);
      expect(await page.locator('#try-text').count()).toBe(0);
      const api = await page.goto(`${bot.url}/admin/api/conversations`);
      expect(api?.status()).toBe(401);
      await page.goto(`${bot.url}/admin`);
      await page.getByLabel('Admin token (ADMIN_TOKEN)').fill('a guess');
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('alert').filter({ hasText: 'not the admin token' }).waitFor();
      await logIn(page, bot.url);
      expect(await page.getByRole('tab', { name: 'Try a sentence' }).getAttribute('aria-selected')).toBe('true');
    } finally {
      await context.close();
    }
  }, 60_000);

  it('an admin tries a sentence and sees the kind, the deciding words, the details and the next question', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    try {
      await logIn(page, bot.url);
      await page
        .getByLabel('A message as a person would write it')
        .fill(
          'Bij het openen van de leerlingenfiche van Mila Jacobs krijg ik de foutmelding "Geboortedatum ongeldig".',
        );
      await page.getByRole('button', { name: 'Read it' }).click();
      await expect.poll(() => page.locator('#try-kind').textContent()).toBe('incident');
      expect(await page.locator('#try-reasons li').count()).toBeGreaterThan(0);
      expect(await page.locator('#try-slots').textContent()).toContain('Geboortedatum ongeldig');
      expect(await page.locator('#try-next li').count()).toBeGreaterThan(0);
      expect(await page.locator('#try-scores svg rect.bar').count()).toBeGreaterThan(3);
      await page.screenshot({ path: screenshotPath('admin.png'), fullPage: true });
      expect(await bot.tickets.list()).toHaveLength(0);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('runs an evaluation and sees the charts: F1 bars, the confusion matrix, the reliability curve', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    try {
      await logIn(page, bot.url);
      await page.getByRole('tab', { name: 'Evaluation' }).click();
      await expect.poll(() => page.locator('#eval-file option').allTextContents()).toContain('holdout.jsonl');
      await page.locator('#eval-file').selectOption('holdout.jsonl');
      await page.getByRole('button', { name: 'Evaluate' }).click();
      await page.locator('#eval-result').waitFor({ state: 'visible', timeout: 30_000 });
      expect(await page.locator('#eval-f1 svg rect.bar').count()).toBeGreaterThanOrEqual(5);
      expect(await page.locator('#eval-confusion svg rect.cell').count()).toBeGreaterThanOrEqual(25);
      expect(await page.locator('#eval-reliability svg circle').count()).toBeGreaterThan(0);
      expect(await page.locator('#eval-summary').textContent()).toContain('Macro-F1');
      await page.screenshot({ path: screenshotPath('admin-eval.png'), fullPage: true });
    } finally {
      await context.close();
    }
  }, 60_000);

  it('edits the configuration: an invalid edit shows the error by path, a valid one reloads and the next chat uses it', async () => {
    const context = await browser.newContext({ locale: 'nl-BE', viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    try {
      await logIn(page, bot.url);
      await page.getByRole('tab', { name: 'Configuration' }).click();
      const editor = page.locator('#config-edit');
      await expect.poll(() => editor.inputValue()).toContain('extends: ');
      const base = await editor.inputValue();

      await editor.fill(`${base}messages:\n  welcome:\n    nl: 42\nclassifier:\n  ask_threshold: 3\n`);
      await page.getByRole('button', { name: 'Validate' }).click();
      await expect.poll(() => page.locator('#config-problems').textContent()).toContain('messages.welcome.nl');
      expect(await page.locator('#config-problems').textContent()).toContain('classifier.ask_threshold');
      await page.getByRole('button', { name: 'Save and reload' }).click();
      await expect.poll(() => page.locator('#config-result').textContent()).toMatch(/Nothing saved/);

      await editor.fill(`${base}messages:\n  welcome:\n    nl: "${NEW_WELCOME}"\n`);
      await page.getByRole('button', { name: 'Validate' }).click();
      await expect.poll(() => page.locator('#config-result').textContent()).toMatch(/^Valid/);
      await page.getByRole('button', { name: 'Save and reload' }).click();
      await expect
        .poll(() => page.locator('#config-result').textContent(), { timeout: 40_000 })
        .toMatch(/Reloaded: configuration v2/);
      // The status line is fetched after the outcome is shown: it follows shortly.
      await expect.poll(() => page.locator('#status').textContent()).toContain('configuration v2');

      // The next web chat conversation is greeted with the new text.
      const chat = await context.newPage();
      await chat.goto(`${bot.url}/`);
      await chat.locator('#name').fill('Sofie Peeters');
      await chat.locator('#email').fill('sofie@klankkast.example');
      await chat.keyboard.press('Enter');
      await expect.poll(() => chat.locator('#log li').first().textContent()).toContain(NEW_WELCOME);
    } finally {
      await context.close();
    }
  }, 90_000);

  it('the web chat refuses a forged widget token and says why; a signed one opens the chat as its person', async () => {
    const context = await browser.newContext({ locale: 'nl-BE' });
    const page = await context.newPage();
    try {
      const good = signRequesterToken(TOKEN_SECRET, {
        name: 'An Peeters',
        email: 'an@klankkast.example',
        exp: Math.floor(Date.now() / 1000) + 600,
      });
      const [head, , sig] = good.split('.');
      const claims = Buffer.from(
        JSON.stringify({ name: 'De Directeur', email: 'dir@klankkast.example', exp: 4102444800 }),
      ).toString('base64url');
      await page.goto(`${bot.url}/#token=${head}.${claims}.${sig}`);
      await expect.poll(() => page.locator('#who-error').textContent()).toMatch(/signature does not match/);
      expect(await page.locator('#chat').isVisible()).toBe(false);
      // The token left the address bar.
      expect(page.url()).toBe(`${bot.url}/`);

      await page.goto('about:blank');
      await page.goto(`${bot.url}/#token=${good}`);
      await page.locator('#chat').waitFor({ state: 'visible' });
      const who = await page.evaluate(
        async () => ((await (await fetch('/web/session')).json()) as { name: string }).name,
      );
      expect(who).toBe('An Peeters');
    } finally {
      await context.close();
    }
  }, 60_000);
});
