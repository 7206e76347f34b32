// The admin console's page script: plain browser JavaScript, no library; the charts are SVG drawn here.
// Everything from the server (people's messages, ticket titles, config problems) is put on the page
// with textContent, never parsed as HTML.

(() => {
  const $ = (id) => document.getElementById(id);
  const el = (tag, props = {}, children = []) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (k === 'text') node.textContent = v;
      else if (k === 'class') node.className = v;
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    }
    for (const child of children) node.append(child);
    return node;
  };
  const SVG = 'http://www.w3.org/2000/svg';
  const svg = (tag, attrs = {}, children = []) => {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === 'text') node.textContent = v;
      else node.setAttribute(k, String(v));
    }
    for (const child of children) node.append(child);
    return node;
  };
  const pct = (x) => `${(x * 100).toFixed(1)}%`;
  const when = (iso) => (iso ? new Date(iso).toLocaleString() : '');

  const api = async (path, options = {}) => {
    const res = await fetch(path, {
      credentials: 'same-origin',
      ...options,
      headers: options.body ? { 'content-type': 'application/json' } : {},
      body: options.body ? JSON.stringify(options.body) : undefined,
    });
    let body = null;
    try {
      body = await res.json();
    } catch {}
    if (res.status === 401) location.reload();
    return { status: res.status, body };
  };

  // ---- tabs ----------------------------------------------------------------------------------------

  const tabs = ['try', 'conversations', 'tickets', 'evaluation', 'configuration'];
  const loaders = {};
  let current = 'try';
  const show = (name) => {
    current = name;
    for (const tab of tabs) {
      $(`tab-${tab}`).setAttribute('aria-selected', String(tab === name));
      $(`tab-${tab}`).tabIndex = tab === name ? 0 : -1;
      $(tab).hidden = tab !== name;
    }
    if (location.hash !== `#${name}`) history.replaceState(null, '', `#${name}`);
    void loaders[name]?.();
  };
  tabs.forEach((tab, i) => {
    $(`tab-${tab}`).addEventListener('click', () => show(tab));
    $(`tab-${tab}`).addEventListener('keydown', (event) => {
      const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
      if (!step) return;
      const next = tabs[(i + step + tabs.length) % tabs.length];
      show(next);
      $(`tab-${next}`).focus();
    });
  });

  const status = async () => {
    const { body } = await api('/admin/api/status');
    if (!body) return null;
    $('status').textContent =
      `profile ${body.profile} · configuration v${body.version} loaded ${when(body.loadedAt)}` +
      `${body.reloading ? ' · reloading…' : ''} · personal data ${body.personalData}`;
    const select = $('try-profile');
    if (!select.options.length) for (const p of body.profiles) select.append(el('option', { value: p, text: p }));
    return body;
  };

  // ---- try a sentence ------------------------------------------------------------------------------

  $('try-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    $('try-error').textContent = '';
    const { status: code, body } = await api('/admin/api/try', {
      method: 'POST',
      body: { text: $('try-text').value, profile: $('try-profile').value },
    });
    if (code !== 200) {
      $('try-error').textContent = body?.error ?? `failed (${code})`;
      return;
    }
    $('try-result').hidden = false;
    $('try-kind').textContent = body.oosReason ? `${body.label} (${body.oosReason})` : body.label;
    $('try-flags').textContent = [
      `language ${body.lang}`,
      body.urgent ? 'urgent' : '',
      body.multiSubject ? 'several subjects' : '',
    ]
      .filter(Boolean)
      .join(' · ');
    $('try-confidence').textContent = pct(body.confidence);
    $('try-scores').replaceChildren(bars(Object.entries(body.scores), { width: 260, max: 1 }));
    $('try-reasons').replaceChildren(
      ...(body.reasons.length ? body.reasons : ['(none)']).map((r) => el('li', { text: r })),
    );
    const slots = Object.entries(body.slots);
    $('try-slots').replaceChildren(
      ...(slots.length
        ? slots.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: String(v) })])
        : [el('dt', { text: '(none)' }), el('dd')]),
    );
    $('try-next').replaceChildren(
      ...body.next.replies.map((r) =>
        el('li', {}, [
          el('span', { text: r.text }),
          ...(r.choices ? [el('span', { class: 'muted', text: ` [${r.choices.join(' | ')}]` })] : []),
        ]),
      ),
    );
    $('try-awaiting').textContent =
      `next: ${body.next.awaiting ? `asks for ${body.next.awaiting}` : body.next.phase}` +
      (body.next.effects.length ? ` · would: ${body.next.effects.join(', ')} (nothing is filed here)` : '');
  });

  /** Horizontal bars: [label, value] pairs, values 0..max. */
  const bars = (pairs, { width = 320, max = 1, format = pct } = {}) => {
    const row = 20;
    const left = 110;
    const chart = svg('svg', {
      width,
      height: pairs.length * row + 4,
      viewBox: `0 0 ${width} ${pairs.length * row + 4}`,
      role: 'img',
    });
    pairs.forEach(([label, value], i) => {
      const w = Math.max(0, ((width - left - 50) * value) / max);
      chart.append(
        svg('text', { x: 0, y: i * row + 14, text: label }),
        svg('rect', { class: 'bar', x: left, y: i * row + 3, width: w, height: row - 6 }, [
          svg('title', { text: `${label}: ${format(value)}` }),
        ]),
        svg('text', { x: left + w + 4, y: i * row + 14, text: format(value) }),
      );
    });
    return chart;
  };

  // ---- conversations -------------------------------------------------------------------------------

  const openConversation = async (id) => {
    const { status: code, body } = await api(`/admin/api/conversation?id=${encodeURIComponent(id)}`);
    $('conv-detail').hidden = false;
    if (code !== 200) {
      $('conv-title').textContent = body?.error ?? 'not found';
      $('conv-transcript').replaceChildren();
      return;
    }
    $('conv-title').textContent = `${id} · ${body.phase}${body.awaiting ? ` (asks for ${body.awaiting})` : ''}`;
    $('conv-transcript').replaceChildren(
      ...body.transcript.map((line) =>
        el('li', {}, [el('span', { class: 'from', text: line.from === 'user' ? 'Person' : 'Bot' }), line.text]),
      ),
    );
  };

  loaders.conversations = async () => {
    const { body } = await api('/admin/api/conversations');
    const rows = body?.conversations ?? [];
    $('conv-note').textContent =
      `${rows.filter((r) => r.live).length} live, ${rows.length} seen by this server since it started. Click one for its transcript.`;
    $('conv-rows').replaceChildren(
      ...rows.map((r) => {
        const tr = el('tr', { class: 'clickable', tabindex: '0', onclick: () => openConversation(r.id) }, [
          el('td', { text: r.id }),
          el('td', { text: r.who }),
          el('td', { text: `${r.live ? 'live · ' : ''}${r.awaiting ? `asks ${r.awaiting}` : r.phase}` }),
          el('td', { text: r.label ?? '' }),
          el('td', { text: String(r.lines) }),
          el('td', { text: when(r.updatedAt) }),
        ]);
        tr.addEventListener('keydown', (event) => event.key === 'Enter' && openConversation(r.id));
        return tr;
      }),
    );
  };
  setInterval(() => {
    if (current === 'conversations' && !document.hidden) void loaders.conversations();
  }, 5000);

  // ---- tickets -------------------------------------------------------------------------------------

  const openTicket = async (id) => {
    const { status: code, body } = await api(`/admin/api/tickets/${encodeURIComponent(id)}`);
    const box = $('ticket-detail');
    box.hidden = false;
    if (code !== 200) {
      box.replaceChildren(el('p', { class: 'error', text: body?.error ?? 'not found' }));
      return;
    }
    const files = el(
      'div',
      { class: 'attachments' },
      body.attachments.map((a) =>
        a.ref && /^image\//.test(a.contentType)
          ? el('img', { src: `/admin/api/files/${a.ref}?type=${encodeURIComponent(a.contentType)}`, alt: a.name })
          : el('a', { href: a.ref ? `/admin/api/files/${a.ref}` : '#', text: a.name }),
      ),
    );
    box.replaceChildren(
      el('h3', { text: `${body.id} · ${body.kind} · ${body.status}${body.urgent ? ' · urgent' : ''}` }),
      el('p', { text: body.title }),
      el('pre', { text: body.description }),
      el(
        'dl',
        {},
        Object.entries(body.slots).flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: String(v) })]),
      ),
      el('h4', { text: `Attachments (${body.attachments.length})` }),
      files,
    );
  };

  const loadTickets = async () => {
    const q = $('ticket-filter').value;
    const { body } = await api(`/admin/api/tickets?q=${encodeURIComponent(q)}`);
    $('ticket-rows').replaceChildren(
      ...(body?.tickets ?? []).map((t) =>
        el('tr', { class: 'clickable', tabindex: '0', onclick: () => openTicket(t.id) }, [
          el('td', { text: t.id }),
          el('td', { text: t.status }),
          el('td', { text: t.kind }),
          el('td', { text: t.title }),
          el('td', { text: t.requester }),
          el('td', { text: t.unit }),
          el('td', { text: String(t.attachments) }),
          el('td', { text: when(t.createdAt) }),
        ]),
      ),
    );
  };

  const loadOutbox = async () => {
    const { body } = await api('/admin/api/outbox');
    $('outbox-rows').replaceChildren(
      ...(body?.entries ?? []).map((e) =>
        el('tr', {}, [
          el('td', { text: e.state }),
          el('td', { text: e.title }),
          el('td', { text: e.sink }),
          el('td', { text: String(e.attempts) }),
          el('td', { text: e.lastError ? `${e.lastError.code}: ${e.lastError.message}` : '' }),
          el('td', { text: e.ticket ?? '' }),
          el(
            'td',
            {},
            e.state === 'dead'
              ? [
                  el('button', {
                    type: 'button',
                    text: 'Retry',
                    onclick: async () => {
                      await api('/admin/api/outbox/retry', { method: 'POST', body: { key: e.key } });
                      await loadOutbox();
                    },
                  }),
                ]
              : [],
          ),
        ]),
      ),
    );
  };

  let filterTimer = 0;
  $('ticket-filter').addEventListener('input', () => {
    clearTimeout(filterTimer);
    filterTimer = setTimeout(loadTickets, 250);
  });
  loaders.tickets = () => Promise.all([loadTickets(), loadOutbox()]);

  // ---- evaluation ----------------------------------------------------------------------------------

  loaders.evaluation = async () => {
    if ($('eval-file').options.length) return;
    const { body } = await api('/admin/api/eval/files');
    for (const f of body?.files ?? []) $('eval-file').append(el('option', { value: f, text: f }));
  };

  $('eval-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    $('eval-error').textContent = '';
    $('eval-busy').textContent = 'Evaluating…';
    const upload = $('eval-upload').files[0];
    const request = upload ? { jsonl: await upload.text(), name: upload.name } : { file: $('eval-file').value };
    const { status: code, body } = await api('/admin/api/eval', { method: 'POST', body: request });
    $('eval-busy').textContent = '';
    if (code !== 200) {
      $('eval-error').textContent = body?.error ?? `failed (${code})`;
      return;
    }
    renderEval(body);
  });

  const renderEval = (r) => {
    $('eval-result').hidden = false;
    const card = (title, value) =>
      el('div', { class: 'card' }, [el('h3', { text: title }), el('p', { class: 'big', text: value })]);
    $('eval-summary').replaceChildren(
      card('Lines', String(r.n)),
      card('Accuracy', pct(r.accuracy)),
      card('Macro-F1', r.macroF1.toFixed(3)),
      card('Out-of-scope recall', pct(r.oosRecall)),
      card('Calibration error (ECE)', r.ece.toFixed(3)),
      card('Time', `${r.ms} ms`),
    );
    const labels = Object.keys(r.perLabel);
    const f1 = $('eval-f1');
    f1.querySelector('svg')?.remove();
    f1.prepend(
      bars(
        labels.map((l) => [l, r.perLabel[l].f1]),
        { width: 380, max: 1, format: (x) => x.toFixed(2) },
      ),
    );
    const confusion = $('eval-confusion');
    confusion.querySelector('svg')?.remove();
    confusion.prepend(matrix(labels, r.confusion));
    const reliability = $('eval-reliability');
    reliability.querySelector('svg')?.remove();
    reliability.prepend(curve(r.reliability));
    $('eval-misread').replaceChildren(
      ...r.misclassified.map((m) =>
        el('tr', {}, [
          el('td', { text: m.id }),
          el('td', { text: m.text }),
          el('td', { text: m.want }),
          el('td', { text: m.got }),
          el('td', { text: pct(m.confidence) }),
          el('td', { text: m.reasons.join(', ') }),
        ]),
      ),
    );
  };

  /** The confusion matrix as a heat map: the deeper the colour, the more lines. */
  const matrix = (labels, counts) => {
    const cell = 34;
    const left = 100;
    const top = 90;
    const size = labels.length * cell;
    const max = Math.max(1, ...labels.flatMap((a) => labels.map((b) => counts[a]?.[b] ?? 0)));
    const chart = svg('svg', {
      width: left + size + 70,
      height: top + size + 4,
      viewBox: `0 0 ${left + size + 70} ${top + size + 4}`,
      role: 'img',
      'aria-label': 'confusion matrix',
    });
    labels.forEach((want, i) => {
      chart.append(svg('text', { x: 0, y: top + i * cell + cell / 2 + 4, text: want }));
      chart.append(
        svg('text', {
          x: left + i * cell + cell / 2,
          y: top - 6,
          transform: `rotate(-45 ${left + i * cell + cell / 2} ${top - 6})`,
          text: want,
        }),
      );
      labels.forEach((got, j) => {
        const n = counts[want]?.[got] ?? 0;
        chart.append(
          svg(
            'rect',
            {
              class: 'cell',
              x: left + j * cell,
              y: top + i * cell,
              width: cell - 2,
              height: cell - 2,
              fill: i === j ? '#1e7b34' : '#0b5cad',
              'fill-opacity': n === 0 ? 0.06 : 0.15 + (0.85 * n) / max,
            },
            [svg('title', { text: `${want} read as ${got}: ${n}` })],
          ),
          svg('text', {
            x: left + j * cell + cell / 2 - 4,
            y: top + i * cell + cell / 2 + 4,
            text: n ? String(n) : '',
          }),
        );
      });
    });
    return chart;
  };

  /** The reliability curve: per confidence bin, how often the bot was right; the diagonal is ideal. */
  const curve = (bins) => {
    const w = 300;
    const h = 240;
    const pad = 30;
    const x = (v) => pad + v * (w - 2 * pad);
    const y = (v) => h - pad - v * (h - 2 * pad);
    const used = bins.filter((b) => b.n > 0);
    const chart = svg(
      'svg',
      { width: w, height: h, viewBox: `0 0 ${w} ${h}`, role: 'img', 'aria-label': 'reliability curve' },
      [
        svg('line', { class: 'axis', x1: x(0), y1: y(0), x2: x(1), y2: y(0) }),
        svg('line', { class: 'axis', x1: x(0), y1: y(0), x2: x(0), y2: y(1) }),
        svg('line', { class: 'ideal', x1: x(0), y1: y(0), x2: x(1), y2: y(1) }),
        svg('text', { x: w / 2 - 30, y: h - 4, text: 'confidence' }),
        svg('text', { x: 2, y: pad - 10, text: 'accuracy' }),
        svg('text', { x: x(0) - 8, y: y(0) + 14, text: '0' }),
        svg('text', { x: x(1) - 4, y: y(0) + 14, text: '1' }),
        svg('text', { x: x(0) - 12, y: y(1) + 4, text: '1' }),
      ],
    );
    if (used.length)
      chart.append(
        svg('polyline', { class: 'curve', points: used.map((b) => `${x(b.confidence)},${y(b.accuracy)}`).join(' ') }),
      );
    for (const b of used)
      chart.append(
        svg('circle', { class: 'point', cx: x(b.confidence), cy: y(b.accuracy), r: 2 + Math.min(6, Math.sqrt(b.n)) }, [
          svg('title', { text: `${b.from.toFixed(1)}–${b.to.toFixed(1)}: ${b.n} lines, accuracy ${pct(b.accuracy)}` }),
        ]),
      );
    return chart;
  };

  // ---- configuration -------------------------------------------------------------------------------

  const showProblems = (problems) =>
    $('config-problems').replaceChildren(
      ...(problems ?? []).map((p) => el('li', {}, [el('code', { text: p.path }), `: ${p.message}`])),
    );

  const showOutcome = (outcome) => {
    if (outcome?.ok) {
      $('config-result').className = 'ok';
      $('config-result').textContent =
        `Reloaded: configuration v${outcome.version}, ${outcome.examples} example phrases, in ${outcome.ms} ms. The next turn of every conversation uses it.`;
      showProblems([]);
    } else {
      $('config-result').className = 'error';
      $('config-result').textContent = `Not reloaded, the configuration in use stays: ${outcome?.error ?? 'failed'}`;
      showProblems(outcome?.problems);
    }
  };

  loaders.configuration = async () => {
    const { body } = await api('/admin/api/config');
    if (!body) return;
    $('config-base').textContent = body.base;
    $('config-overlay').textContent = body.overlay;
    if (!$('config-edit').dataset.loaded) {
      $('config-edit').value = body.overlayText;
      $('config-edit').dataset.loaded = '1';
    }
    $('config-yaml').textContent = body.yaml;
    const s = body.status;
    $('config-status').textContent =
      `In use: ${body.active} · v${s.version} since ${when(s.loadedAt)}` +
      (s.last && !s.last.ok ? ` · last reload failed: ${s.last.error}` : '');
  };

  const busy = (text) => {
    $('config-result').className = '';
    $('config-result').textContent = text;
  };

  $('config-validate').addEventListener('click', async () => {
    busy('Validating…');
    const { body } = await api('/admin/api/config/validate', {
      method: 'POST',
      body: { yaml: $('config-edit').value },
    });
    $('config-result').className = body?.ok ? 'ok' : 'error';
    $('config-result').textContent = body?.ok ? `Valid: ${body.summary}` : `${body?.problems?.length ?? 0} problem(s):`;
    showProblems(body?.ok ? [] : body?.problems);
  });

  $('config-save').addEventListener('click', async () => {
    busy('Saving, retraining and reloading…');
    const { status: code, body } = await api('/admin/api/config/save', {
      method: 'POST',
      body: { yaml: $('config-edit').value },
    });
    if (code === 422) {
      $('config-result').className = 'error';
      $('config-result').textContent = `Nothing saved: ${body.problems.length} problem(s):`;
      showProblems(body.problems);
      return;
    }
    showOutcome(body);
    await Promise.all([status(), loaders.configuration()]);
  });

  $('config-reload').addEventListener('click', async () => {
    busy('Retraining and reloading…');
    const { body } = await api('/admin/api/reload', { method: 'POST', body: {} });
    showOutcome(body);
    await Promise.all([status(), loaders.configuration()]);
  });

  $('config-reset').addEventListener('click', async () => {
    busy('Back to the base configuration…');
    const { body } = await api('/admin/api/config/reset', { method: 'POST', body: {} });
    delete $('config-edit').dataset.loaded;
    showOutcome(body);
    await Promise.all([status(), loaders.configuration()]);
  });

  // ---- start ---------------------------------------------------------------------------------------

  void status().then(() => {
    const wanted = location.hash.slice(1);
    show(tabs.includes(wanted) ? wanted : 'try');
    if (current === 'try') $('try-text').focus();
  });
})();
