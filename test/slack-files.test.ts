import { webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileBlobStore } from '../adapters/files/blobs.ts';
import { fetchAttachments, type SlackFile } from '../bots/slack/files.ts';
import { tempDir } from './helpers.ts';
import { FakeSlack } from './slack/fake-slack.ts';
import { memoryLog } from './slack/harness.ts';
import { BOT_TOKEN } from './slack/requests.ts';

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 9, 8, 7, 6]);
let fake: FakeSlack;

beforeEach(async () => {
  fake = new FakeSlack(BOT_TOKEN);
  await fake.start();
});
afterEach(() => fake.close());

function options(overrides: { token?: string; maxBytes?: number } = {}) {
  const host = new URL(fake.url).host;
  return {
    client: new webApi.WebClient(BOT_TOKEN, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } }),
    token: overrides.token ?? BOT_TOKEN,
    blobs: new FileBlobStore(tempDir()),
    tokenHosts: (h: string) => h === host,
    maxBytes: overrides.maxBytes ?? 1024,
    log: memoryLog().log,
  };
}

describe('shared Slack files', () => {
  it('downloads a file with the bot token into the file store', async () => {
    const file = fake.addFile('scherm.png', 'image/png', PNG) as SlackFile;
    const opts = options();
    const [attachment] = await fetchAttachments([file], opts);
    expect(attachment).toMatchObject({ name: 'scherm.png', contentType: 'image/png', size: PNG.byteLength });
    expect(Buffer.from((await opts.blobs.get(attachment!.ref!)) ?? [])).toEqual(Buffer.from(PNG));
    expect(attachment?.url).toMatch(/^https:\/\/academies\.slack\.com\/files\//);
  });

  it('never sends the token to a host that is not Slack; the file is still listed by name', async () => {
    const file = fake.addFile('scherm.png', 'image/png', PNG) as SlackFile;
    const elsewhere = {
      ...file,
      url_private_download: String(file.url_private_download).replace('127.0.0.1', 'localhost'),
    };
    const [attachment] = await fetchAttachments([elsewhere], options());
    expect(fake.downloads).toEqual([]);
    expect(attachment).toMatchObject({ name: 'scherm.png', contentType: 'image/png' });
    expect(attachment?.ref).toBeUndefined();
  });

  it("does not store Slack's sign-in page as the screenshot when the token is refused", async () => {
    const file = fake.addFile('scherm.png', 'image/png', PNG) as SlackFile;
    const [attachment] = await fetchAttachments([file], options({ token: 'xoxb-revoked' }));
    expect(fake.downloads).toHaveLength(1);
    expect(attachment?.ref).toBeUndefined();
  });

  it('links a file larger than the limit instead of downloading it, even when Slack did not say its size', async () => {
    const file = fake.addFile('film.mov', 'video/quicktime', new Uint8Array(5000)) as SlackFile;
    const [announced] = await fetchAttachments([file], options({ maxBytes: 4096 }));
    expect(fake.downloads).toHaveLength(0);
    expect(announced?.ref).toBeUndefined();
    const [unannounced] = await fetchAttachments([{ ...file, size: null }], options({ maxBytes: 4096 }));
    expect(fake.downloads).toHaveLength(1);
    expect(unannounced?.ref).toBeUndefined();
  });

  it('skips files Slack no longer shows (deleted, or hidden by the plan limit)', async () => {
    const file = fake.addFile('oud.png', 'image/png', PNG) as SlackFile;
    expect(await fetchAttachments([{ ...file, mode: 'tombstone' }], options())).toEqual([]);
  });
});
