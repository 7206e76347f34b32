import { visibleText } from '../../core/text/visible.ts';

/**
 * Slack's message text is "mrkdwn": `&`, `<` and `>` are escaped, and links, mentions and channels are
 * written `<target|label>`. The core reads and writes plain text; these two functions translate.
 */

/** Slack message text as the person typed it: links and e-mail addresses as written, mentions dropped. */
export function fromSlack(text: string, botUserId?: string): string {
  const plain = text
    .replace(/<([^<>]*)>/g, (_whole, inner: string) => {
      const [target = '', label] = inner.split('|', 2);
      if (target.startsWith('@')) return target.slice(1) === botUserId ? '' : (label ?? '');
      if (target.startsWith('#')) return label ? `#${label}` : '';
      if (target.startsWith('!')) return label ?? '';
      if (target.startsWith('mailto:')) return target.slice('mailto:'.length);
      // A URL: the address itself (the core extracts it), whatever Slack showed.
      return target;
    })
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/[ \t]{2,}/g, ' ');
  // Escape sequences and invisible controls go after the entities are decoded (`&lt;` hides nothing).
  return visibleText(plain).trim();
}

/**
 * Plain text safe inside mrkdwn: what the core says is shown as written, never read as markup (no link,
 * mention or `<!channel>` of the person's), and without escape sequences or invisible controls.
 */
export function escapeMrkdwn(text: string): string {
  return visibleText(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A link in mrkdwn; the label is escaped, `|` and `>` in the URL too. */
export function mrkdwnLink(url: string, label: string): string {
  return `<${url.replace(/\|/g, '%7C').replace(/>/g, '%3E')}|${escapeMrkdwn(label)}>`;
}

/** Cut a text to a limit without splitting a surrogate pair, marking the cut. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const chars = Array.from(text);
  let out = '';
  for (const ch of chars) {
    if (out.length + ch.length > max - 1) break;
    out += ch;
  }
  return `${out}…`;
}

/** Split a long text into pieces of at most `max` characters, preferably at line ends or spaces. */
export function chunks(text: string, max: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = rest.lastIndexOf('\n', max);
    if (cut < max / 2) cut = rest.lastIndexOf(' ', max);
    if (cut < max / 2) cut = max;
    if (/[\uD800-\uDBFF]/.test(rest.charAt(cut - 1))) cut -= 1;
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^[\n ]/, '');
  }
  if (rest || out.length === 0) out.push(rest);
  return out;
}

/** Plain text as escaped mrkdwn pieces of at most `max` characters each (escaping lengthens text). */
export function mrkdwnChunks(text: string, max: number): string[] {
  return chunks(text, max).flatMap((piece) => {
    const escaped = escapeMrkdwn(piece);
    return escaped.length <= max ? [escaped] : chunks(piece, Math.floor(max / 5)).map(escapeMrkdwn);
  });
}
