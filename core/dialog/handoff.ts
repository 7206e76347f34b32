// A person takes over: the handoff ticket, and the agent desk's events during a live handoff.
import { say } from '../messages.ts';
import type { Attachment, Person, Turn } from '../types.ts';
import type { Dialog, HandoffReason } from './context.ts';
import { file } from './file.ts';
import { newRequest } from './request.ts';
import type { TurnBuilder } from './turn.ts';

/** The agent desk: a colleague took the handoff, wrote to the person, or ended it; the queue position. */
export type DeskEvent =
  | { type: 'agent_claimed'; agent: Person }
  | { type: 'agent_message'; agent: Person; text: string }
  | { type: 'handoff_ended'; how: 'resolved' | 'returned' }
  /** Unclaimed handoff during contact hours: the person's place in the queue. */
  | { type: 'handoff_queue'; position: number };

/** A person takes over: the request (this message when there is none yet) is filed as a handoff ticket. */
export function handOff(
  d: Dialog,
  t: TurnBuilder,
  text: string,
  attachments: Attachment[],
  input: Turn,
  reason: HandoffReason,
): void {
  // Right after a refusal, the refused request is what the colleague must see (not "medewerker" alone).
  let request = t.state.request ?? (t.state.phase === 'rejected' ? t.state.rejected : null);
  if (!request) {
    request = newRequest(d, t, text, attachments, input);
  } else {
    request.extra.push(text);
    request.attachments.push(...attachments);
  }
  const refused = request.classification.oosReason;
  request.label ??= (refused && d.config.scope.reasons[refused].resume_as) || request.classification.inScopeLabel;
  file(d, t, request, reason);
}

/** The agent desk during a live handoff: claimed, a message from the agent, the queue, the end. */
export function onDesk(d: Dialog, t: TurnBuilder, event: DeskEvent): void {
  const handoff = t.state.handoff;
  if (t.state.phase !== 'handoff' || !handoff) return;
  const agent = (p: Person) => p.name?.split(/\s+/)[0] ?? say(d.config, t.lang, 'duplicate_colleague');
  t.status = 'handoff';
  switch (event.type) {
    case 'agent_claimed':
      t.set({ handoff: { ...handoff, agent: event.agent } });
      t.reply(say(d.config, t.lang, 'handoff_claimed', { agent: agent(event.agent), ticket: handoff.ticket }));
      return;
    case 'agent_message':
      t.reply(say(d.config, t.lang, 'agent_says', { agent: agent(event.agent), text: event.text }));
      return;
    case 'handoff_queue':
      if (!handoff.agent) t.reply(say(d.config, t.lang, 'handoff_queue', { position: event.position }));
      return;
    case 'handoff_ended':
      t.enter({ phase: 'done', request: null, handoff: undefined });
      t.reply(say(d.config, t.lang, event.how === 'resolved' ? 'handoff_resolved' : 'handoff_returned'));
      t.status = 'done';
      return;
  }
}
