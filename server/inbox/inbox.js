// The agents' inbox: a static page over the admin API's /admin/v1/inbox/…
// The admin key is asked once and kept in sessionStorage (this tab only);
// the agent's name and app in localStorage. Everything is built with DOM
// calls and textContent, never innerHTML, since messages are user input.

const KEY = 'beckon-admin-key';
const $ = (id) => document.getElementById(id);
const state = { open: null, lines: [], lastTyping: 0, saved: new Set() };

const app = () => $('app').value.trim() || 'demo';
const agent = () => $('agent').value.trim();
const filter = () => document.querySelector('input[name="filter"]:checked').value;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c != null) node.append(c);
  return node;
}

function say(text) {
  $('status').textContent = text;
}

async function api(method, path, body) {
  const key = sessionStorage.getItem(KEY);
  const res = await fetch(`/admin/v1/inbox/${encodeURIComponent(app())}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (res.status === 401) {
    signOut('That admin key was refused.');
    throw new Error('unauthorized');
  }
  const data = res.status === 204 ? null : await res.json();
  if (!res.ok) throw new Error(data?.message ?? `HTTP ${res.status}`);
  return data;
}

function signOut(message = '') {
  sessionStorage.removeItem(KEY);
  $('main').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message;
  $('key').focus();
}

function time(ms) {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function renderList() {
  const list = $('list');
  list.replaceChildren();
  $('empty').hidden = state.lines.length > 0;
  for (const line of state.lines) {
    const label = line.email ?? line.user_key;
    const badges = [];
    if (line.waiting > 0) badges.push(el('span', { class: 'badge', 'aria-label': `${line.waiting} new` }, String(line.waiting)));
    if (line.unhappy) badges.push(el('span', { class: 'badge unhappy' }, 'unhappy'));
    const button = el(
      'button',
      {
        type: 'button',
        'data-id': line.id,
        'aria-current': String(state.open?.conversation.id === line.id),
        onclick: () => openConversation(line.id),
      },
      el('span', { class: 'line1' }, el('span', {}, label), el('span', {}, ...badges)),
      el('span', { class: 'preview' }, `${line.assignee ? line.assignee + ' · ' : ''}${line.last.body}`),
    );
    list.append(el('li', {}, button));
  }
}

async function refreshList() {
  const mine = filter() === 'mine' ? `&agent=${encodeURIComponent(agent())}` : '';
  if (filter() === 'mine' && !agent()) {
    state.lines = [];
  } else {
    state.lines = await api('GET', `/conversations?filter=${filter()}${mine}`);
  }
  renderList();
}

function renderMessage(m) {
  const who = m.author === 'user' ? 'User' : m.author === 'system' ? 'System' : (m.author_name ?? m.author);
  const li = el('li', { class: m.author, 'data-id': m.id },
    el('span', { class: 'who-line' }, `${who} · ${time(m.ts)}${m.delivery ? ' · ' + m.delivery : ''}`),
    m.body);
  if (m.sources?.length) {
    li.append(el('span', { class: 'sources' }, `\nSource: ${m.sources.map((s) => `${s.title} (${s.kind})`).join(', ')}`));
  }
  return li;
}

function renderProfile(view) {
  const box = $('profile');
  box.replaceChildren();
  const dl = el('dl');
  const row = (k, v) => dl.append(el('dt', {}, k), el('dd', {}, v == null ? '—' : String(v)));
  const u = view.user;
  row('Key', view.user_key);
  row('Email', u?.email);
  if (u) {
    row('First seen', new Date(u.first_seen).toLocaleString());
    for (const [k, v] of Object.entries(u.attributes ?? {})) row(k, typeof v === 'object' ? JSON.stringify(v) : v);
  }
  if (view.company) {
    row('Company', view.company.name ?? view.company.id);
    for (const [k, v] of Object.entries(view.company.attributes ?? {})) row(`company.${k}`, typeof v === 'object' ? JSON.stringify(v) : v);
  }
  if (view.conversation.rating) row('Rating', `${view.conversation.rating}/5 ${view.rating_comment ?? ''}`);
  box.append(dl);
  const events = $('events');
  events.replaceChildren(...view.events.slice().reverse().map((e) => el('li', {}, `${e.name}${e.message_id ? ' (' + e.message_id + ')' : ''} · ${time(e.ts)}`)));
  if (!view.events.length) events.append(el('li', { class: 'muted' }, 'none yet'));
}

function renderConversation(view) {
  const c = view.conversation;
  const fresh = state.open?.conversation.id !== c.id;
  state.open = view;
  $('thread-title').textContent = `Conversation with ${view.user?.email ?? view.user_key}`;
  $('thread-meta').textContent = `${c.status}${c.assignee ? ' · assigned to ' + c.assignee : ' · unassigned'}${view.unhappy ? ' · unhappy' : ''}`;
  $('actions').hidden = false;
  $('reply').hidden = false;
  $('close').disabled = c.status === 'closed';
  $('unhappy').disabled = view.unhappy;
  const transcript = $('transcript');
  transcript.replaceChildren(...c.messages.map(renderMessage));
  const s = view.snippet_suggestion;
  $('suggest').hidden = !s || state.saved.has(c.id);
  if (s && (fresh || !$('suggest-a').value)) {
    $('suggest-q').value = s.question;
    $('suggest-a').value = s.answer;
  }
  renderProfile(view);
  for (const b of document.querySelectorAll('#list button')) b.setAttribute('aria-current', String(b.dataset.id === c.id));
}

async function openConversation(id) {
  let view = await api('GET', `/conversations/${encodeURIComponent(id)}`);
  if (view.waiting > 0) view = await api('POST', `/conversations/${encodeURIComponent(id)}/seen`);
  renderConversation(view);
}

async function act(path, body, done) {
  if (!state.open) return;
  if (!agent()) {
    say('Enter your name first: the user sees it.');
    $('agent').focus();
    return;
  }
  try {
    const view = await api('POST', `/conversations/${encodeURIComponent(state.open.conversation.id)}${path}`, body);
    renderConversation(view);
    say(done);
    await refreshList();
  } catch (e) {
    say(`Failed: ${e.message}`);
  }
}

async function refreshSnippets() {
  const snippets = await api('GET', '/snippets?status=pending');
  const list = $('snippets');
  list.replaceChildren();
  for (const s of snippets) {
    list.append(el('li', {},
      el('strong', {}, s.question), el('br'), s.answer, el('br'),
      el('button', { type: 'button', onclick: async () => { await api('POST', `/snippets/${s.id}/approve`, {}); say('Snippet approved: the bot uses it now.'); refreshSnippets(); } }, 'Approve'),
      el('button', { type: 'button', class: 'secondary', onclick: async () => { await api('DELETE', `/snippets/${s.id}`); refreshSnippets(); } }, 'Reject')));
  }
  if (!snippets.length) list.append(el('li', { class: 'muted' }, 'none'));
}

async function tick() {
  if ($('main').hidden) return;
  try {
    await refreshList();
    if (state.open) {
      const id = state.open.conversation.id;
      let view = await api('GET', `/conversations/${encodeURIComponent(id)}`);
      if (view.waiting > 0) view = await api('POST', `/conversations/${encodeURIComponent(id)}/seen`);
      if (JSON.stringify(view) !== JSON.stringify(state.open)) renderConversation(view);
    }
    await refreshSnippets();
  } catch (e) {
    if (e.message !== 'unauthorized') say(`Cannot reach the server: ${e.message}`);
  }
}

function start() {
  $('login').hidden = true;
  $('main').hidden = false;
  tick();
}

function init() {
  $('agent').value = localStorage.getItem('beckon-agent') ?? '';
  $('app').value = localStorage.getItem('beckon-app') ?? 'demo';
  $('agent').addEventListener('change', () => localStorage.setItem('beckon-agent', agent()));
  $('app').addEventListener('change', () => { localStorage.setItem('beckon-app', app()); state.open = null; tick(); });
  $('signout').addEventListener('click', () => signOut());
  $('login-form').addEventListener('submit', (e) => {
    e.preventDefault();
    sessionStorage.setItem(KEY, $('key').value.trim());
    $('key').value = '';
    start();
  });
  $('filters').addEventListener('change', () => refreshList().catch(() => {}));
  $('reply').addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = $('reply-body').value.trim();
    if (!body) return;
    await act('/reply', { agent: agent(), body }, 'Reply sent.');
    $('reply-body').value = '';
  });
  $('reply-body').addEventListener('input', () => {
    if (!state.open || !agent() || Date.now() - state.lastTyping < 3000) return;
    state.lastTyping = Date.now();
    api('POST', `/conversations/${encodeURIComponent(state.open.conversation.id)}/typing`, { agent: agent() }).catch(() => {});
  });
  $('assign').addEventListener('click', () => act('/assign', { assignee: agent() }, 'Assigned to you.'));
  $('close').addEventListener('click', () => act('/close', { agent: agent() }, 'Closed; the user is asked to rate it.'));
  $('unhappy').addEventListener('click', () => act('/unhappy', { agent: agent() }, 'Marked unhappy: proactive messages keep away from this user.'));
  $('save-snippet').addEventListener('click', async () => {
    try {
      await api('POST', '/snippets', {
        question: $('suggest-q').value, answer: $('suggest-a').value,
        conversation_id: state.open?.conversation.id, agent: agent() || undefined,
      });
      say('Saved as a snippet, waiting for approval.');
      state.saved.add(state.open?.conversation.id);
      $('suggest').hidden = true;
      refreshSnippets();
    } catch (e) {
      say(`Failed: ${e.message}`);
    }
  });
  // The demo link may carry the key in the fragment (#key=…), never sent to the server.
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('key');
  if (fromHash) {
    sessionStorage.setItem(KEY, fromHash);
    history.replaceState(null, '', location.pathname);
  }
  if (sessionStorage.getItem(KEY)) start();
  else signOut();
  setInterval(tick, 2000);
}

init();
