import restify from 'restify';

/** Where Teams (the Bot Connector, or the Emulator) posts activities. */
export const TEAMS_ROUTE = '/api/messages';

/** Activities are small JSON documents; anything larger is refused before it is read. */
const MAX_BODY = 512 * 1024;

/** What takes an activity once its body is parsed: the Teams channel. */
export interface TeamsReceiver {
  receive(req: restify.Request, res: restify.Response): Promise<void>;
}

/**
 * Mount `POST /api/messages` with its own body parser (the server has none: Slack verifies raw bytes).
 * `receiver` may be still on its way (botbuilder loading after the server is up): requests wait for it.
 * This module stays free of botbuilder so that the route can be mounted before the SDK is loaded.
 */
export function mountTeamsRoute(server: restify.Server, receiver: () => TeamsReceiver | Promise<TeamsReceiver>): void {
  server.post(
    TEAMS_ROUTE,
    restify.plugins.bodyParser({ maxBodySize: MAX_BODY, mapParams: false, mapFiles: false }),
    async (req: restify.Request, res: restify.Response) => (await receiver()).receive(req, res),
  );
}
