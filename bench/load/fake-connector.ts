// The fake Bot Connector (the `serviceUrl` of the bench's Teams activities) in its own process for the
// load bench, so its work is not counted as the bot's or the load generator's: prints `{"url": ...}` on
// stdout, then serves until killed. It is the one test/teams.test.ts uses, wanting no token: both the
// triage server in local mode and the bare botbuilder bot (no app id) call it without one.
import { FakeConnector } from '../../test/teams/fake-connector.ts';

const users = Number(process.argv[2] ?? 50);
const fake = new FakeConnector(null);
await fake.start();
// Known members, so the bot's roster look-up finds a name and an e-mail as in Teams (no warning per person).
for (let i = 0; i < users; i++)
  fake.addMember({ id: `29:1load${i}`, name: `Load Tester ${i}`, email: `load${i}@academy.example` });
// Memory stays flat over long runs: the bench reads nothing back from the fake.
setInterval(() => {
  fake.calls.length = 0;
}, 1000).unref();
process.stdout.write(`${JSON.stringify({ url: fake.url })}\n`);
