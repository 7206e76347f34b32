import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileBlobStore } from '../adapters/files/blobs.ts';
import { screenshotPath } from './screenshots.ts';
import { hasChromium, launchChromium } from './web/browser.ts';
import { type WebBot, webBot } from './web/harness.ts';

// Code run inside the page (page.evaluate) uses the browser's globals: declared here for this file only,
// as the project's type check uses the ES library without the DOM's (see tsconfig.json).
declare const document: { activeElement: { id: string } | null };
declare const window: unknown;
declare class DataTransfer {
  readonly items: { add(file: File): void };
}
declare class ClipboardEvent extends Event {
  constructor(type: string, init: { clipboardData: DataTransfer; bubbles: boolean; cancelable: boolean });
}
type HTMLFormElement = { submit(): void };
type PageElement = { dispatchEvent(event: Event): boolean };

// The web chat in a real headless Chromium (Debian's, driven by playwright-core): what a person does
// with the page, by keyboard, and what the page must refuse. CI installs Chromium and sets
// REQUIRE_BROWSER=1 (.ci/run), so there a missing browser fails instead of skipping.

const required = Boolean(process.env.REQUIRE_BROWSER);
if (!hasChromium && required) throw new Error('REQUIRE_BROWSER is set but no Chromium: apt-get install chromium');
if (!hasChromium)
  console.warn('web-browser tests skipped: no Chromium at /usr/bin/chromium (apt-get install chromium)');

const COMPLETE_INCIDENT =
  'Bij het openen van de leerlingenfiche van Mila Jacobs krijg ik de foutmelding "Geboortedatum ongeldig". Academie De Klankkast';
/** A real 2x2 PNG, as a screenshot would be. */
const PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==';

/** Paste an image into the message box, as Ctrl+V with a screenshot on the clipboard does. */
async function pasteImage(page: Page, base64: string): Promise<void> {
  await page.locator('#text').evaluate((box: PageElement, data: string) => {
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], 'image.png', { type: 'image/png' }));
    box.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }));
  }, base64);
}

/** Open the page and fill in the form by keyboard only. */
async function startChat(page: Page, url: string, name: string, email: string): Promise<void> {
  await page.goto(`${url}/`);
  await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('name');
  await page.keyboard.type(name);
  await page.keyboard.press('Tab');
  await page.keyboard.type(email);
  await page.keyboard.press('Enter');
  await page.locator('#chat').waitFor({ state: 'visible' });
  expect(await page.locator('#who').isVisible()).toBe(false);
}

describe.skipIf(!hasChromium)('the web chat in a headless Chromium', () => {
  let bot: WebBot;
  let browser: Browser;
  beforeAll(async () => {
    [bot, browser] = await Promise.all([webBot(), launchChromium()]);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await bot?.close();
  });

  it('a person files a ticket with a pasted and an uploaded screenshot, by keyboard, and sees the number', async () => {
    const context = await browser.newContext({ locale: 'nl-BE', viewport: { width: 820, height: 900 } });
    const page = await context.newPage();
    try {
      await startChat(page, bot.url, 'Sofie Peeters', 'sofie@klankkast.example');
      // In Dutch, as the browser asks; labelled for screen readers; new messages announced.
      await expect.poll(() => page.locator('#log li').first().textContent()).toMatch(/Hallo!/);
      expect(await page.locator('#log').getAttribute('role')).toBe('log');
      expect(await page.locator('#log').getAttribute('aria-live')).toBe('polite');
      expect(await page.getByLabel('Je bericht').count()).toBe(1);
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('text');

      await pasteImage(page, PNG_BASE64);
      await page.locator('#files li').first().waitFor();
      await page.locator('#file').setInputFiles({
        name: 'foutmelding.png',
        mimeType: 'image/png',
        buffer: Buffer.from(PNG_BASE64, 'base64'),
      });
      await expect.poll(() => page.locator('#files li').count()).toBe(2);
      await page.locator('#text').focus();
      await page.keyboard.type(COMPLETE_INCIDENT);
      await page.keyboard.press('Enter');

      // The preview, with its Send and Edit buttons.
      const send = page.locator('#log').getByRole('button', { name: 'Versturen' });
      await send.waitFor();
      expect(await page.locator('#log').getByRole('button', { name: 'Aanpassen' }).count()).toBe(1);
      const preview = await page.locator('#log .preview').textContent();
      for (const detail of ['Mila Jacobs', 'Geboortedatum ongeldig', 'foutmelding.png'])
        expect(preview).toContain(detail);
      expect(await bot.tickets.list()).toHaveLength(0);
      await send.focus();
      await page.keyboard.press('Enter');

      await expect.poll(() => page.locator('#ticket').textContent()).toBe('Ticketnummer: HD-000001');
      const filed = page.locator('#log li').last();
      await expect.poll(() => filed.textContent()).toMatch(/HD-000001/);
      expect(await filed.isVisible()).toBe(true);
      // The buttons gave way to the choice made.
      expect(await page.locator('#log button').count()).toBe(0);
      expect(await page.locator('#log .chosen').textContent()).toContain('Versturen');

      const [ticket] = await bot.tickets.list();
      expect(ticket!.draft.attachments.map((a) => a.contentType)).toEqual(['image/png', 'image/png']);
      const blobs = new FileBlobStore(bot.dataDir);
      for (const attachment of ticket!.draft.attachments)
        expect(Buffer.from((await blobs.get(attachment.ref!))!)).toEqual(Buffer.from(PNG_BASE64, 'base64'));

      await page.screenshot({ path: screenshotPath('webchat.png'), fullPage: true });
    } finally {
      await context.close();
    }
  }, 60_000);

  it('shows HTML in a message as text, whether the person typed it or it came as late news', async () => {
    const context = await browser.newContext({ locale: 'fr-BE' });
    const page = await context.newPage();
    try {
      await startChat(page, bot.url, 'Eva <i>Claes</i>', 'eva@lindenhof.example');
      // The page speaks the browser's language.
      expect(await page.getByLabel('Votre message').count()).toBe(1);
      const html = '<img src=x onerror="window.pwned=1"><b>vet</b><script>window.pwned=2</script>';
      await page.locator('#text').fill(html);
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator('#log li.you').count()).toBe(1);
      await expect.poll(() => page.locator('#busy').textContent()).toBe('');
      expect(await page.locator('#log li.you .text').textContent()).toBe(html);

      // An agent's message during a handoff, or a late ticket number: pushed live, shown as text too.
      const conversation = `web:${await page.evaluate(async () => {
        const res = await fetch('/web/session');
        return ((await res.json()) as { name: string }).name;
      })}`;
      expect(conversation).toContain('Eva <i>Claes</i>');
      const sid = JSON.parse(Buffer.from((await context.cookies())[0]!.value.split('.')[0]!, 'base64url').toString())
        .sid as string;
      const news = 'Lies (helpdesk): <b>ik</b> kijk mee <img src=x onerror="window.pwned=3">';
      await bot.web.notify(`web:${sid}`, [{ text: news }]);
      await expect.poll(() => page.locator('#log li').last().locator('.text').textContent()).toBe(news);

      expect(await page.locator('#log img, #log b, #log i, #log script').count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    } finally {
      await context.close();
    }
  }, 60_000);

  it('refuses a forged post from a page of another origin, though the browser sends the cookie along', async () => {
    const context = await browser.newContext({ locale: 'nl-BE' });
    const page = await context.newPage();
    // Another port on the same host: same site, so the SameSite cookie goes along; only the checks stop it.
    const evil: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<form id="f" method="POST" action="${bot.url}/web/messages" enctype="text/plain">
        <input name='{"text":"Het programma crasht bij opslaan.","x":"' value='"}'></form>`);
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    try {
      await startChat(page, bot.url, 'Jan Claes', 'jan@lindenhof.example');
      const before = (await bot.tickets.list()).length;
      const evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}/`;
      await page.goto(evilUrl);
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.url() === `${bot.url}/web/messages`),
        page.locator('#f').evaluate((form: HTMLFormElement) => form.submit()),
      ]);
      expect(answer.status()).toBe(403);
      expect(answer.request().headers().cookie ?? (await answer.request().allHeaders()).cookie).toMatch(/triage_web=/);
      // A script of that page cannot even send JSON (no CORS: the preflight is refused).
      await page.waitForURL(`${bot.url}/web/messages`);
      await page.goto(evilUrl);
      const scripted = await page.evaluate(async (url) => {
        try {
          const res = await fetch(`${url}/web/messages`, {
            method: 'POST',
            credentials: 'include',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ text: 'Het programma crasht.' }),
          });
          return res.status;
        } catch {
          return 'blocked';
        }
      }, bot.url);
      expect(scripted).toBe('blocked');
      expect((await bot.tickets.list()).length).toBe(before);
      expect(bot.logs.some((l) => l.includes('cross-origin request refused'))).toBe(true);
    } finally {
      await context.close();
      await new Promise<void>((resolve) => evil.close(() => resolve()));
    }
  }, 60_000);
});
