import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { sqliteLearnedStore } from '../adapters/learn/stores.ts';
import { memoryOutbox } from '../adapters/tickets/outbox/outbox.ts';
import { DeliveryWorker } from '../adapters/tickets/outbox/worker.ts';
import { deskCorrections } from '../bots/server/corrections.ts';
import { type DeskBots, deskBots, PIET, TEAMS_DESK, teamsShown } from './desks/harness.ts';
import { OPEN_HOURS } from './helpers.ts';
import { type SlackBot, shown, slackBot } from './slack/harness.ts';
import { directMessage } from './slack/requests.ts';
import { cardSubmit, JAN, PERSONAL, personalMessage } from './teams/requests.ts';
import { ticketDraft, webhookFixture, withTickets } from './tickets/fixtures.ts';

// An agent corrects a ticket's kind on the desk card (Slack and Teams, through the real protocols):
// the correction is learned (scrubbed, waiting for approval), noted on the local ticket, and the card
// shows the new kind. Sofie reports a problem (an incident) and asks for a person.

const REPORT = 'De rapporten van Lindenhof tonen verkeerde punten, dat klopt niet';
const DESK = 'C0DESK';

/** `triage learn review --json` on the bot's data folder: the examples waiting for approval. */
function review(dataDir: string): Record<string, unknown>[] {
  const r = spawnSync(process.execPath, ['bin/triage.js', 'learn', 'review', '--json'], {
    encoding: 'utf8',
    env: { ...process.env, TRIAGE_DATA_DIR: dataDir },
  });
  expect(r.stderr).toBe('');
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('correcting the kind on the Slack desk card', () => {
  let bot: SlackBot;
  afterEach(async () => bot.close());

  it('is learned once (a double choice too), noted on the ticket, and the card shows the new kind', async () => {
    bot = await slackBot({ SLACK_DESK_CHANNEL: DESK }, { clock: () => OPEN_HOURS });
    for (const text of [REPORT, 'ik wil een medewerker spreken']) {
      expect((await bot.event(directMessage(text))).status).toBe(200);
      await bot.settled();
    }
    const card = () => bot.fake.posted({ channel: DESK, thread_ts: undefined })[0]!;
    // The card's menu offers the four kinds and out of scope with each reason, in the desk's language.
    expect(shown(card())).toContain('"action_id":"desk_kind"');
    expect(shown(card())).toContain('Soort corrigeren');
    expect(shown(card())).toContain('Buiten scope: toestellen');
    expect(shown(card())).toMatch(/\*Soort\*\\nStoring/);

    // Jan chooses "Vraag" twice in a row (a double click): one example, one note.
    const first = card();
    const [a, b] = await Promise.all([
      bot.choose(first, 'desk_kind', 'question', 'UJAN'),
      bot.choose(first, 'desk_kind', 'question', 'UJAN'),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    await bot.settled();

    const learned = review(bot.dataDir);
    expect(learned).toHaveLength(1);
    expect(learned[0]).toMatchObject({
      label: 'question',
      oos_reason: null,
      source: 'correction:slack',
      ref: 'HD-000001',
      status: 'pending',
    });
    expect(String(learned[0]!.text)).toContain('verkeerde punten');
    expect(JSON.stringify(learned)).not.toMatch(/Sofie|Peeters|klankkast/);

    const ticket = await bot.tickets.get('HD-000001');
    expect(ticket?.notes?.map((n) => n.text)).toEqual(['kind corrected: incident -> question']);
    // The card: the Kind field says Vraag, and who corrected it from what.
    const corrected = shown(card());
    expect(corrected).toMatch(/\*Soort\*\\nVraag/);
    expect(corrected).toContain('Soort gecorrigeerd door Jan Claes: Storing → Vraag');

    // Then out of scope: the same ticket's example is replaced, the note says from what.
    expect((await bot.choose(card(), 'desk_kind', 'out_of_scope/hardware', 'UJAN')).status).toBe(200);
    await bot.settled();
    expect(review(bot.dataDir)).toEqual([
      expect.objectContaining({ label: 'out_of_scope', oos_reason: 'hardware', ref: 'HD-000001' }),
    ]);
    expect((await bot.tickets.get('HD-000001'))?.notes?.map((n) => n.text)).toEqual([
      'kind corrected: incident -> question',
      'kind corrected: question -> out_of_scope/hardware',
    ]);
    expect(shown(card())).toMatch(/\*Soort\*\\nBuiten scope: toestellen/);
    expect(shown(card())).not.toContain('Storing → Vraag');
  }, 60_000);

  it('a choice of no kind, or on a message that is not a card, changes nothing', async () => {
    bot = await slackBot({ SLACK_DESK_CHANNEL: DESK }, { clock: () => OPEN_HOURS });
    for (const text of [REPORT, 'ik wil een medewerker spreken']) {
      expect((await bot.event(directMessage(text))).status).toBe(200);
      await bot.settled();
    }
    const card = bot.fake.posted({ channel: DESK, thread_ts: undefined })[0]!;
    const blocks = card.blocks as { elements?: { action_id?: string; options?: { value: string }[] }[] }[];
    const menu = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'desk_kind')!;
    // A forged option (not a kind) and a choice on another message of the channel.
    menu.options!.push({ value: 'bug', text: { type: 'plain_text', text: 'bug' } } as never);
    expect((await bot.choose(card, 'desk_kind', 'bug', 'UJAN')).status).toBe(200);
    expect((await bot.choose({ ...card, ts: '1.000' }, 'desk_kind', 'question', 'UJAN')).status).toBe(200);
    await bot.settled();
    expect(review(bot.dataDir)).toEqual([]);
    expect((await bot.tickets.get('HD-000001'))?.notes ?? []).toEqual([]);
  }, 60_000);
});

describe('correcting the kind on the Teams desk card', () => {
  let bot: DeskBots;
  afterEach(async () => bot.close());

  it('is learned once (a double click and a redelivery too), noted, and the card shows the new kind', async () => {
    bot = await deskBots({ TEAMS_DESK_CONVERSATION: TEAMS_DESK }, () => OPEN_HOURS);
    for (const text of [REPORT, 'ik wil een medewerker spreken']) {
      expect((await bot.teamsPost(personalMessage(bot.serviceUrl, text))).status).toBe(200);
      await bot.settled();
    }
    const [card] = bot.teams.sent({ conversation: TEAMS_DESK });
    expect(card).toBeDefined();
    const now = () =>
      teamsShown(
        bot.teams
          .updates()
          .filter((u) => u.activityId === card!.id)
          .at(-1)?.body ?? card!,
      );
    expect(now()).toContain('"type":"Input.ChoiceSet"');
    expect(now()).toContain('"act":"kind"');
    expect(now()).toContain('Buiten scope: toestellen');

    const thread = { id: card!.id, _to: `${TEAMS_DESK};messageid=${String(card!.id)}` };
    // What Teams posts for Action.Submit: the button's data with the card's inputs (the menu: `kind`).
    const choose = (kind: string, from = JAN) =>
      cardSubmit(bot.serviceUrl, thread, { action: 'triage_desk', act: 'kind', ticket: 'HD-000001', kind }, from);
    const click = choose('change');
    const results = await Promise.all([bot.teamsPost(click), bot.teamsPost(click), bot.teamsPost(choose('change'))]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    await bot.settled();

    const learned = review(bot.dataDir);
    expect(learned).toHaveLength(1);
    expect(learned[0]).toMatchObject({ label: 'change', source: 'correction:teams', ref: 'HD-000001' });
    expect(JSON.stringify(learned)).not.toMatch(/Sofie|Peeters|klankkast/);
    expect((await bot.tickets.get('HD-000001'))?.notes?.map((n) => n.text)).toEqual([
      'kind corrected: incident -> change',
    ]);
    expect(now()).toMatch(/"title":"Soort","value":"Wijziging"/);
    expect(now()).toContain('Soort gecorrigeerd door Jan Claes: Storing → Wijziging');

    // Claim still works after a correction, and the card keeps the corrected kind.
    expect(
      (
        await bot.teamsPost(
          cardSubmit(bot.serviceUrl, thread, { action: 'triage_desk', act: 'claim', ticket: 'HD-000001' }, PIET),
        )
      ).status,
    ).toBe(200);
    await bot.settled();
    expect(now()).toContain('Genomen door Piet');
    expect(now()).toMatch(/"title":"Soort","value":"Wijziging"/);
    expect(bot.teams.sent({ conversation: PERSONAL }).map(teamsShown).join('\n')).not.toMatch(/Wijziging|kind/);
  }, 60_000);
});

describe('a correction for a ticket in another ticket system', () => {
  it('finds the draft in the outbox (the person’s first message, scrubbed) and notes nothing', async () => {
    const fx = await webhookFixture();
    try {
      const outbox = memoryOutbox();
      const worker = new DeliveryWorker(outbox, fx.sink, {});
      const at = '2026-03-02T09:00:00Z';
      const draft = ticketDraft({
        idempotencyKey: 'desk-correction-1',
        conversation: 'slack:D1',
        requester: { id: 'u1', name: 'Greet Hermans', email: 'greet.hermans@academie-test.be' },
        title: 'Storing: printer',
        description: 'De printer geeft papierstoring',
        handoff: true,
        transcript: [
          {
            from: 'user',
            text: 'De printer van Greet Hermans geeft papierstoring bij het afdrukken, bel 0478 12 34 56',
            at,
          },
          { from: 'bot', text: 'Welke academie?', at },
        ],
        createdAt: at,
      });
      const { entry } = await outbox.put(draft, fx.sink.name, Date.now());
      const delivered = await worker.attempt(entry.key);
      const ticket = delivered?.ticket?.id;
      expect(ticket).toMatch(/^WH-/);

      const learned = sqliteLearnedStore(fx.dataDir);
      onTestFinished(() => learned.close());
      const corrections = deskCorrections(withTickets({}), {
        store: learned,
        sink: fx.sink,
        outbox,
        clock: () => new Date(at),
      });
      const kind = { label: 'out_of_scope' as const, oos_reason: 'hardware' as const };
      const done = await corrections.correct({ ticket: ticket!, kind, by: { id: 'UJAN' }, channel: 'slack' });
      expect(done).toMatchObject({ from: 'incident', to: 'out_of_scope/hardware' });
      const [example, ...more] = await learned.list();
      expect(more).toEqual([]);
      expect(example).toMatchObject({ ...kind, source: 'correction:slack', ref: ticket, status: 'pending' });
      expect(example!.text).toContain('bij het afdrukken');
      expect(example!.text).not.toMatch(/Greet|Hermans|0478/);
      // A number no system gave: nothing learned.
      expect(await corrections.correct({ ticket: 'WH-404', kind, by: { id: 'UJAN' }, channel: 'slack' })).toBeNull();
    } finally {
      await fx.close();
    }
  });
});
