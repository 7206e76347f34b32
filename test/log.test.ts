import { afterEach, describe, expect, it } from 'vitest';
import { memoryLog } from './slack/harness.ts';
import { BOT_TOKEN } from './slack/requests.ts';

// Privacy: what the logs may hold. Tokens never; personal data only with LOG_PERSONAL_DATA=1.

const PERSONAL = ['Mila Jacobs', 'sofie.peeters@klankkast.example', '0478 12 34 56', '+32 9 123 45 67'];

function logEverything(log: ReturnType<typeof memoryLog>['log']): void {
  log.info(
    {
      slack: { token: BOT_TOKEN },
      deep: { headers: { authorization: `Bearer ${BOT_TOKEN}` }, settings: { signingSecret: 's3cr3t-signing' } },
      turn: { text: 'De leerlingenfiche van Mila Jacobs crasht', user: { id: 'U1', name: 'Sofie Peeters' } },
      slots: { student: 'Mila Jacobs', email: 'sofie.peeters@klankkast.example' },
    },
    'turn handled',
  );
  log.error({ err: new Error('users.info failed for sofie.peeters@klankkast.example, call 0478 12 34 56') }, 'oops');
  log.debug(`bolt: {"type":"message","text":"Mila Jacobs belt +32 9 123 45 67","token":"${BOT_TOKEN}"}`);
  log.warn({ err: `request with Authorization: Bearer ${BOT_TOKEN}` }, 'refused');
}

describe('the logs', () => {
  afterEach(() => {
    delete process.env.LOG_PERSONAL_DATA;
  });

  it('never hold a token, a secret or personal data (names, e-mail addresses, phone numbers), at any level', () => {
    const { lines, log } = memoryLog();
    logEverything(log);
    const all = lines.join('');
    expect(lines).toHaveLength(4);
    for (const line of lines) JSON.parse(line);
    expect(all).not.toContain(BOT_TOKEN);
    expect(all).not.toContain('s3cr3t-signing');
    for (const p of PERSONAL) expect(all).not.toContain(p);
    // What is needed to follow a turn stays: ids, messages, the shape of errors.
    expect(all).toContain('"id":"U1"');
    expect(all).toContain('turn handled');
    expect(all).toContain('users.info failed for [email], call [phone]');
  });

  it('hold personal data only when LOG_PERSONAL_DATA=1 says so, and tokens even then never', () => {
    process.env.LOG_PERSONAL_DATA = '1';
    const { lines, log } = memoryLog();
    logEverything(log);
    const all = lines.join('');
    for (const p of PERSONAL) expect(all).toContain(p);
    expect(all).not.toContain(BOT_TOKEN);
    expect(all).not.toContain('s3cr3t-signing');
  });
});
