// One turn's outcome as it is built: the state, the replies and effects, the status, and the transcript.
import type { Lang } from '../config/schema.ts';
import type {
  ConversationBase,
  ConversationState,
  CoreContext,
  Effect,
  Outcome,
  PhaseState,
  Reply,
  Status,
} from '../types.ts';

export const MAX_TRANSCRIPT = 40;
/**
 * Characters kept of one line of the transcript. The bot's own lines are texts from the config (the
 * agent recognises a question from its start); keeping them whole made a four-turn conversation
 * weigh 3 KB instead of under 2 KB in the store.
 */
const TRANSCRIPT_CHARS = { user: 2000, bot: 200 } as const;

export class TurnBuilder {
  state: ConversationState;
  readonly replies: Reply[] = [];
  readonly effects: Effect[] = [];
  status: Status;
  /** This turn kept an answer that was not the detail asked as more of the person's story. */
  noted = false;
  /**
   * What is said before the next question instead of "niet goed begrepen": the details this turn
   * corrected, that the ticket asked after does not exist yet, or "to go on" after a fact answered.
   */
  preface: { message: 'corrected'; details: string } | { message: 'status_not_yet' | 'fact_go_on' } | null = null;
  /** Lines this turn added to the transcript. */
  private logged = 0;

  constructor(
    /** The state as the turn found it (never changed). */
    readonly before: ConversationState,
    readonly ctx: CoreContext,
  ) {
    this.state = structuredClone(before);
    this.status = statusOf(before);
  }

  get lang(): Lang {
    return this.state.lang;
  }

  /** Change what the state remembers besides its phase and request (see `enter` for those). */
  set(patch: Partial<ConversationBase>): void {
    this.state = { ...this.state, ...patch };
  }

  /** Go to a phase with the request it keeps (none between requests), and change the rest of the state. */
  enter(next: PhaseState & Partial<ConversationBase>): void {
    this.state = { ...this.state, ...next } as ConversationState;
  }

  reply(text: string, choices?: Reply['choices']): void {
    this.replies.push(choices ? { text, choices } : { text });
    this.log('bot', text);
  }

  effect(effect: Effect): void {
    this.effects.push(effect);
    if (effect.type === 'handoff') this.set({ pendingHandoff: effect.ticket.idempotencyKey });
    if (effect.type === 'file_ticket') this.set({ pendingHandoff: null });
  }

  /**
   * A new request begins: its transcript starts with this turn. The earlier request's lines went with
   * its own ticket; carried along they only made every later ticket, desk card and state longer.
   */
  restartTranscript(): void {
    this.set({ transcript: this.logged === 0 ? [] : this.state.transcript.slice(-this.logged) });
  }

  log(from: 'user' | 'bot', text: string): void {
    if (!text) return;
    const last = this.state.transcript.at(-1);
    // The bot's lines of one turn are one line ("Geen probleem. Kunt u een screenshot...").
    if (from === 'bot' && this.logged > 0 && last?.from === 'bot') {
      const joined = { ...last, text: clip(`${last.text} ${text}`, TRANSCRIPT_CHARS.bot) };
      this.set({ transcript: [...this.state.transcript.slice(0, -1), joined] });
      return;
    }
    this.logged++;
    const transcript = [
      ...this.state.transcript,
      { from, text: clip(text, TRANSCRIPT_CHARS[from]), at: this.ctx.now.toISOString() },
    ];
    this.set({ transcript: transcript.slice(-MAX_TRANSCRIPT) });
  }

  outcome(): Outcome {
    this.set({ updatedAt: this.ctx.now.toISOString() });
    return { state: this.state, replies: this.replies, effects: this.effects, status: this.status };
  }
}

export function statusOf(state: ConversationState): Status {
  switch (state.phase) {
    case 'opening':
    case 'choosing_list':
    case 'offering':
    case 'choosing_label':
    case 'clarifying':
    case 'collecting':
    case 'confirming':
    case 'editing':
    case 'deflecting':
    case 'billing':
    case 'checking':
    case 'duplicate':
      return 'collecting';
    case 'rejected':
      return 'rejected';
    case 'handoff':
      return 'handoff';
    default:
      return 'done';
  }
}

/** The text cut to `max` characters (whole code points), marked with an ellipsis when cut. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${Array.from(text.slice(0, max)).slice(0, -1).join('')}…`;
}
