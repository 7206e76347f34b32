import { describe, expect, it } from 'vitest';
import type { AgentDesk, Notifier } from '../bots/runtime/service.ts';
import type { Attachment, ConversationState, Reply, TicketDraft } from '../core/types.ts';
import { CLOSED_HOURS, coreWith, OPEN_HOURS, shippedCore, transcript } from './helpers.ts';

/** Records what reaches the agent desk and what reaches the person outside turns. */
function recorder() {
  const desk = {
    opened: [] as { conversation: string; ticket: string; draft: TicketDraft; state: ConversationState }[],
    relayed: [] as { conversation: string; text: string; attachments: Attachment[] }[],
    async open(conversation: string, handoff: { ticket: string; draft: TicketDraft; state: ConversationState }) {
      desk.opened.push({ conversation, ...handoff });
      return undefined;
    },
    async relay(conversation: string, text: string, attachments: Attachment[]) {
      desk.relayed.push({ conversation, text, attachments });
    },
  } satisfies AgentDesk & Record<string, unknown>;
  const told: { conversation: string; replies: Reply[] }[] = [];
  const notifier: Notifier = {
    async notify(conversation, replies) {
      told.push({ conversation, replies });
    },
  };
  return { desk, notifier, told, said: () => told.flatMap((t) => t.replies.map((r) => r.text)).join('\n') };
}

describe('handoff to a person', () => {
  it('asked for a person: the desk gets the ticket and conversation, the bot keeps silent, the agent relays', async () => {
    const r = recorder();
    const chat = transcript({ desk: r.desk, notifier: r.notifier, user: { id: 'u1', name: 'Els Peeters' } });
    await chat.user('De rapporten van Lindenhof tonen verkeerde punten, dat klopt niet').bot({ status: 'collecting' });
    await chat.user('Ik wil graag een medewerker spreken').bot({ status: 'handoff', says: /medewerker.*HD-000001/ });
    expect(r.desk.opened).toMatchObject([
      { conversation: 'conv-1', ticket: 'HD-000001', draft: { handoff: true, slots: { academy: 'ALH' } } },
    ]);
    expect(r.desk.opened[0]?.state.transcript.map((m) => m.text).join('\n')).toContain('verkeerde punten');
    const ticket = await chat.tickets.get('HD-000001');
    expect(ticket?.draft.handoff).toBe(true);

    // The person writes on: it goes to the desk, and the bot says nothing.
    const quiet = await chat.user('Het gaat om de klas Piano 2', [{ name: 'p.png', contentType: 'image/png' }]).bot({
      status: 'handoff',
    });
    expect(quiet.replies).toEqual([]);
    expect(r.desk.relayed).toMatchObject([{ text: 'Het gaat om de klas Piano 2', attachments: [{ name: 'p.png' }] }]);

    await chat.service.fromDesk('conv-1', { type: 'agent_claimed', agent: { id: 'a1', name: 'Jan Maes' } });
    await chat.service.fromDesk('conv-1', {
      type: 'agent_message',
      agent: { id: 'a1', name: 'Jan Maes' },
      text: 'Ik kijk het na.',
    });
    expect(r.said()).toMatch(/Jan van de helpdesk neemt uw vraag \(ticket HD-000001\)/);
    expect(r.said()).toMatch(/^Jan: Ik kijk het na\.$/m);
    const notes = (await chat.tickets.get('HD-000001'))?.notes ?? [];
    expect(notes.map((n) => n.text)).toEqual(['Het gaat om de klas Piano 2', 'Ik kijk het na.']);
    await chat.service.fromDesk('conv-1', { type: 'handoff_ended', how: 'resolved' });
    expect(r.said()).toMatch(/afgerond/);
    // The bot is back.
    await chat.user('Waar stel ik de vakantiedagen in? Academie Lindenhof').bot({ status: 'collecting' });
  });

  it('outside contact hours: no live handoff, the ticket waits and the person hears when the desk opens', async () => {
    const r = recorder();
    const chat = transcript({ desk: r.desk, notifier: r.notifier, now: CLOSED_HOURS });
    await chat
      .user('Ik wil iemand van de helpdesk spreken over de facturen van Lindenhof')
      .bot({ status: 'handoff', says: /gesloten.*maandag om 08:30/s });
    expect(r.desk.opened).toEqual([]);
    await chat.user('Waar stel ik de vakantiedagen in? Academie Lindenhof').bot({ status: 'collecting' });
  });

  it('hands off after being misunderstood twice in a row', async () => {
    const r = recorder();
    const chat = transcript({ desk: r.desk, notifier: r.notifier });
    await chat.user('Ik zit met de klassenlijsten van de afdeling dans').bot({ awaiting: 'label' });
    await chat.user('geen idee').bot({ awaiting: 'label' });
    await chat.user('pff').bot({ status: 'handoff' });
    expect(r.desk.opened).toHaveLength(1);
  });

  it('urgent incidents go to a person at once when the configuration says so', async () => {
    const r = recorder();
    const core = coreWith({ handoff: { urgent_incidents_in_hours: true } });
    const chat = transcript({ core, desk: r.desk, notifier: r.notifier });
    let res = await chat
      .user('DRINGEND: het inschrijvingsscherm geeft "Server error 500", niemand kan inschrijven. Academie Lindenhof', [
        { name: 'fout.png', contentType: 'image/png' },
      ])
      .bot({});
    for (let i = 0; i < 4 && res.status === 'collecting'; i++) res = await chat.user('n.v.t.').bot({});
    expect(res.status).toBe('handoff');
    expect(r.desk.opened).toHaveLength(1);
  });

  it('answers a request for one named colleague honestly, and goes on', async () => {
    await transcript()
      .user('Kan ik Jan spreken?')
      .bot({ says: /niet met één bepaalde medewerker/ });
    await transcript()
      .user('Could I speak to Sarah please?')
      .bot({ says: /every colleague at the helpdesk can help/ });
  });
});

describe('ticket status', () => {
  it('answers from the ticket system, and says so when the number is unknown', async () => {
    const chat = transcript();
    let r = await chat
      .user('Het programma crasht bij het openen van de evaluaties, Academie Lindenhof', [
        { name: 'x.png', contentType: 'image/png' },
      ])
      .bot({});
    for (let i = 0; i < 4 && r.status === 'collecting'; i++) r = await chat.user('n.v.t.').bot({});
    expect(r.ticket?.id).toBe('HD-000001');
    await chat.user('Wat is de status van HD-000001?').bot({ says: /HD-000001 staat open/ });
    await chat.user('Quel est le statut du ticket hd-000777 ?').bot({ says: /ne trouve pas de ticket HD-000777/ });
  });
});

describe('a handoff whose ticket waits in the outbox', () => {
  it('reaches the desk when the number comes', () => {
    const core = shippedCore();
    const ctx = { now: OPEN_HOURS, desk: true };
    const first = core.handle(
      null,
      {
        type: 'message',
        turn: { conversation: 'h1', user: { id: 'u' }, text: 'Ik wil een medewerker spreken over de facturen' },
      },
      ctx,
    );
    const handoff = first.effects.find((e) => e.type === 'handoff') as { ticket: TicketDraft } | undefined;
    expect(handoff).toBeDefined();
    const key = handoff!.ticket.idempotencyKey;
    const queued = core.handle(first.state, { type: 'ticket_queued', idempotencyKey: key }, ctx);
    expect(queued.state.phase).toBe('handoff');
    const filed = core.handle(
      queued.state,
      { type: 'ticket_filed', idempotencyKey: key, ticket: { id: 'HD-000009' } },
      ctx,
    );
    expect(filed.replies[0]?.text).toMatch(/HD-000009/);
    expect(filed.effects).toEqual([{ type: 'desk_open', ticket: 'HD-000009' }]);
    expect(filed.state.handoff).toMatchObject({ ticket: 'HD-000009', live: true });
  });
});
