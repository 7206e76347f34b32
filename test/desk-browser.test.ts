import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPEN_HOURS } from './helpers.ts';
import { screenshotPath } from './screenshots.ts';
import { type SlackBot, slackBot } from './slack/harness.ts';
import { directMessage } from './slack/requests.ts';
import { hasChromium, launchChromium } from './web/browser.ts';
import { type WebBot, webBot } from './web/harness.ts';

// Code run inside the page (page.evaluate) uses the browser's globals: declared here for this file only,
// as the project's type check uses the ES library without the DOM's (see tsconfig.json).
declare const document: { activeElement: { id: string } | null };
declare const window: unknown;

// The agent desk in the browser (/desk) in a real headless Chromium (Debian's, driven by playwright-core):
// an agent claims and answers a web chat person (both pages open) and a Slack person (signed Slack
// requests, the fake Web API on loopback), by keyboard; what users wrote shows as text; with DESK_TOKEN
// set, nobody gets in without it. CI sets REQUIRE_BROWSER=1 (.ci/run): a missing browser fails there.

const required = Boolean(process.env.REQUIRE_BROWSER);
if (!hasChromium && required) throw new Error('REQUIRE_BROWSER is set but no Chromium: apt-get install chromium');
if (!hasChromium)
  console.warn('desk-browser tests skipped: no Chromium at /usr/bin/chromium (apt-get install chromium)');

const HTML = '<img src=x onerror="window.pwned=1"><b>vet</b>';

/** Open /desk and sign in by keyboard with a name (and the access code when asked). */
async function signIn(page: Page, url: string, name: string, token?: string): Promise<void> {
  await page.goto(`${url}/desk`);
  await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('name');
  await page.keyboard.type(name);
  if (token !== undefined) {
    await page.keyboard.press('Tab');
    await page.keyboard.type(token);
  }
  await page.keyboard.press('Enter');
}

/** The person's web chat: the form, then a message; resolves once the bot answered. */
async function chat(page: Page, url: string, name: string, email: string): Promise<void> {
  await page.goto(`${url}/`);
  await page.locator('#name').fill(name);
  await page.locator('#email').fill(email);
  await page.keyboard.press('Enter');
  await page.locator('#chat').waitFor({ state: 'visible' });
}

async function send(page: Page, text: string): Promise<void> {
  await page.locator('#text').fill(text);
  await page.keyboard.press('Enter');
  await expect.poll(() => page.locator('#busy').textContent()).toBe('');
}

const lastLine = (page: Page) => page.locator('#log li').last().locator('.text').textContent();

describe.skipIf(!hasChromium)('the agent desk in a headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  describe('with the web chat', () => {
    let bot: WebBot;
    let person: BrowserContext;
    let agent: BrowserContext;
    beforeAll(async () => {
      bot = await webBot();
    }, 60_000);
    afterAll(async () => {
      await person?.close();
      await agent?.close();
      await bot?.close();
    });

    it('an agent claims a handoff in /desk and the reply reaches the person in the web chat, both ways as text', async () => {
      person = await browser.newContext({ locale: 'nl-BE' });
      agent = await browser.newContext({ locale: 'nl-BE', viewport: { width: 1100, height: 760 } });
      const chatPage = await person.newPage();
      const deskPage = await agent.newPage();
      await chat(chatPage, bot.url, 'Sofie Peeters', 'sofie@klankkast.example');
      await send(chatPage, 'Ik wil een medewerker spreken');
      await expect.poll(() => chatPage.locator('#log').textContent()).toMatch(/medewerker.*HD-000001/);

      await signIn(deskPage, bot.url, 'Lies');
      const item = deskPage.locator('#queue button').first();
      await expect.poll(() => item.textContent()).toMatch(/HD-000001.*Sofie Peeters/);
      // By keyboard: the queue's item, then the reply box.
      await item.focus();
      await deskPage.keyboard.press('Enter');
      await expect.poll(() => deskPage.locator('#thread').textContent()).toContain('Ik wil een medewerker spreken');

      // Before the claim a reply stays on the desk: a hint, nothing to the person.
      const before = await chatPage.locator('#log li').count();
      await deskPage.locator('#reply').fill('Nog niet genomen');
      await deskPage.keyboard.press('Enter');
      await expect.poll(() => deskPage.locator('#hint').textContent()).toMatch(/eerst/);
      expect(await deskPage.locator('#reply').inputValue()).toBe('Nog niet genomen');
      const claim = deskPage.getByRole('button', { name: 'Nemen' });
      await claim.focus();
      await deskPage.keyboard.press('Enter');
      await expect.poll(() => chatPage.locator('#log').textContent()).toMatch(/Lies/);
      expect(await chatPage.locator('#log').textContent()).not.toContain('Nog niet genomen');
      expect(await chatPage.locator('#log li').count()).toBeGreaterThan(before);
      await expect.poll(() => deskPage.locator('#state').textContent()).toMatch(/jij/);

      // The agent's reply, HTML and all, reaches the person as text, marked with the agent's name.
      await deskPage.locator('#reply').fill(`Ik kijk mee ${HTML}`);
      await deskPage.keyboard.press('Enter');
      await expect
        .poll(() => lastLine(chatPage))
        .toMatch(/Lies.*Ik kijk mee <img src=x onerror="window.pwned=1"><b>vet<\/b>/);
      await expect.poll(() => deskPage.locator('#reply').inputValue()).toBe('');

      // What the person writes back comes into the desk's thread, as text.
      await send(chatPage, `Dank je ${HTML}`);
      await expect.poll(() => deskPage.locator('#thread li.person').last().textContent()).toContain(`Dank je ${HTML}`);
      for (const page of [chatPage, deskPage]) {
        expect(await page.locator('#log img, #log b, #thread img, #thread b').count()).toBe(0);
        expect(await page.evaluate(() => (window as { pwned?: number }).pwned)).toBeUndefined();
      }

      await deskPage.screenshot({ path: screenshotPath('desk.png'), fullPage: true });

      // Resolve: the person hears it, the queue is empty.
      await deskPage.getByRole('button', { name: 'Afgerond' }).click();
      await expect.poll(() => deskPage.locator('#queue li').count()).toBe(0);
      await expect.poll(() => lastLine(chatPage)).toMatch(/afgerond/);
      expect(await bot.serving.state.handoffs.current()).toEqual([]);
    }, 90_000);
  });

  describe('with Slack and DESK_TOKEN', () => {
    let bot: SlackBot;
    let agent: BrowserContext;
    beforeAll(async () => {
      bot = await slackBot({ DESK_TOKEN: 'open-sesame-0123' }, { clock: () => OPEN_HOURS });
    }, 60_000);
    afterAll(async () => {
      await agent?.close();
      await bot?.close();
    });

    it('nobody gets into /desk without the token; a wrong one is refused', async () => {
      agent = await browser.newContext({ locale: 'nl-BE' });
      const page = await agent.newPage();
      await signIn(page, bot.url, 'Mallory', 'wrong-token');
      await expect.poll(() => page.locator('#who-error').textContent()).toMatch(/code/);
      expect(await page.locator('#desk').isVisible()).toBe(false);
      const events = await page.evaluate(async () => (await fetch('/desk/events')).status);
      expect(events).toBe(401);
    }, 60_000);

    it("a Slack person's handoff answered from /desk reaches their direct message through Slack's Web API", async () => {
      expect((await bot.event(directMessage('ik wil een medewerker spreken'))).status).toBe(200);
      await bot.settled();
      const page = await agent.newPage();
      await signIn(page, bot.url, 'Lies', 'open-sesame-0123');
      const item = page.locator('#queue button').first();
      await expect.poll(() => item.textContent()).toMatch(/HD-000001.*Sofie Peeters/);
      await item.click();
      await page.getByRole('button', { name: 'Nemen' }).click();
      await expect
        .poll(() => bot.fake.posted({ channel: 'D0SOFIE' }).map((m) => String(m.text)))
        .toContainEqual(expect.stringMatching(/Lies/));
      await page.locator('#reply').fill('Ik kijk het na, Sofie.');
      await page.keyboard.press('Enter');
      await expect
        .poll(() => bot.fake.posted({ channel: 'D0SOFIE' }).map((m) => String(m.text)))
        .toContainEqual(expect.stringContaining('Ik kijk het na, Sofie.'));
      // Sofie answers in Slack: it shows in the browser desk's thread.
      expect((await bot.event(directMessage('Dank je, ik wacht'))).status).toBe(200);
      await bot.settled();
      await expect.poll(() => page.locator('#thread li.person').last().textContent()).toContain('Dank je, ik wacht');
    }, 90_000);
  });
});
