// The fake Slack Web API in its own process for the load bench (so its work is not counted as the
// server's or the load generator's): prints `{"url": ...}` on stdout, then serves until killed.
import { FakeSlack } from '../../test/slack/fake-slack.ts';
import { BOT_TOKEN } from '../../test/slack/requests.ts';

const users = Number(process.argv[2] ?? 50);
const fake = new FakeSlack(BOT_TOKEN);
await fake.start();
for (let i = 0; i < users; i++) fake.addUser(`ULOAD${i}`, `Load Tester ${i}`, `load${i}@academy.example`);
// Memory stays flat over long runs: the bench reads nothing back from the fake.
setInterval(() => {
  fake.calls.length = 0;
}, 1000).unref();
process.stdout.write(`${JSON.stringify({ url: fake.url, apiUrl: fake.apiUrl })}\n`);
