// The Teams floor for the load bench: a bare botbuilder echo bot as the samples build it (restify,
// CloudAdapter, an ActivityHandler) that answers each message with its text, nothing else. No app id, so
// ConfigurationBotFrameworkAuthentication lets unauthenticated activities in (as for the Emulator) and
// sends its replies without a token to the activity's serviceUrl (the bench's fake Bot Connector).
// Unlike the triage server it replies inside the turn, so each HTTP answer waits for its echo: that is
// how the samples run, and what a bot that does no more than echo costs.
// Env: PORT. Prints `{"port": ...}` when ready.
import { ActivityHandler, CloudAdapter, ConfigurationBotFrameworkAuthentication, MessageFactory } from 'botbuilder';
import restify from 'restify';

const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({ MicrosoftAppId: '' }));
adapter.onTurnError = async () => {};

class EchoBot extends ActivityHandler {
  constructor() {
    super();
    this.onMessage(async (context, next) => {
      if (context.activity.text) await context.sendActivity(MessageFactory.text(context.activity.text));
      await next();
    });
  }
}
const bot = new EchoBot();

const server = restify.createServer({ handleUncaughtExceptions: false });
server.use(restify.plugins.bodyParser());
server.post('/api/messages', async (req: restify.Request, res: restify.Response) => {
  await adapter.process(req, res, (context) => bot.run(context));
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: Number(process.env.PORT) })}\n`);
});
