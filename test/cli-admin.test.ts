import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PROFILE_DIR } from '../adapters/config/load.ts';
import { LocalTicketStore } from '../adapters/tickets/local/store.ts';
import type { TicketDraft } from '../core/types.ts';
import { tempDir } from './helpers.ts';
import { ticketDraft } from './tickets/fixtures.ts';

// The first hour of an admin with the `triage` command: the terminal chat, the ticket commands,
// `config check`, `eval --help` and `serve` on a busy port, each as a separate process.

const ROOT = fileURLToPath(new URL('..', import.meta.url));

// Each test starts the CLI several times (a start trains or loads the classifier): slow on a busy machine.
vi.setConfig({ testTimeout: 90_000 });

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI as a separate process; `whenOut` lets a test act on it once its output shows something. */
function run(
  args: string[],
  input: string | null,
  env: Record<string, string>,
  whenOut?: { match: RegExp; act: (child: ReturnType<typeof spawn>) => void },
): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/triage.js', ...args], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    });
    let stdout = '';
    let stderr = '';
    let acted = false;
    child.stdout.on('data', (d) => {
      stdout += d;
      if (whenOut && !acted && whenOut.match.test(stdout)) {
        acted = true;
        whenOut.act(child);
      }
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    if (input !== null) child.stdin.end(input);
  });
}

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 7, 7, 7]);

describe('triage chat in the terminal', () => {
  it('refuses /attach of a missing file, copies a real one into the file store, keeps /commands out of the conversation', async () => {
    const dir = tempDir();
    const shot = join(tempDir(), 'scherm.png');
    writeFileSync(shot, PNG);
    const lines = [
      '/help',
      '/bestaatniet',
      `/attach ${join(dir, 'nergens.png')}`,
      `/attach ${shot}`,
      'Bij het openen van de leerlingenfiche van Mila Jacobs krijg ik de foutmelding "Geboortedatum ongeldig". Academie De Klankkast',
    ];
    const r = await run(
      ['chat', '--conversation', 'term-1', '--user', 'Sofie Peeters', '--now', '2026-11-24T10:00:00+01:00'],
      `${lines.join('\n')}\n`,
      { TRIAGE_DATA_DIR: dir },
    );
    expect(r.status, r.stderr).toBe(0);
    // Dutch throughout (the profile's language), with the conversation id to resume by.
    expect(r.stdout).toMatch(/^Waarmee kan ik u helpen\?.*\n\(gesprek term-1, als Sofie Peeters; \/help toont/);
    expect(r.stdout).toMatch(/\/attach BESTAND {2}voeg een bestand/);
    expect(r.stdout).toMatch(/\(onbekende opdracht \/bestaatniet; \/help toont de opdrachten\)/);
    expect(r.stdout).toMatch(/\(niet toegevoegd: .*nergens\.png bestaat niet of is geen bestand\)/);
    expect(r.stdout).toMatch(/\(toegevoegd: scherm\.png, 11 B;/);
    const ticketId = /\(ticket (HD-\d+) bewaard in /.exec(r.stdout)?.[1];
    expect(ticketId, r.stdout).toBeDefined();
    const ticket = await new LocalTicketStore(dir).get(ticketId!);
    expect(ticket?.draft.requester).toEqual({ id: 'Sofie Peeters', name: 'Sofie Peeters' });
    expect(ticket?.createdAt.slice(0, 13)).toBe('2026-11-24T09');
    // Only the real file, by its bytes in the file store: no path from this machine in the ticket.
    expect(ticket?.draft.attachments).toEqual([
      { name: 'scherm.png', contentType: 'image/png', size: 11, ref: expect.stringMatching(/^sha256-/) },
    ]);
    const ref = ticket!.draft.attachments[0]!.ref!;
    expect(new Uint8Array(readFileSync(join(dir, 'files', ref)))).toEqual(PNG);
    expect(JSON.stringify(ticket)).not.toMatch(/nergens|\/help|bestaatniet/);
    expect(r.stdout).toMatch(/\(gesprek term-1 bewaard; hervat met: npx triage chat --conversation term-1\)\n$/);
  });

  it('resumes a conversation at its pending question instead of greeting again', async () => {
    const dir = tempDir();
    const env = { TRIAGE_DATA_DIR: dir };
    const first = await run(
      ['chat', '--conversation', 'term-2'],
      'De facturen van januari staan allemaal op 0,00 euro, dat klopt niet.\n',
      env,
    );
    const asked = first.stdout.split('\n').find((l) => /academie/i.test(l) && l.endsWith('?'));
    expect(asked, first.stdout).toBeDefined();
    const second = await run(['chat', '--conversation', 'term-2'], '', env);
    expect(second.stdout).not.toMatch(/Waarmee kan ik u helpen/);
    expect(second.stdout.split('\n').slice(0, 2)).toEqual([
      expect.stringMatching(/^\(gesprek term-2 gaat verder, als .+; de laatste vraag van de bot:\)$/),
      asked,
    ]);
  });

  it('ends on Ctrl-C (SIGINT) saying how to resume', async () => {
    const r = await run(
      ['chat', '--conversation', 'term-3'],
      null,
      { TRIAGE_DATA_DIR: tempDir() },
      {
        match: /\n> $/,
        act: (child) => child.kill('SIGINT'),
      },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\(gesprek term-3 bewaard; hervat met: npx triage chat --conversation term-3\)/);
  });

  it('--now shows the contact hours as at that time: closed on a Saturday evening, open on a Monday morning', async () => {
    const turn = `${JSON.stringify({
      conversation: 'h1',
      user: 'u1',
      text: 'Bij het openen van de leerlingenfiche van Mila Jacobs krijg ik de foutmelding "Geboortedatum ongeldig". Academie De Klankkast',
    })}\n`;
    const at = async (now: string) => {
      const r = await run(['converse', '--json', '--now', now], turn, { TRIAGE_DATA_DIR: tempDir() });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { status: string; replies: string[] };
    };
    const saturday = await at('2026-12-05T20:00:00+01:00');
    expect(saturday.status).toBe('filed');
    expect(saturday.replies.join(' ')).toMatch(/De helpdesk is nu gesloten; we zijn er weer maandag om 08:30/);
    const monday = await at('2026-12-07T10:00:00+01:00');
    expect(monday.status).toBe('filed');
    expect(monday.replies.join(' ')).not.toMatch(/gesloten/);
  });

  it('refuses a --now that is not an ISO time', async () => {
    const r = await run(['chat', '--now', 'maandag'], '', { TRIAGE_DATA_DIR: tempDir() });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--now maandag: not an ISO date and time/);
  });
});

function draft(over: Partial<TicketDraft>): TicketDraft {
  return ticketDraft({
    conversation: 'c',
    requester: { id: 'U1', name: 'Lien Baert', email: 'lien.baert@klankkast.example' },
    title: '[AKK] Leerlingen: foutmelding bij opslaan',
    slots: { academy: 'AKK', screen: 'leerlingen' },
    transcript: [{ from: 'user', text: 'Foutmelding bij opslaan', at: '2026-11-24T09:00:00.000Z' }],
    ...over,
  });
}

describe('triage tickets', () => {
  it('list shows handoffs, requesters and local time with its zone; show and close act on one ticket', async () => {
    const dir = tempDir();
    const store = new LocalTicketStore(dir);
    await store.create(draft({}));
    await store.create(
      draft({
        handoff: true,
        urgent: true,
        title: '[AKK] Wil een medewerker spreken',
        createdAt: '2026-07-01T13:05:00.000Z',
      }),
    );
    const env = { TRIAGE_DATA_DIR: dir, TZ: 'Europe/Brussels' };
    const list = await run(['tickets', 'list'], '', env);
    expect(list.stdout.trim().split('\n')).toEqual([
      'HD-000001  2026-11-24 10:00 CET  open     incident  [AKK] Leerlingen: foutmelding bij opslaan  (Lien Baert <lien.baert@klankkast.example>)',
      'HD-000002  2026-07-01 15:05 CEST  open     incident  URGENT HANDOFF [AKK] Wil een medewerker spreken  (Lien Baert <lien.baert@klankkast.example>)',
    ]);
    const json = JSON.parse((await run(['tickets', 'list', '--json'], '', env)).stdout);
    expect(json).toHaveLength(2);
    expect(json[1]).toMatchObject({ id: 'HD-000002', handoff: true, requester: { name: 'Lien Baert' } });

    const shown = await run(['tickets', 'show', 'HD-000001'], '', env);
    expect(shown.status, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^HD-000001 {2}open {2}2026-11-24 10:00 CET\n/);
    expect(shown.stdout).toMatch(/Aanvrager: Lien Baert <lien\.baert@klankkast\.example>/);

    const closed = await run(['tickets', 'close', 'HD-000001'], '', env);
    expect(closed.stdout).toBe('HD-000001 closed (was open)\n');
    expect((await store.get('HD-000001'))?.status).toBe('closed');
    expect((await run(['tickets', 'close', 'HD-000001'], '', env)).stdout).toBe('HD-000001 was already closed\n');
    const missing = await run(['tickets', 'show', 'HD-000009'], '', env);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/no ticket HD-000009/);
  });

  it('failed --json prints [] when there are no dead letters, and the text says so without claiming a delivery', async () => {
    const env = { TRIAGE_DATA_DIR: tempDir() };
    const json = await run(['tickets', 'failed', '--json'], '', env);
    expect(json.status, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([]);
    expect((await run(['tickets', 'failed'], '', env)).stdout).toBe('0 dead letter(s)\n');
  });
});

describe('triage config check and eval --help', () => {
  it('warns, naming the variable, when the ticket system’s secret is not set', async () => {
    const dir = tempDir();
    const file = join(dir, 'helpdesk.yaml');
    writeFileSync(
      file,
      `extends: ${join(PROFILE_DIR, 'academy.yaml')}\ntickets:\n  adapter: freshdesk\n  freshdesk:\n    url: https://x.freshdesk.com\n    api_key_env: MY_FRESHDESK_KEY\n`,
    );
    const unset = await run(['config', 'check', file], '', { MY_FRESHDESK_KEY: '' });
    expect(unset.status).toBe(0);
    expect(unset.stdout).toMatch(/^OK: /);
    expect(unset.stderr).toMatch(
      /warning: MY_FRESHDESK_KEY is not set \(tickets\.freshdesk\.api_key_env\): the bot refuses to start/,
    );
    const set = await run(['config', 'check', file], '', { MY_FRESHDESK_KEY: 'k' });
    expect(set.stderr).not.toMatch(/warning/);
  });

  it('eval --help describes the format itself and needs no folder beside the project', async () => {
    const r = await run(['eval', '--help'], '', {});
    expect(r.stdout).toMatch(/test\/fixtures\/holdout\.jsonl/);
    expect(r.stdout).toMatch(/label {9}question \| incident \| change \| complaint \| out_of_scope/);
    expect(r.stdout).not.toMatch(/shared/);
  });
});

describe('triage serve on a port that is taken', () => {
  let busy: Server;
  let port: number;
  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    port = (busy.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));

  it('says which port, and how to choose another, and exits', async () => {
    const r = await run(['serve', '--port', String(port), '--host', '127.0.0.1'], '', {
      TRIAGE_DATA_DIR: tempDir(),
      SLACK_BOT_TOKEN: '',
      MicrosoftAppId: '',
      REDIS_URL: '',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `triage: port ${port} is already in use on 127\\.0\\.0\\.1 .*choose another port with --port N or PORT=N`,
      ),
    );
    expect(r.stderr).not.toMatch(/DEP0111|process\.binding/);
  });
});

describe('the deprecation restify prints', () => {
  it('drops only DEP0111 about http_parser (restify 11 loads spdy); other warnings still print', async () => {
    const script = [
      "import { quietSpdyWarning } from './bin/warnings.js';",
      'quietSpdyWarning();',
      "await import('restify');",
      "process.emitWarning('another deprecation', 'DeprecationWarning', 'DEP0999');",
    ].join('\n');
    const r = await new Promise<Run>((resolve) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/http_parser/);
    expect(r.stderr).toMatch(/\[DEP0999\] DeprecationWarning: another deprecation/);
  });
});
