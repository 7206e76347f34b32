import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PROFILE_DIR } from '../adapters/config/load.ts';
import { fileOutbox } from '../adapters/tickets/outbox/outbox.ts';
import { FakeWebhookReceiver } from './fakes/webhook.ts';
import { tempDir } from './helpers.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The CLI as a separate process, without blocking this one (the fake helpdesk runs here). */
function run(args: string[], input: string, env: Record<string, string>) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['bin/triage.js', ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('triage tickets failed / retry', () => {
  it('a ticket the helpdesk refuses is a dead letter the admin sees with its reason and sends again', async () => {
    const receiver = new FakeWebhookReceiver();
    await receiver.http.start();
    try {
      const dir = tempDir();
      const config = join(dir, 'helpdesk.yaml');
      writeFileSync(
        config,
        `extends: ${join(PROFILE_DIR, 'academy.yaml')}\ntickets:\n  adapter: webhook\n  webhook:\n    url: ${receiver.http.url}/hook\n  delivery:\n    max_attempts: 1\n`,
      );
      const env = { TRIAGE_DATA_DIR: dir, TRIAGE_WEBHOOK_SECRET: receiver.secret, LOG_LEVEL: 'silent' };
      receiver.http.fail(1, { status: 422, body: { error: 'academy unknown' } });
      const turn = {
        conversation: 'c1',
        user: 'u1',
        text: 'Bij het openen van de leerlingenfiche van Mila Jacobs krijg ik de foutmelding "Geboortedatum ongeldig". Academie De Klankkast',
      };
      const conversed = await run(['converse', '--json', '--config', config], `${JSON.stringify(turn)}\n`, env);
      expect(conversed.status, conversed.stderr).toBe(0);
      expect(JSON.parse(conversed.stdout).replies.join(' ')).toMatch(/niet aanvaard/);

      const failed = await run(['tickets', 'failed', '--config', config], '', env);
      expect(failed.stdout).toMatch(
        /^c1#1 .* webhook {2}1 attempt\(s\) {2}REJECTED: webhook: HTTP 422 \(academy unknown\)/m,
      );
      expect(failed.stdout).toMatch(/1 dead letter\(s\)/);

      const retried = await run(['tickets', 'retry', 'c1#1', '--config', config], '', env);
      expect(retried.stdout.trim()).toBe('c1#1  filed as WH-1');
      expect(receiver.tickets).toHaveLength(1);
      expect(await fileOutbox(dir).dead()).toEqual([]);
    } finally {
      await receiver.http.stop();
    }
  });
});
