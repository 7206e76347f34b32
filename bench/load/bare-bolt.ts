// The floor for the load bench: a bare Bolt app (its own HTTP receiver) that verifies each signed
// event, acknowledges it and echoes the text back with chat.postMessage, nothing else.
// Env: PORT, SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL. Prints `{"port": ...}` when ready.
import { App, LogLevel } from '@slack/bolt';

const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  signingSecret: process.env.SLACK_SIGNING_SECRET!,
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL!, retryConfig: { retries: 0 } },
  logLevel: LogLevel.ERROR,
});
app.message(async ({ message, say }) => {
  if ('text' in message && message.text) await say(message.text);
});
app.error(async () => {});
await app.start(Number(process.env.PORT));
process.stdout.write(`${JSON.stringify({ port: Number(process.env.PORT) })}\n`);
