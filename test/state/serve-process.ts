import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** `triage serve` as a real process (the bundle `npm start` runs), on 127.0.0.1, a free port. */
export interface ServeProcess {
  child: ChildProcess;
  url: string;
  /** Everything it wrote (its log), so far. */
  output(): string;
  exited: Promise<{ code: number | null; signal: string | null }>;
  /** SIGKILL: no clean-up of any kind, as a crash or an OOM kill. */
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

/** Environment without the developer's own Slack/Teams/Redis settings, plus `env`. */
function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const kept = Object.entries(process.env).filter(
    ([k]) => !/^(SLACK_|TEAMS_|MICROSOFT|MicrosoftApp|REDIS_URL$|PORT$|TRIAGE_DATA_DIR$|HANDOFF_DESK$)/.test(k),
  );
  return { ...Object.fromEntries(kept), LOG_LEVEL: 'info', ...env };
}

export async function startServe(
  dataDir: string,
  env: Record<string, string>,
  options: { uid?: number; gid?: number; config?: string } = {},
): Promise<ServeProcess> {
  const args = [`${ROOT}bin/triage.js`, 'serve', '--host', '127.0.0.1', '--port', '0'];
  if (options.config) args.push('--config', options.config);
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: cleanEnv({ TRIAGE_DATA_DIR: dataDir, ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.uid !== undefined ? { uid: options.uid } : {}),
    ...(options.gid !== undefined ? { gid: options.gid } : {}),
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += String(d)));
  child.stderr!.on('data', (d: Buffer) => (out += String(d)));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const port = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start in 30 s: ${out}`)), 30_000);
    // The CLI's own line, written once every channel has started: the log's earlier "server listening"
    // comes when the port opens, before Slack has checked its token (until then its events get 503).
    // The "(" after the number: a line read in two pieces never gives half a port number.
    const look = () => {
      const found = /listening on port (\d+) \(/.exec(out)?.[1];
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout!.on('data', look);
    child.stderr!.on('data', look);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`serve exited: ${out}`));
    });
  });
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    output: () => out,
    exited,
    async kill9() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
