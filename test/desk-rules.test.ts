import { describe, expect, it } from 'vitest';
import { type AgentAction, buttonsOf, changes, decide, type Handoff, reminder } from '../core/desk/desk.ts';
import { shippedCore } from './helpers.ts';

// The desk's decisions, pure: a handoff record and an agent's action in, the new record and the effects
// out. What must happen, and above all what must not (a second claim, a reply before the claim
// reaching the person, steps on an ended handoff).

const config = shippedCore('academy').config;
const NOW = new Date('2026-11-24T09:30:00.000Z');
const ctx = { config, lang: 'nl' as const, now: NOW };
const LIES = { id: 'desk:lies', name: 'Lies' };
const PIET = { id: 'UPIET', name: 'Piet Janssens' };
const open: Handoff = {
  conversation: 'web:abc',
  ticket: 'HD-000001',
  card: 'web:web:abc',
  requester: { id: 'p', name: 'Sofie Peeters' },
  openedAt: '2026-11-24T09:00:00.000Z',
};
const claimed: Handoff = { ...open, agent: LIES, claimedAt: '2026-11-24T09:05:00.000Z' };
const ended: Handoff = { ...claimed, ended: { how: 'resolved', by: LIES, at: '2026-11-24T09:20:00.000Z' } };

const types = (action: AgentAction, handoff: Handoff | undefined) =>
  decide(handoff, action, ctx).effects.map((e) => (e.type === 'person' ? `person:${e.event.type}` : e.type));

describe('the desk decides', () => {
  it('a claim takes an open handoff: the record names the agent, the card and the person hear it', () => {
    const d = decide(open, { type: 'claim', agent: LIES }, ctx);
    expect(d.handoff).toMatchObject({ agent: LIES, claimedAt: NOW.toISOString() });
    expect(d.effects[0]).toMatchObject({ type: 'card', status: 'claimed', buttons: ['resolve', 'return'] });
    expect(d.effects[0]).toHaveProperty('text', expect.stringMatching(/Genomen door Lies.*Sofie Peeters/));
    expect(d.effects[1]).toEqual({ type: 'person', event: { type: 'agent_claimed', agent: LIES } });
  });

  it('a second claim loses: nothing changes, the second agent hears who has it; the first clicking again, nothing', () => {
    const second = decide(claimed, { type: 'claim', agent: PIET }, ctx);
    expect(second.handoff).toBeNull();
    expect(second.effects).toEqual([
      { type: 'hint', to: PIET, key: 'desk_already_claimed', text: expect.stringContaining('Lies') },
    ]);
    expect(decide(claimed, { type: 'claim', agent: LIES }, ctx)).toEqual({ handoff: null, effects: [] });
  });

  it('a reply before a claim stays on the desk: a hint to its writer, nothing to the person', () => {
    const d = decide(open, { type: 'reply', agent: LIES, text: 'Hallo Sofie' }, ctx);
    expect(d.handoff).toBeNull();
    expect(types({ type: 'reply', agent: LIES, text: 'Hallo Sofie' }, open)).toEqual(['hint']);
    expect(d.effects[0]).toMatchObject({ key: 'desk_claim_first', to: LIES });
    expect(JSON.stringify(d.effects)).not.toContain('agent_message');
  });

  it("another agent's reply after the claim stays on the desk too", () => {
    expect(decide(claimed, { type: 'reply', agent: PIET, text: 'Ik neem over' }, ctx).effects).toEqual([
      { type: 'hint', to: PIET, key: 'desk_not_yours', text: expect.stringContaining('Lies') },
    ]);
  });

  it("the claimer's reply reaches the person; files are not sent on (said); an empty reply sends nothing", () => {
    expect(decide(claimed, { type: 'reply', agent: LIES, text: 'Ik kijk mee' }, ctx).effects).toEqual([
      { type: 'person', event: { type: 'agent_message', agent: LIES, text: 'Ik kijk mee' } },
    ]);
    expect(types({ type: 'reply', agent: LIES, text: 'zie bijlage', files: 1 }, claimed)).toEqual([
      'hint',
      'person:agent_message',
    ]);
    expect(types({ type: 'reply', agent: LIES, text: '  ', files: 1 }, claimed)).toEqual(['hint']);
    expect(types({ type: 'reply', agent: LIES, text: '' }, claimed)).toEqual([]);
  });

  it('resolve and return end a claimed handoff once, by whoever of the desk; not before a claim', () => {
    const resolved = decide(claimed, { type: 'resolve', agent: LIES }, ctx);
    expect(resolved.handoff?.ended).toEqual({ how: 'resolved', by: LIES, at: NOW.toISOString() });
    expect(types({ type: 'resolve', agent: LIES }, claimed)).toEqual(['card', 'person:handoff_ended', 'log']);
    const returned = decide(claimed, { type: 'return', agent: PIET }, ctx);
    expect(returned.handoff?.ended?.how).toBe('returned');
    expect(returned.effects[1]).toEqual({ type: 'person', event: { type: 'handoff_ended', how: 'returned' } });
    expect(decide(open, { type: 'resolve', agent: LIES }, ctx)).toEqual({ handoff: null, effects: [] });
    expect(changes(open, { type: 'return', agent: LIES }, ctx)).toBe(false);
  });

  it('an ended handoff takes no step: claim, resolve, return hear it ended; a reply is left alone', () => {
    for (const type of ['claim', 'resolve', 'return'] as const) {
      const d = decide(ended, { type, agent: PIET }, ctx);
      expect(d.handoff).toBeNull();
      expect(d.effects).toEqual([{ type: 'hint', to: PIET, key: 'desk_ended', text: expect.any(String) }]);
    }
    expect(decide(ended, { type: 'reply', agent: LIES, text: 'nog iets' }, ctx)).toEqual({
      handoff: null,
      effects: [],
    });
    expect(decide(undefined, { type: 'claim', agent: LIES }, ctx)).toEqual({ handoff: null, effects: [] });
  });

  it('reminds once of a handoff nobody took within the configured minutes, never of a claimed or ended one', () => {
    const minutes = config.handoff.remind_desk_after_minutes;
    const early = { ...ctx, now: new Date(Date.parse(open.openedAt) + (minutes - 1) * 60_000) };
    expect(reminder(open, early)).toBeNull();
    const due = { ...ctx, now: new Date(Date.parse(open.openedAt) + minutes * 60_000) };
    const r = reminder(open, due);
    expect(r?.waited).toBe(minutes);
    expect(r?.text).toContain(String(minutes));
    expect(reminder(r!.handoff, due)).toBeNull();
    expect(reminder(claimed, due)).toBeNull();
    expect(reminder(ended, due)).toBeNull();
  });

  it('shows the buttons a handoff has left', () => {
    expect(buttonsOf(open)).toEqual(['claim']);
    expect(buttonsOf(claimed)).toEqual(['resolve', 'return']);
    expect(buttonsOf(ended)).toEqual([]);
  });
});
