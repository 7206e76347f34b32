// The browser desk's page script: plain browser JavaScript, no library, no build step (as the web chat's).
// Everything a person, an agent or the bot wrote is put on the page with textContent, never as HTML.

(() => {
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

  let texts = {};
  let me = null;
  let csrf = '';
  let queue = [];
  let selected = null;
  let events = null;

  const t = (key) => texts[key] ?? key;

  const applyTexts = (lang) => {
    document.documentElement.lang = lang;
    for (const node of document.querySelectorAll('[data-text]')) node.textContent = t(node.dataset.text);
    document.title = t('title');
  };

  const timeOf = (iso) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

  // ---- sign-in -------------------------------------------------------------------------------------

  const showForm = (tokenAsked) => {
    $('who').hidden = false;
    $('token').hidden = !tokenAsked;
    $('token-label').hidden = !tokenAsked;
    $('name').focus();
  };

  const signedIn = (session) => {
    me = session;
    csrf = session.csrf;
    texts = session.texts;
    applyTexts(session.lang);
    $('who').hidden = true;
    $('desk').hidden = false;
    $('me').textContent = `${session.name} (${t('you')})`;
    listen();
  };

  $('who').addEventListener('submit', async (event) => {
    event.preventDefault();
    $('who-error').textContent = '';
    const res = await fetch('/desk/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: $('name').value, token: $('token').value }),
    }).catch(() => null);
    const body = res ? await res.json().catch(() => ({})) : {};
    if (res?.status === 200) signedIn(body);
    else $('who-error').textContent = body.error || t('failed');
  });

  // ---- the queue -----------------------------------------------------------------------------------

  const listen = () => {
    events?.close();
    events = new EventSource('/desk/events');
    events.addEventListener('queue', (event) => {
      queue = JSON.parse(event.data).handoffs;
      if ($('hint').textContent === t('offline')) $('hint').textContent = '';
      render();
    });
    events.onerror = () => {
      $('hint').textContent = t('offline');
    };
  };

  const statusOf = (h) =>
    h.agent
      ? `${t('claimed_by')} ${h.agent.name}${h.agent.id === me.id ? ` (${t('you')})` : ''}`
      : `${t('waiting')} ${timeOf(h.openedAt)}`;
  const deskOf = (h) => t(`desk_${h.desk}`);

  const render = () => {
    const list = $('queue');
    const focused = document.activeElement?.dataset?.conversation;
    list.replaceChildren(
      ...queue.map((h) => {
        const button = el('button', { type: 'button', 'data-conversation': h.conversation }, [
          el('span', { text: `${h.ticket} · ${h.requester.name}` }),
          el('span', { class: 'sub', text: `${h.kind ? `${h.kind} · ` : ''}${statusOf(h)} · ${deskOf(h)}` }),
        ]);
        if (h.conversation === selected) button.setAttribute('aria-current', 'true');
        button.addEventListener('click', () => {
          selected = h.conversation;
          render();
          $('reply').focus();
        });
        return el('li', {}, [button]);
      }),
    );
    if (focused) list.querySelector(`[data-conversation="${CSS.escape(focused)}"]`)?.focus();
    $('empty').hidden = queue.length > 0;
    renderHandoff();
  };

  const renderHandoff = () => {
    const h = queue.find((x) => x.conversation === selected);
    $('handoff').hidden = !h;
    $('pick').hidden = Boolean(h);
    if (!h) return;
    const facts = [
      [t('ticket'), h.ticket],
      [t('person'), [h.requester.name, h.requester.email].filter(Boolean).join(', ')],
      [t('kind'), h.kind],
      [t('via'), deskOf(h)],
    ].filter(([, v]) => v);
    $('facts').replaceChildren(...facts.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })]));
    $('state').textContent = statusOf(h);
    $('buttons').replaceChildren(
      ...h.buttons.map((act) => {
        const button = el('button', { type: 'button', 'data-act': act, text: texts[`act_${act}`] || act });
        button.addEventListener('click', () => act_(h.conversation, { act }));
        return button;
      }),
    );
    const thread = $('thread');
    const atEnd = thread.scrollTop + thread.clientHeight >= thread.scrollHeight - 8;
    thread.replaceChildren(
      ...h.thread.map((m) => {
        const who =
          m.from === 'person' ? m.name || t('person') : m.from === 'agent' ? m.name : m.from === 'bot' ? t('bot') : '';
        const files = m.files?.length ? ` [${m.files.join(', ')}]` : '';
        return el('li', { class: m.from }, [
          ...(who ? [el('span', { class: 'who', text: `${who}:` })] : []),
          el('span', { class: 'text', text: `${m.text}${files}` }),
        ]);
      }),
    );
    if (atEnd) thread.scrollTop = thread.scrollHeight;
  };

  // ---- steps ---------------------------------------------------------------------------------------

  const act_ = async (conversation, step) => {
    $('hint').textContent = '';
    const res = await fetch('/desk/act', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify({ conversation, ...step }),
    }).catch(() => null);
    const body = res ? await res.json().catch(() => ({})) : {};
    if (res?.status !== 200) {
      $('hint').textContent = body.error || t('failed');
      return false;
    }
    // A step the desk refused (a reply before the claim) keeps what was typed.
    if (body.hints?.length) $('hint').textContent = body.hints.join(' ');
    return !body.hints?.length;
  };

  $('composer').addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = $('reply').value;
    if (!selected || !text.trim()) return;
    if (await act_(selected, { act: 'reply', text })) $('reply').value = '';
  });
  $('reply').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      $('composer').requestSubmit();
    }
  });

  // ---- start ---------------------------------------------------------------------------------------

  (async () => {
    const res = await fetch('/desk/session').catch(() => null);
    const body = res ? await res.json().catch(() => ({})) : {};
    if (res?.status === 200) {
      signedIn(body);
      return;
    }
    texts = body.texts ?? {};
    applyTexts(body.lang ?? 'nl');
    showForm(Boolean(body.token));
  })();
})();
