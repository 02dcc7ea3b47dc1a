/* MoneyMoments page: one signed-in user's feed, live toasts from the SSE
 * stream, interactions and mute settings. Plain browser JavaScript, no build
 * step: `mmr serve` embeds this file as it is. Everything the server sends is
 * put on the page with textContent, never as HTML. */
(function () {
  'use strict';

  var API = '/v1/moneymoments';
  var TOAST_MS = 6000;        // a toast stays this long unless hovered or focused
  var MAX_TOASTS = 3;
  var PAGE = 30;              // feed rows per request
  var TOKEN_KEY = 'mm.token'; // sessionStorage: the token dies with the tab

  var $ = function (id) { return document.getElementById(id); };
  var s = {
    token: null, sub: null,
    items: [],        // feed rows, newest first: {id,title,body,category,at}
    byId: new Map(),  // id -> row
    next: null,       // cursor for older rows
    es: null, lastId: null, retryMs: 1000, retryTimer: 0,
    acts: {},         // id -> 'viewed' | 'clicked' | 'dismissed' (what this user did)
    freshIds: new Set(), // not yet seen when they reached the page: shown as new
    observer: null
  };

  /* ---------- token ---------- */

  function b64urlJson(part) {
    var b = part.replace(/-/g, '+').replace(/_/g, '/');
    while (b.length % 4) b += '=';
    var bin = atob(b), bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return JSON.parse(new TextDecoder().decode(bytes));
  }

  /* Reads the claims for display only; the server is what checks the token. */
  function claims(token) {
    var parts = token.split('.');
    if (parts.length !== 3) throw new Error('That is not a token (expected three parts separated by dots).');
    var c;
    try { c = b64urlJson(parts[1]); } catch (e) { throw new Error('That token cannot be read.'); }
    if (!c || typeof c.sub !== 'string' || !c.sub) throw new Error('That token names no user (no "sub").');
    if (typeof c.exp === 'number' && c.exp * 1000 <= Date.now()) throw new Error('That token has expired. Ask your app for a new one.');
    return c;
  }

  function tokenFromFragment() {
    if (!location.hash || location.hash.length < 2) return null;
    var p = new URLSearchParams(location.hash.slice(1));
    var t = p.get('token');
    if (!t) return null;
    // keep the token out of the address bar and the history
    history.replaceState(null, '', location.pathname + location.search);
    return t.trim();
  }

  /* ---------- API ---------- */

  function AuthError(msg) { this.message = msg; }

  async function api(method, path, body) {
    var opts = { method: method, headers: { 'Authorization': 'Bearer ' + s.token } };
    if (body !== undefined) {
      opts.headers['Content-Type'] = 'application/json';
      opts.body = JSON.stringify(body);
    }
    var res;
    try { res = await fetch(API + path, opts); }
    catch (e) { throw new Error('Cannot reach MoneyMoments. Check your connection and try again.'); }
    var data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    if (res.status === 401) {
      var why = (data && data.error) || 'not signed in';
      signOut('Please sign in again (' + why + ').');
      throw new AuthError(why);
    }
    if (!res.ok) {
      throw new Error((data && data.error) ? data.error : ('The server answered ' + res.status + '.'));
    }
    return data;
  }

  /* ---------- what this user did, remembered per user in this browser ---------- */

  var RANK = { viewed: 1, clicked: 2, dismissed: 3 };
  function actsKey() { return 'mm.acts.' + s.sub; }
  function loadActs() {
    try { s.acts = JSON.parse(localStorage.getItem(actsKey()) || '{}') || {}; }
    catch (e) { s.acts = {}; }
  }
  function saveActs() {
    try { localStorage.setItem(actsKey(), JSON.stringify(s.acts)); } catch (e) { /* private mode */ }
  }

  async function interact(id, action) {
    var before = s.acts[id];
    if (!before || RANK[action] > RANK[before]) { s.acts[id] = action; saveActs(); paintRow(id); }
    try {
      await api('POST', '/interactions', { delivery_id: id, action: action });
    } catch (e) {
      if (e instanceof AuthError) return;
      if (action !== 'viewed') flash($('feed-error'), 'Could not record that: ' + e.message);
    }
  }

  function markViewed(id) {
    if (s.acts[id]) return;
    interact(id, 'viewed');
  }

  /* ---------- feed ---------- */

  function catName(c) { return String(c || 'general').replace(/_/g, ' '); }

  var fmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  function when(iso) {
    var d = new Date(iso);
    return isNaN(d) ? String(iso || '') : fmt.format(d);
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function tag(category) {
    var t = el('span', 'tag', catName(category));
    t.dataset.cat = String(category || '');
    return t;
  }

  function stateLabel(id) {
    var a = s.acts[id];
    if (a === 'dismissed') return ['Dismissed', 'state state-dismissed'];
    if (a === 'clicked') return ['Opened', 'state state-clicked'];
    if (s.freshIds.has(id)) return ['New', 'state state-new'];
    return ['Seen', 'state state-viewed'];
  }

  function buildRow(it) {
    var li = el('li', 'item');
    li.dataset.id = it.id;
    var main = el('div', 'item-main');
    main.tabIndex = 0;
    main.setAttribute('role', 'button');
    main.setAttribute('aria-label', 'Open: ' + it.title);
    var meta = el('div', 'item-meta');
    meta.appendChild(tag(it.category));
    var time = el('time', null, when(it.at));
    time.dateTime = it.at || '';
    meta.appendChild(time);
    meta.appendChild(el('span', 'state'));
    main.appendChild(meta);
    main.appendChild(el('p', 'item-title', it.title));
    main.appendChild(el('p', 'item-body', it.body));
    var open = function () { interact(it.id, 'clicked'); };
    main.addEventListener('click', open);
    main.addEventListener('keydown', function (ev) {
      if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); open(); }
    });
    var actions = el('div', 'item-actions');
    var x = el('button', 'icon-btn dismiss', '✕');
    x.type = 'button';
    x.setAttribute('aria-label', 'Dismiss: ' + it.title);
    x.title = 'Dismiss';
    x.addEventListener('click', function () { interact(it.id, 'dismissed'); });
    actions.appendChild(x);
    li.appendChild(main);
    li.appendChild(actions);
    return li;
  }

  function rowEl(id) {
    var rows = $('feed').children;
    for (var i = 0; i < rows.length; i++) if (rows[i].dataset.id === String(id)) return rows[i];
    return null;
  }

  function paintRow(id) {
    var li = rowEl(id);
    if (!li) return;
    var lab = stateLabel(id), st = li.querySelector('.state');
    st.textContent = lab[0];
    st.className = lab[1];
    li.classList.toggle('is-new', lab[0] === 'New');
    li.classList.toggle('is-dismissed', s.acts[id] === 'dismissed');
    li.querySelector('.dismiss').disabled = s.acts[id] === 'dismissed';
  }

  function watch(li) {
    if (s.observer) s.observer.observe(li);
    else markViewed(li.dataset.id);
  }

  function addRows(list, atTop) {
    var feed = $('feed'), first = feed.firstChild;
    list.forEach(function (it) {
      if (s.byId.has(it.id)) return;
      s.byId.set(it.id, it);
      if (!s.acts[it.id]) s.freshIds.add(it.id);
      var li = buildRow(it);
      if (atTop) { feed.insertBefore(li, first); s.items.unshift(it); }
      else { feed.appendChild(li); s.items.push(it); }
      paintRow(it.id);
      watch(li);
    });
    $('feed-empty').hidden = s.items.length > 0;
  }

  function clearFeed() {
    if (s.observer) s.observer.disconnect(); // the old rows are going
    $('feed').textContent = '';
    s.items = [];
    s.byId.clear();
    s.next = null;
    $('more').hidden = true;
    $('feed-empty').hidden = true;
  }

  function fromFeed(r) {
    var id = String(r.id);
    // A server that reports the user's strongest interaction per row wins
    // over what this browser remembers (another device may have acted).
    if (RANK[r.state] && (!s.acts[id] || RANK[r.state] > RANK[s.acts[id]])) s.acts[id] = r.state;
    return { id: id, title: r.title || '', body: r.body || '', category: r.category || '', at: r.delivered_at || '' };
  }

  async function loadFeed(older) {
    var q = '?limit=' + PAGE + (older && s.next ? '&before=' + encodeURIComponent(s.next) : '');
    $('feed-error').textContent = '';
    try {
      var data = await api('GET', '/feed' + q);
      if (!older) clearFeed();
      addRows((data.feed || []).map(fromFeed), false);
      s.next = data.next || null;
      $('more').hidden = !s.next;
    } catch (e) {
      if (!(e instanceof AuthError)) $('feed-error').textContent = 'Could not load your moments: ' + e.message;
    }
  }

  /* ---------- toasts ---------- */

  function hideToast(t) {
    if (!t.isConnected || t.classList.contains('leaving')) return;
    clearTimeout(t._timer);
    t.classList.add('leaving');
    var gone = function () { t.remove(); };
    t.addEventListener('animationend', gone, { once: true });
    setTimeout(gone, 400); // no animation when motion is reduced
  }

  function armToast(t) {
    clearTimeout(t._timer);
    t._timer = setTimeout(function () { hideToast(t); }, TOAST_MS);
  }

  function showToast(it) {
    var box = $('toasts');
    while (box.children.length >= MAX_TOASTS) box.firstChild.remove();
    var t = el('div', 'toast');
    t.dataset.id = it.id;
    var main = el('button', 'toast-main');
    main.type = 'button';
    main.setAttribute('aria-label', 'Open: ' + it.title);
    var meta = el('span', 'item-meta');
    meta.appendChild(tag(it.category));
    main.appendChild(meta);
    main.appendChild(el('span', 'toast-title', it.title));
    main.appendChild(el('span', 'toast-body', it.body));
    main.addEventListener('click', function () { interact(it.id, 'clicked'); hideToast(t); });
    var x = el('button', 'icon-btn toast-close', '✕');
    x.type = 'button';
    x.setAttribute('aria-label', 'Dismiss nudge: ' + it.title);
    x.title = 'Dismiss';
    x.addEventListener('click', function () { interact(it.id, 'dismissed'); hideToast(t); });
    t.appendChild(main);
    t.appendChild(x);
    // hovering or focusing the toast keeps it until the pointer or focus leaves
    t.addEventListener('mouseenter', function () { clearTimeout(t._timer); });
    t.addEventListener('mouseleave', function () { armToast(t); });
    t.addEventListener('focusin', function () { clearTimeout(t._timer); });
    t.addEventListener('focusout', function () { armToast(t); });
    t.dataset.shownAt = String(Date.now()); // the browser test measures delivery latency by it
    box.appendChild(t);
    armToast(t);
    markViewed(it.id); // a toast on screen has been seen
  }

  /* ---------- live stream ---------- */

  function setStream(state) {
    document.body.dataset.stream = state;
    var text = { open: 'Live', connecting: 'Connecting…', paused: 'Reconnecting…', closed: 'Offline', off: '' }[state];
    $('live-text').textContent = text;
    $('banner').hidden = state !== 'paused';
  }

  function onNudge(ev) {
    var d;
    try { d = JSON.parse(ev.data); } catch (e) { return; }
    var id = String(d.delivery_id || ev.lastEventId || '');
    if (!id) return;
    s.lastId = id;
    if (s.byId.has(id)) return; // a replay of something already on the page
    var it = { id: id, title: d.title || '', body: d.body || '', category: d.category || '', at: d.created_at || '' };
    addRows([it], true);
    showToast(it);
  }

  function connect() {
    clearTimeout(s.retryTimer);
    if (s.es) s.es.close();
    var url = API + '/stream?access_token=' + encodeURIComponent(s.token);
    // after a manual reconnect the browser no longer sends Last-Event-ID itself
    if (s.lastId) url += '&last_event_id=' + encodeURIComponent(s.lastId);
    setStream(document.body.dataset.stream === 'open' || document.body.dataset.stream === 'paused' ? 'paused' : 'connecting');
    var es = new EventSource(url);
    s.es = es;
    es.addEventListener('nudge', onNudge);
    es.onopen = function () { s.retryMs = 1000; setStream('open'); };
    es.onerror = function () {
      if (s.es !== es) return;
      setStream('paused');
      // CONNECTING: the browser retries by itself and sends Last-Event-ID.
      // CLOSED: the server refused (e.g. 401 or 503); check why, then retry.
      if (es.readyState === EventSource.CLOSED) {
        s.retryTimer = setTimeout(recheck, s.retryMs);
        s.retryMs = Math.min(s.retryMs * 2, 30000);
      }
    };
  }

  async function recheck() {
    if (!s.token) return;
    try { await api('GET', '/settings'); }
    catch (e) { if (e instanceof AuthError) return; }
    if (s.token) connect();
  }

  /* ---------- settings ---------- */

  function renderSettings(data) {
    var box = $('categories'), muted = new Set(data.muted || []);
    box.textContent = '';
    (data.categories || []).forEach(function (c) {
      var lab = el('label', 'cat');
      var cb = el('input');
      cb.type = 'checkbox';
      cb.name = 'muted';
      cb.value = c;
      cb.checked = muted.has(c);
      lab.appendChild(cb);
      lab.appendChild(el('span', null, catName(c)));
      var hint = el('span', 'hint', cb.checked ? 'Muted' : '');
      lab.appendChild(hint);
      cb.addEventListener('change', function () { hint.textContent = cb.checked ? 'Muted' : ''; });
      box.appendChild(lab);
    });
  }

  async function loadSettings() {
    try { renderSettings(await api('GET', '/settings')); }
    catch (e) { if (!(e instanceof AuthError)) say('Could not load settings: ' + e.message, true); }
  }

  function say(msg, bad) {
    var st = $('save-status');
    st.textContent = msg;
    st.classList.toggle('bad', !!bad);
  }

  function flash(node, msg) {
    node.textContent = msg;
    setTimeout(function () { if (node.textContent === msg) node.textContent = ''; }, 6000);
  }

  async function saveSettings(ev) {
    ev.preventDefault();
    var muted = Array.prototype.map.call(
      document.querySelectorAll('#categories input:checked'), function (cb) { return cb.value; });
    var btn = $('save');
    btn.disabled = true;
    say('Saving…');
    try {
      renderSettings(await api('POST', '/settings', { muted: muted }));
      say('Saved.');
    } catch (e) {
      if (!(e instanceof AuthError)) say('Not saved: ' + e.message, true);
    } finally {
      btn.disabled = false;
    }
  }

  /* ---------- sign in / out ---------- */

  function signOut(msg) {
    s.token = null;
    try { sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* ignore */ }
    clearTimeout(s.retryTimer);
    if (s.es) { s.es.close(); s.es = null; }
    setStream('off');
    // nothing of the previous user stays on the page
    clearFeed();
    $('categories').textContent = '';
    $('toasts').textContent = '';
    say('');
    $('banner').hidden = true;
    $('app').hidden = true;
    $('session').hidden = true;
    $('signin').hidden = false;
    $('signin-error').textContent = msg || '';
    $('token-input').focus();
  }

  function start(token) {
    var c;
    try { c = claims(token); }
    catch (e) { signOut(e.message); return; }
    if (s.es) { s.es.close(); s.es = null; }
    clearFeed();
    $('toasts').textContent = '';
    s.token = token;
    s.sub = c.sub;
    s.lastId = null;
    s.freshIds.clear();
    try { sessionStorage.setItem(TOKEN_KEY, token); } catch (e) { /* ignore */ }
    loadActs();
    $('user-id').textContent = c.sub;
    $('user-id').title = 'Signed in as ' + c.sub;
    $('sign-out').setAttribute('aria-label', 'Sign out ' + c.sub);
    $('sign-out').title = 'Signed in as ' + c.sub;
    $('signin').hidden = true;
    $('session').hidden = false;
    $('app').hidden = false;
    loadSettings();
    loadFeed(false).then(function () {
      // replay from the newest row, so nothing committed meanwhile is missed
      if (s.items.length) s.lastId = s.items[0].id;
      if (s.token) connect();
    });
  }

  function init() {
    if ('IntersectionObserver' in window) {
      s.observer = new IntersectionObserver(function (entries) {
        entries.forEach(function (en) {
          if (!en.isIntersecting) return;
          s.observer.unobserve(en.target);
          markViewed(en.target.dataset.id);
        });
      }, { threshold: 0.5 });
    }
    $('signin-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      $('signin-error').textContent = '';
      var t = $('token-input').value.trim();
      if (t) { $('token-input').value = ''; start(t); }
    });
    $('sign-out').addEventListener('click', function () { signOut(''); });
    $('refresh').addEventListener('click', function () { loadFeed(false); });
    $('more').addEventListener('click', function () { loadFeed(true); });
    $('settings-form').addEventListener('submit', saveSettings);
    window.addEventListener('hashchange', function () {
      var t = tokenFromFragment();
      if (t) start(t);
    });

    var token = tokenFromFragment();
    if (!token) { try { token = sessionStorage.getItem(TOKEN_KEY); } catch (e) { token = null; } }
    if (token) start(token); else signOut('');
  }

  init();
})();
