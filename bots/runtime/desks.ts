import type { HandoffBook } from '../../adapters/state/handoffs.ts';
import type { Attachment, ConversationState, TicketDraft } from '../../core/types.ts';
import type { AgentDesk, DeskOpened } from './service.ts';

/** Which desk takes new handoffs when several are set up (`web`: the browser desk at /desk). */
export type DeskName = 'slack' | 'teams' | 'web';

/**
 * Several agent desks (Slack, Teams) as the one the runtime talks to: new handoffs go to the chosen
 * desk; what a person says goes to the desk that holds their handoff (the card's prefix in the shared
 * book), so switching desks never strands a running handoff.
 */
export class DeskRouter implements AgentDesk {
  constructor(
    private readonly book: HandoffBook,
    private readonly desks: Partial<Record<DeskName, AgentDesk>>,
    private readonly chosen: DeskName,
  ) {
    if (!desks[chosen]) throw new Error(`no ${chosen} desk to send handoffs to`);
  }

  open(
    conversation: string,
    handoff: { ticket: string; url?: string; draft: TicketDraft; state: ConversationState },
  ): Promise<DeskOpened | undefined> {
    return this.desks[this.chosen]!.open(conversation, handoff);
  }

  async relay(conversation: string, text: string, attachments: Attachment[]): Promise<void> {
    const card = (await this.book.get(conversation))?.card ?? '';
    const holder = this.desks[card.split(':')[0] as DeskName] ?? this.desks[this.chosen]!;
    await holder.relay(conversation, text, attachments);
  }
}

/**
 * The desk new handoffs go to: `HANDOFF_DESK` (slack, teams or web) when that desk is set up, else
 * Slack's, else Teams', else the browser's. A warning when `HANDOFF_DESK` names a desk that is not there.
 */
export function chooseDesk(
  wanted: string | undefined,
  available: DeskName[],
): { desk: DeskName | null; warning?: string } {
  const name = wanted?.trim().toLowerCase();
  const fallback = (['slack', 'teams', 'web'] as const).find((d) => available.includes(d)) ?? null;
  if (!name) return { desk: fallback };
  if (name !== 'slack' && name !== 'teams' && name !== 'web')
    return { desk: fallback, warning: `HANDOFF_DESK must be slack or teams, or web (the browser), not ${wanted}` };
  if (!available.includes(name))
    return { desk: fallback, warning: `HANDOFF_DESK is ${name} but that desk is not set up` };
  return { desk: name };
}

/** A job run every few seconds in this process (a desk's reminders); `start` again replaces it. */
export class Ticker {
  private timer: NodeJS.Timeout | undefined;

  start(everyMs: number, job: () => Promise<unknown>, onError: (error: unknown) => void): void {
    this.stop();
    this.timer = setInterval(() => {
      void job().catch(onError);
    }, everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
