import type { Config, Lang, MessageKey } from '../config/schema.ts';
import { say } from '../messages.ts';
import type { Person } from '../types.ts';

/**
 * The agent desk's decisions, the same on every surface (Slack, Teams, the browser): who may claim a
 * handoff (one claim wins), what an agent's reply does before a claim (stays internal) and after (goes
 * to the person), resolve, return to bot, the reminder when nobody claims, and the texts shown. Pure:
 * a handoff record and an agent's action in, the new record and the effects out; the surfaces carry
 * the effects out (post, update the card, hint), the handoff book stores the record under its lock.
 */

/** One handoff as the agent desk keeps it: where its card is, who took it, how it ended. */
export interface Handoff {
  conversation: string;
  ticket: string;
  /**
   * Where the desk posted the card, as the desk names it (Slack: `slack:<channel>:<ts>`; Teams:
   * `teams:<channel conversation id>;messageid=<card id>`, the card's thread; the browser desk:
   * `web:<conversation>`). The prefix names the desk.
   */
  card: string;
  requester: Person;
  openedAt: string;
  agent?: Person;
  claimedAt?: string;
  /** The desk was reminded that nobody took it (once). */
  remindedAt?: string;
  ended?: { how: 'resolved' | 'returned'; by: Person; at: string };
  /** The card as posted, for a desk whose platform does not send it back with a click (Teams redraws it). */
  view?: unknown;
  /** The ticket's kind as the desk shows it (`incident`, `out_of_scope/hardware`), after an agent's correction. */
  kind?: string;
}

/** What an agent does on a card: claim it, write in it, resolve it, give it back to the bot. */
export type AgentAction =
  | { type: 'claim'; agent: Person }
  | { type: 'reply'; agent: Person; text: string; files?: number }
  | { type: 'resolve'; agent: Person }
  | { type: 'return'; agent: Person };

/** What the person hears of the desk, through the core (`TriageService.fromDesk`). */
export type ToPerson =
  | { type: 'agent_claimed'; agent: Person }
  | { type: 'agent_message'; agent: Person; text: string }
  | { type: 'handoff_ended'; how: 'resolved' | 'returned' };

/** How a card looks after a step: its status line and the buttons left. */
export type CardStatus = 'claimed' | 'resolved' | 'returned';
export type CardButton = 'claim' | 'resolve' | 'return';

/** What a decision asks the surfaces to do, in this order. */
export type DeskEffect =
  /** Update the handoff's card: the status line (text) and the buttons left. */
  | { type: 'card'; status: CardStatus; text: string; buttons: CardButton[] }
  /** Tell the person, through the core. */
  | { type: 'person'; event: ToPerson }
  /** Tell only the agent who acted (Slack: ephemeral; Teams: in the thread, by name; browser: on the page). */
  | { type: 'hint'; to: Person; key: MessageKey; text: string }
  /** A line for the log (never what was said). */
  | { type: 'log'; message: string; fields?: Record<string, string> };

/** A decision: the record to store (null: leave it as it is) and what to do. */
export interface Decision {
  handoff: Handoff | null;
  effects: DeskEffect[];
}

export interface DeskContext {
  config: Config;
  lang: Lang;
  now: Date;
}

/** How a person is named on the desk and to the person: name, else e-mail, else id. */
export function nameOf(person: Person): string {
  return person.name || person.email || person.id || '?';
}

/** The text of a desk message in the desk's language. */
export function deskText(ctx: Pick<DeskContext, 'config' | 'lang'>, key: MessageKey, params = {}): string {
  return say(ctx.config, ctx.lang, key, params);
}

/**
 * Decide what an agent's action does to a handoff as stored now (undefined: no such card). Nothing is
 * changed on an ended handoff; a second claim loses (the claimer hears who has it); a reply before a
 * claim, or by another agent than the one who claimed, stays on the desk (a hint to its writer).
 */
export function decide(handoff: Handoff | undefined, action: AgentAction, ctx: DeskContext): Decision {
  const none: Decision = { handoff: null, effects: [] };
  const hint = (key: MessageKey, params: Record<string, string | number> = {}): Decision => ({
    handoff: null,
    effects: [{ type: 'hint', to: action.agent, key, text: deskText(ctx, key, params) }],
  });
  if (!handoff) return none;
  if (handoff.ended) return action.type === 'reply' ? none : hint('desk_ended');
  const agent = handoff.agent;
  switch (action.type) {
    case 'claim': {
      if (agent) return agent.id === action.agent.id ? none : hint('desk_already_claimed', { agent: nameOf(agent) });
      const claimed: Handoff = { ...handoff, agent: action.agent, claimedAt: ctx.now.toISOString() };
      const text = deskText(ctx, 'desk_claimed', { agent: nameOf(action.agent), requester: nameOf(handoff.requester) });
      return {
        handoff: claimed,
        effects: [
          { type: 'card', status: 'claimed', text, buttons: ['resolve', 'return'] },
          { type: 'person', event: { type: 'agent_claimed', agent: action.agent } },
          { type: 'log', message: 'handoff claimed' },
        ],
      };
    }
    case 'reply': {
      if (!agent) return hint('desk_claim_first', { claim: deskText(ctx, 'desk_claim') });
      if (agent.id !== action.agent.id) return hint('desk_not_yours', { agent: nameOf(agent) });
      const effects: DeskEffect[] = [];
      if ((action.files ?? 0) > 0)
        effects.push({
          type: 'hint',
          to: action.agent,
          key: 'desk_files_not_sent',
          text: deskText(ctx, 'desk_files_not_sent'),
        });
      const text = action.text.trim();
      if (text) effects.push({ type: 'person', event: { type: 'agent_message', agent, text } });
      return { handoff: null, effects };
    }
    case 'resolve':
    case 'return': {
      // Only a claimed handoff ends from the desk (before a claim there is nobody's answer to end).
      if (!agent) return none;
      const how = action.type === 'resolve' ? 'resolved' : 'returned';
      const ended: Handoff = { ...handoff, ended: { how, by: action.agent, at: ctx.now.toISOString() } };
      const text = deskText(ctx, how === 'resolved' ? 'desk_resolved' : 'desk_returned', {
        agent: nameOf(action.agent),
      });
      return {
        handoff: ended,
        effects: [
          { type: 'card', status: how, text, buttons: [] },
          { type: 'person', event: { type: 'handoff_ended', how } },
          { type: 'log', message: 'handoff ended', fields: { how } },
        ],
      };
    }
  }
}

/** Whether an action changes the record when it is taken (a claim, an end): such a step acts once. */
export function changes(handoff: Handoff | undefined, action: AgentAction, ctx: DeskContext): boolean {
  return decide(handoff, action, ctx).handoff !== null;
}

/**
 * The reminder of a handoff nobody claimed within `handoff.remind_desk_after_minutes` (once): the
 * record marked as reminded and the text, or null when it is not due.
 */
export function reminder(
  handoff: Handoff,
  ctx: DeskContext,
): { handoff: Handoff; text: string; waited: number } | null {
  if (handoff.agent || handoff.remindedAt || handoff.ended) return null;
  const waited = Math.floor((ctx.now.getTime() - Date.parse(handoff.openedAt)) / 60_000);
  if (waited < ctx.config.handoff.remind_desk_after_minutes) return null;
  return {
    handoff: { ...handoff, remindedAt: ctx.now.toISOString() },
    text: deskText(ctx, 'desk_reminder', { minutes: waited }),
    waited,
  };
}

/** The buttons a card shows for a handoff as it stands. */
export function buttonsOf(handoff: Handoff): CardButton[] {
  if (handoff.ended) return [];
  return handoff.agent ? ['resolve', 'return'] : ['claim'];
}
