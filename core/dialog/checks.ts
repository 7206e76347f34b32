// The helpdesk's rules before a ticket is filed: the manual, the billing warning, who may ask.
import { isOpen } from '../hours.ts';
import { say } from '../messages.ts';
import { fold } from '../text/normalize.ts';
import type { Attachment, RequestState, Turn } from '../types.ts';
import { yesNo, yesOrNo } from './choices.ts';
import { proceed } from './collect.ts';
import { showPreview } from './confirm.ts';
import { type Dialog, type HandoffReason, onlyNew } from './context.ts';
import { file } from './file.ts';
import { textOf } from './request.ts';
import { nextSubject } from './subjects.ts';
import type { TurnBuilder } from './turn.ts';

/** Manual first: a question the manual answers, or "is it fixed?" about a changelog entry. */
export function deflect(d: Dialog, t: TurnBuilder, request: RequestState): boolean {
  const text = textOf(request);
  const fixed = d.knowledge.changelog(text, t.lang);
  const pages = fixed ? [fixed] : request.label === 'question' ? d.knowledge.manual(text, t.lang) : [];
  if (pages.length === 0) return false;
  request.proposed = pages.map((m) => m.page.id);
  const list = pages.map((m) => `- ${m.page.title}: ${m.page.url}`).join('\n');
  const message = fixed
    ? say(d.config, t.lang, 'changelog_known', { title: fixed.page.title, url: fixed.page.url, date: fixed.page.date })
    : say(d.config, t.lang, 'kb_proposal', { articles: list });
  t.enter({ phase: 'deflecting', awaiting: 'confirm', request });
  t.reply(message, yesNo(d, t.lang));
  t.status = 'collecting';
  return true;
}

/** The answer to the manual pages proposed: solved (no ticket), or on to the ticket. */
export function onDeflect(
  d: Dialog,
  t: TurnBuilder,
  request: RequestState,
  input: Turn,
  attachments: Attachment[],
): void {
  request.attachments.push(...attachments);
  const answer = yesOrNo(d, input);
  if (answer === 'yes') {
    t.enter({ phase: 'done', awaiting: null, request: null });
    t.reply(say(d.config, t.lang, 'kb_resolved'));
    t.effect({ type: 'resolved_by_manual', pages: request.proposed ?? [] });
    t.status = 'done';
    nextSubject(d, t);
    return;
  }
  // "No", or more about the problem: the pages did not answer it, so on to the ticket.
  if (answer === null && input.text.trim()) {
    request.extra.push(input.text.trim());
    Object.assign(request.slots, onlyNew(request.slots, d.extractor.extract(input.text)));
  }
  t.reply(say(d.config, t.lang, 'kb_go_on'));
  t.enter({ phase: 'collecting', awaiting: null, request });
  proceed(d, t, request);
}

/** All details known: who may ask; then preview or file. */
export function beforeFiling(d: Dialog, t: TurnBuilder, request: RequestState): void {
  request.checks ??= {};
  if (!request.checks.registry) {
    request.checks.registry = true;
    if (!checkRegistry(d, t, request)) return;
  }
  if (d.config.conversation.preview && t.state.interactive) showPreview(d, t, request);
  else file(d, t, request, ruleHandoff(d, t, request));
}

/** A configured rule that hands this request to a person (urgent incidents during contact hours). */
export function ruleHandoff(d: Dialog, t: TurnBuilder, request: RequestState): HandoffReason | undefined {
  const urgentIncident = request.classification.urgent && request.label === 'incident';
  if (d.config.handoff.urgent_incidents_in_hours && urgentIncident && isOpen(t.ctx.now, d.config.helpdesk.hours)) {
    return 'rule';
  }
  return undefined;
}

/** Who may ask. Returns false when the request stops here (refused). */
function checkRegistry(d: Dialog, t: TurnBuilder, request: RequestState): boolean {
  const registry = d.config.registry;
  if (registry.mode === 'off') return true;
  const unit = request.slots.academy ?? request.slots.site_id;
  const people = unit ? registry.people[unit] : undefined;
  const email = request.slots.email?.toLowerCase();
  const name = request.slots.name ? fold(request.slots.name).trim() : undefined;
  // Nothing to check against, or nobody to check: the desk sees the request as it is.
  if (!people || (!email && !name)) return true;
  const listed = people.some(
    (p) => (email && p.email?.toLowerCase() === email) || (name && fold(p.name).trim() === name),
  );
  request.registered = listed;
  if (listed) return true;
  // Who the contact persons are is not this person's to know: the message names the unit only.
  const params = { unit: unit ?? '' };
  if (registry.mode === 'refuse') {
    t.enter({ phase: 'done', awaiting: null, request: null });
    t.reply(say(d.config, t.lang, 'not_registered_refused', params));
    t.status = 'done';
    nextSubject(d, t);
    return false;
  }
  t.reply(say(d.config, t.lang, 'not_registered', params));
  return true;
}

/** Outside the contract: warn before filing that it may be charged, and let the person decide. */
export function warnBillable(d: Dialog, t: TurnBuilder, request: RequestState): boolean {
  const label = request.label ?? request.classification.inScopeLabel;
  const text = fold(textOf(request));
  const rule = d.config.billing.rules.find((r) => r.labels.includes(label) && d.billingCues.get(r.id)!.test(text));
  if (!rule) return false;
  request.billable = rule.id;
  t.enter({ phase: 'billing', awaiting: 'confirm', request });
  t.reply(say(d.config, t.lang, 'billable_warning'), yesNo(d, t.lang));
  t.status = 'collecting';
  return true;
}

/** The answer to the billing warning: no stops the request, yes goes on, anything else asks again. */
export function onBilling(
  d: Dialog,
  t: TurnBuilder,
  request: RequestState,
  input: Turn,
  attachments: Attachment[],
): void {
  request.attachments.push(...attachments);
  const answer = yesOrNo(d, input);
  if (answer === 'no') {
    t.enter({ phase: 'done', awaiting: null, request: null });
    t.reply(say(d.config, t.lang, 'billable_declined'));
    t.status = 'done';
    nextSubject(d, t);
    return;
  }
  if (answer === null) {
    t.reply(
      say(d.config, t.lang, 'clarify_retry', { question: say(d.config, t.lang, 'billable_warning') }),
      yesNo(d, t.lang),
    );
    t.status = 'collecting';
    return;
  }
  proceed(d, t, request);
}
