import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webSettingsFromEnv } from '../bots/web/channel.ts';
import { signRequesterToken, verifyRequesterToken } from '../bots/web/token.ts';
import { Visitor, type WebBot, webBot } from './web/harness.ts';

// The requester token of an intranet page that embeds the web chat: HS256 over the shared secret,
// with name, e-mail and expiry. What must pass, and every way one must not.

const SECRET = 'a-shared-secret-of-at-least-32-characters!';
const NOW = Date.parse('2026-11-24T09:00:00Z');
const inAnHour = NOW / 1000 + 3600;
const claims = { name: 'An Peeters', email: 'an@klankkast.example', exp: inAnHour };
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('requester tokens', () => {
  it('a token signed with the secret gives its name and e-mail', () => {
    const token = signRequesterToken(SECRET, { ...claims, lang: 'fr' });
    expect(verifyRequesterToken(SECRET, token, NOW)).toEqual({ claims: { ...claims, lang: 'fr' } });
  });

  it('refuses a forged token: changed claims, another secret, no signature, alg none or another algorithm', () => {
    const token = signRequesterToken(SECRET, claims);
    const [head, , sig] = token.split('.');
    const changed = `${head}.${b64({ ...claims, email: 'director@klankkast.example' })}.${sig}`;
    expect(verifyRequesterToken(SECRET, changed, NOW)).toMatchObject({ code: 'TOKEN_SIGNATURE' });
    const other = signRequesterToken('another-secret-of-at-least-32-characters', claims);
    expect(verifyRequesterToken(SECRET, other, NOW)).toMatchObject({
      code: 'TOKEN_SIGNATURE',
      error: expect.stringMatching(/signature does not match/),
    });
    expect(verifyRequesterToken(SECRET, `${head}.${b64(claims)}.`, NOW)).toMatchObject({ code: 'TOKEN_SIGNATURE' });
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    expect(verifyRequesterToken(SECRET, none, NOW)).toMatchObject({ code: 'TOKEN_ALGORITHM' });
    const h512head = b64({ alg: 'HS512', typ: 'JWT' });
    const hs512 = `${h512head}.${b64(claims)}.${createHmac('sha512', SECRET)
      .update(`${h512head}.${b64(claims)}`)
      .digest('base64url')}`;
    expect(verifyRequesterToken(SECRET, hs512, NOW)).toMatchObject({ code: 'TOKEN_ALGORITHM' });
    for (const junk of ['', 'abc', 'a.b', 'a.b.c.d', 42, null, '€.€.€'])
      expect(verifyRequesterToken(SECRET, junk, NOW)).toMatchObject({ code: 'TOKEN_MALFORMED' });
  });

  it('refuses an expired token, one without expiry or one valid for more than a day, and one without name or e-mail', () => {
    const expired = signRequesterToken(SECRET, { ...claims, exp: NOW / 1000 - 120 });
    expect(verifyRequesterToken(SECRET, expired, NOW)).toMatchObject({
      code: 'TOKEN_EXPIRED',
      error: 'token: expired at 2026-11-24T08:58:00.000Z',
    });
    // A clock a little behind the intranet's is tolerated.
    const justNow = signRequesterToken(SECRET, { ...claims, exp: NOW / 1000 - 10 });
    expect(verifyRequesterToken(SECRET, justNow, NOW)).toHaveProperty('claims');
    const forever = signRequesterToken(SECRET, { ...claims, exp: NOW / 1000 + 30 * 86400 });
    expect(verifyRequesterToken(SECRET, forever, NOW)).toMatchObject({ code: 'TOKEN_TOO_LONG' });
    const noExp = signRequesterToken(SECRET, { name: 'An', email: 'an@x.example' } as never);
    expect(verifyRequesterToken(SECRET, noExp, NOW)).toMatchObject({ code: 'TOKEN_CLAIMS' });
    const noEmail = signRequesterToken(SECRET, { name: 'An', exp: inAnHour } as never);
    expect(verifyRequesterToken(SECRET, noEmail, NOW)).toMatchObject({ code: 'TOKEN_CLAIMS' });
  });

  it('a short secret is refused at start, with how to make a good one', () => {
    expect(webSettingsFromEnv({ WEBCHAT_TOKEN_SECRET: 'short' })).toEqual({
      off: expect.stringMatching(/at least 32 characters/),
    });
    expect(webSettingsFromEnv({ WEBCHAT_TOKEN_SECRET: SECRET })).toMatchObject({
      settings: { tokenSecret: SECRET },
    });
  });

  it('`triage webchat token` signs a token the bot accepts, and prints the chat URL with it', () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const out = spawnSync(
      process.execPath,
      ['bin/triage.js', 'webchat', 'token', '--name', 'An Peeters', '--email', 'an@klankkast.example'],
      { cwd: root, env: { ...process.env, WEBCHAT_TOKEN_SECRET: SECRET }, encoding: 'utf8' },
    );
    expect(out.status).toBe(0);
    const token = out.stdout.trim();
    expect(verifyRequesterToken(SECRET, token, Date.now())).toMatchObject({
      claims: { name: 'An Peeters', email: 'an@klankkast.example' },
    });
    expect(out.stderr).toContain(`http://127.0.0.1:3978/#token=${token}`);
    const none = spawnSync(process.execPath, ['bin/triage.js', 'webchat', 'token', '--name', 'A', '--email', 'a@b.c'], {
      cwd: root,
      env: { ...process.env, WEBCHAT_TOKEN_SECRET: '' },
      encoding: 'utf8',
    });
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/WEBCHAT_TOKEN_SECRET is not set/);
  }, 60_000);
});

describe('the web chat takes a requester token (real HTTP)', () => {
  let bot: WebBot;
  beforeAll(async () => {
    bot = await webBot({ WEBCHAT_TOKEN_SECRET: SECRET });
  });
  afterAll(() => bot?.close());

  it('a valid token opens a session as its requester; the conversation files under that name', async () => {
    const visitor = new Visitor(bot.url);
    const token = signRequesterToken(SECRET, { ...claims, exp: Math.floor(Date.now() / 1000) + 600 });
    const opened = await visitor.open({ token, lang: 'nl' });
    expect(opened.status).toBe(200);
    expect(opened.body).toMatchObject({ name: 'An Peeters', email: 'an@klankkast.example', lang: 'nl' });
    expect((await visitor.say({ text: 'Hoe kan ik een extra vak toevoegen aan het rapport?' })).status).toBe(200);
  });

  it('a forged or expired token is refused with a clear error, and no session', async () => {
    const token = signRequesterToken(SECRET, { ...claims, exp: Math.floor(Date.now() / 1000) + 600 });
    const [head, , sig] = token.split('.');
    const forged = `${head}.${b64({ ...claims, name: 'De Directeur' })}.${sig}`;
    const visitor = new Visitor(bot.url);
    const refused = await visitor.open({ token: forged });
    expect(refused.status).toBe(401);
    expect(refused.body.error).toMatch(/signature does not match/);
    expect(refused.setCookie).toBeNull();
    const expired = signRequesterToken(SECRET, { ...claims, exp: Math.floor(Date.now() / 1000) - 3600 });
    const late = await visitor.open({ token: expired });
    expect(late.status).toBe(401);
    expect(late.body.error).toMatch(/expired at/);
    expect(bot.logs.some((l) => l.includes('requester token refused'))).toBe(true);
  });

  it('a token where no secret is set is refused as not accepted', async () => {
    const plain = await webBot();
    try {
      const opened = await new Visitor(plain.url).open({ token: signRequesterToken(SECRET, claims) });
      expect(opened.status).toBe(400);
      expect(opened.body.error).toMatch(/WEBCHAT_TOKEN_SECRET is not set/);
    } finally {
      await plain.close();
    }
  });
});
