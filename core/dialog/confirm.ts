// The ticket preview on channels with buttons: send, edit, or a correction.
import type { Slot } from '../config/schema.ts';
import { say } from '../messages.ts';
import type { Attachment, RequestState, TicketPreview, Turn } from '../types.ts';
import { ruleHandoff } from './checks.ts';
import type { Dialog } from './context.ts';
import { describe, titleOf } from './draft.ts';
import { file } from './file.ts';
import type { TurnBuilder } from './turn.ts';

/** Show the ticket about to be filed, with send / edit buttons. */
export function showPreview(d: Dialog, t: TurnBuilder, request: RequestState): void {
  const preview = previewOf(d, t, request);
  const summary = [
    `${preview.kind}: ${preview.title}`,
    ...preview.fields.map((f) => `${f.label}: ${f.value}`),
    ...(preview.attachments.length > 0
      ? [`${d.config.vocabulary.slots.screenshot[t.lang]}: ${preview.attachments.join(', ')}`]
      : []),
  ]
    .map((line) => `- ${line}`)
    .join('\n');
  t.enter({ phase: 'confirming', awaiting: 'confirm', request });
  t.replies.push({
    text: say(d.config, t.lang, 'preview', { summary }),
    choices: [
      { value: 'send', label: say(d.config, t.lang, 'preview_send') },
      { value: 'edit', label: say(d.config, t.lang, 'preview_edit') },
    ],
    preview,
  });
  t.log('bot', say(d.config, t.lang, 'preview', { summary }));
  t.status = 'collecting';
}

function previewOf(d: Dialog, t: TurnBuilder, request: RequestState): TicketPreview {
  const label = request.label ?? request.classification.inScopeLabel;
  const fields = Object.entries(request.slots)
    .filter(([slot]) => slot !== 'description')
    .map(([slot, value]) => ({
      slot: slot as Slot,
      label: d.config.vocabulary.slots[slot as Slot][t.lang],
      value: displayValue(d, slot as Slot, value),
    }));
  return {
    intro: say(d.config, t.lang, 'preview_intro'),
    question: say(d.config, t.lang, 'preview_question'),
    title: titleOf(d, request),
    kind: d.config.vocabulary.kinds[label][t.lang],
    urgent: request.classification.urgent,
    fields,
    description: describe(d, t, request),
    attachments: request.attachments.map((a) => a.name),
  };
}

/** A canonical value as a person recognises it: "AKW (Academie ...)", a screen's name. */
export function displayValue(d: Dialog, slot: Slot, value: string): string {
  const dirs = d.config.directories;
  if (slot === 'academy') {
    const a = dirs.academies.find((x) => x.code === value);
    return a ? `${a.code} (${a.name})` : value;
  }
  if (slot === 'site_id') {
    const site = dirs.sites.find((x) => x.id === value);
    return site ? `${site.id} (${site.name})` : value;
  }
  if (slot === 'screen') return dirs.screens.find((x) => x.id === value)?.name ?? value;
  return value;
}

/** The answer to the preview: send, edit, or anything else read as the correction itself. */
export function onConfirm(
  d: Dialog,
  t: TurnBuilder,
  request: RequestState,
  input: Turn,
  attachments: Attachment[],
): void {
  request.attachments.push(...attachments);
  if (input.choice === 'send' || (!input.choice && d.kit.says(input.text, 'send'))) {
    file(d, t, request, ruleHandoff(d, t, request));
    return;
  }
  if (input.choice === 'edit' || (!input.choice && d.kit.says(input.text, 'edit'))) {
    t.enter({ phase: 'editing', awaiting: 'description', request });
    t.reply(say(d.config, t.lang, 'ask_edit'));
    t.status = 'collecting';
    return;
  }
  // Anything else is read as the correction itself.
  onEdit(d, t, request, input.text.trim(), []);
}

/** A correction: details it names replace the ones known (the person knows best); other text is added. */
export function onEdit(
  d: Dialog,
  t: TurnBuilder,
  request: RequestState,
  text: string,
  attachments: Attachment[],
): void {
  request.attachments.push(...attachments);
  const corrections = d.extractor.extract(text);
  if (Object.keys(corrections).length > 0) Object.assign(request.slots, corrections);
  else if (text) request.extra.push(text);
  showPreview(d, t, request);
}
