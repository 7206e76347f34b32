// The web chat's page script: plain browser JavaScript, no library, no build step. Everything the bot
// or a person wrote is put on the page with textContent, never parsed as HTML: it shows as text.

(() => {
  const LANGS = ['nl', 'fr', 'en'];
  const $ = (id) => document.getElementById(id);
  const el = (tag, props = {}, children = []) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (k === 'text') node.textContent = v;
      else if (k === 'class') node.className = v;
      else node.setAttribute(k, v);
    }
    for (const child of children) node.append(child);
    return node;
  };

  /** The page's language: the browser's first of nl, fr, en; Dutch otherwise. */
  const browserLang = () => {
    for (const tag of navigator.languages?.length ? navigator.languages : [navigator.language || '']) {
      const lang = String(tag).slice(0, 2).toLowerCase();
      if (LANGS.includes(lang)) return lang;
    }
    return 'nl';
  };

  let lang = browserLang();
  let texts = {};
  let csrf = '';
  let pending = [];
  let sending = false;
  let pasted = 0;
  const t = (key) => texts[lang]?.[key] ?? key;

  const applyTexts = () => {
    document.documentElement.lang = lang;
    document.title = t('title');
    for (const node of document.querySelectorAll('[data-text]')) node.textContent = t(node.dataset.text);
  };

  const api = async (path, options = {}) => {
    const headers = { ...(options.headers || {}) };
    if (csrf) headers['x-csrf-token'] = csrf;
    const res = await fetch(path, { credentials: 'same-origin', ...options, headers });
    let body = null;
    try {
      body = await res.json();
    } catch {}
    return { status: res.status, body };
  };

  // ---- the conversation --------------------------------------------------------------------------

  const log = $('log');

  const say = (who, node) => {
    const item = el('li', { class: who }, [el('span', { class: 'who', text: t(who === 'you' ? 'you' : 'bot') })]);
    item.append(node);
    log.append(item);
    item.scrollIntoView({ block: 'end' });
    return item;
  };

  const retireChoices = (chosen) => {
    for (const box of log.querySelectorAll('.choices')) {
      const picked = chosen && box.dataset.open === '1' ? chosen : null;
      box.replaceChildren(...(picked ? [el('span', { class: 'chosen', text: `✓ ${picked}` })] : []));
      box.dataset.open = '0';
    }
  };

  const previewNode = (p) => {
    const dl = el('dl');
    for (const f of p.fields) dl.append(el('dt', { text: f.label }), el('dd', { text: f.value }));
    const box = el('div', { class: 'preview' }, [
      el('p', { text: p.intro }),
      el('h3', { text: p.title }),
      el('p', { text: p.urgent ? `${p.kind} (${t('urgent')})` : p.kind }),
      dl,
    ]);
    if (p.description) box.append(el('p', { text: p.description }));
    if (p.attachments.length) box.append(el('p', { text: `${t('attached')}: ${p.attachments.join(', ')}` }));
    box.append(el('p', { text: p.question }));
    return box;
  };

  const showReply = (reply) => {
    const body = el('div', { class: 'text' });
    if (reply.preview) body.append(previewNode(reply.preview));
    else body.textContent = reply.text;
    if (reply.choices?.length) {
      const box = el('div', { class: 'choices', role: 'group', 'data-open': '1' });
      for (const choice of reply.choices) {
        const button = el('button', { type: 'button', text: choice.label });
        if (choice.value === 'send') button.className = 'primary';
        button.addEventListener('click', () => send({ choice: choice.value, shown: choice.label }));
        box.append(button);
      }
      body.append(box);
    }
    say('bot', body);
  };

  const showTickets = (tickets) => {
    if (!tickets?.length) return;
    const ticket = $('ticket');
    ticket.textContent = `${t('ticket')}: ${tickets.map((x) => x.id).join(', ')}`;
    ticket.hidden = false;
  };

  const send = async ({ text = '', choice, shown }) => {
    if (sending) return;
    const files = pending;
    if (!text.trim() && !choice && files.length === 0) return;
    sending = true;
    $('send').disabled = true;
    $('error').textContent = '';
    $('busy').textContent = t('busy');
    const mine = el('div', { class: 'text', text: shown ?? text });
    if (files.length) mine.append(el('div', { text: `${t('attached')}: ${files.map((f) => f.name).join(', ')}` }));
    say('you', mine);
    retireChoices(choice ? shown : null);
    pending = [];
    renderFiles();
    try {
      const { status, body } = await api('/web/messages', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text, ...(choice ? { choice } : {}), attachments: files }),
      });
      if (status === 429) $('error').textContent = t('too_fast');
      else if (status !== 200) $('error').textContent = t('failed');
      for (const reply of body?.replies ?? []) showReply(reply);
      showTickets(body?.tickets);
    } catch {
      $('error').textContent = t('failed');
    } finally {
      sending = false;
      $('send').disabled = false;
      $('busy').textContent = '';
    }
  };

  // ---- files: chosen or pasted, uploaded at once ------------------------------------------------

  const renderFiles = () => {
    $('files').replaceChildren(
      ...pending.map((file, i) => {
        const remove = el('button', {
          type: 'button',
          text: t('remove'),
          'aria-label': `${t('remove')}: ${file.name}`,
        });
        remove.addEventListener('click', () => {
          pending.splice(i, 1);
          renderFiles();
          $('text').focus();
        });
        const parts = [];
        if (file.thumb) parts.push(el('img', { src: file.thumb, alt: '' }));
        parts.push(el('span', { text: `${t('attached')}: ${file.name}` }), remove);
        return el('li', {}, parts);
      }),
    );
  };

  const upload = async (file, name) => {
    $('error').textContent = '';
    const { status, body } = await api('/web/files', {
      method: 'POST',
      headers: { 'content-type': file.type || 'application/octet-stream', 'x-file-name': encodeURIComponent(name) },
      body: file,
    });
    if (status === 413) return void ($('error').textContent = t('too_large'));
    if (status === 429) return void ($('error').textContent = t('too_fast'));
    if (status !== 200) return void ($('error').textContent = t('failed'));
    const thumb = file.type.startsWith('image/') ? URL.createObjectURL(file) : null;
    pending.push({ ...body, thumb });
    renderFiles();
  };

  $('file').addEventListener('change', async (event) => {
    for (const file of event.target.files) await upload(file, file.name);
    event.target.value = '';
  });

  $('text').addEventListener('paste', async (event) => {
    const files = [...(event.clipboardData?.files ?? [])].filter((f) => f.type.startsWith('image/'));
    if (files.length === 0) return;
    event.preventDefault();
    for (const file of files) {
      // Every browser calls a pasted screenshot image.png: numbered, so that two stay apart.
      pasted += 1;
      await upload(file, file.name && file.name !== 'image.png' ? file.name : `${t('screenshot')}-${pasted}.png`);
    }
  });

  $('composer').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = $('text').value;
    $('text').value = '';
    void send({ text });
    $('text').focus();
  });

  $('text').addEventListener('keydown', (event) => {
    // Enter sends, Shift+Enter starts a new line.
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $('composer').requestSubmit();
    }
  });

  // ---- session and late news ---------------------------------------------------------------------

  const startChat = (session) => {
    csrf = session.csrf;
    lang = session.lang || lang;
    applyTexts();
    $('who').hidden = true;
    $('chat').hidden = false;
    if (!log.children.length && session.welcome) showReply({ text: session.welcome });
    const events = new EventSource('/web/events');
    events.addEventListener('news', (event) => {
      for (const reply of JSON.parse(event.data).replies) showReply(reply);
    });
    events.addEventListener('open', () => {
      if ($('error').textContent === t('offline')) $('error').textContent = '';
    });
    events.addEventListener('error', () => {
      $('error').textContent = t('offline');
    });
    $('text').focus();
  };

  $('who').addEventListener('submit', async (event) => {
    event.preventDefault();
    $('who-error').textContent = '';
    const { status, body } = await api('/web/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: $('name').value, email: $('email').value, lang }),
    });
    if (status === 200) startChat(body);
    else $('who-error').textContent = body?.error ?? t('failed');
  });

  /** An intranet page's signed requester token (`#token=...`): exchanged once for a session, then dropped. */
  const tokenSession = async () => {
    const token = new URLSearchParams(location.hash.slice(1)).get('token');
    if (!token) return null;
    history.replaceState(null, '', location.pathname + location.search);
    return api('/web/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, lang }),
    });
  };

  const boot = async () => {
    texts = (await api('/web/texts.json')).body ?? {};
    applyTexts();
    const signed = await tokenSession();
    if (signed && signed.status !== 200) {
      $('who').hidden = false;
      $('who-error').textContent = signed.body?.error ?? t('failed');
      return;
    }
    const { status, body } = signed ?? (await api('/web/session'));
    if (status === 200) startChat(body);
    else {
      $('who').hidden = false;
      $('name').focus();
    }
  };
  void boot();
})();
