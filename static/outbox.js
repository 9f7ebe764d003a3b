/* The outbox on the phone, optional like every script of the hub: every page works without it.
   In a page it registers the service worker (/sw.js), gives each form that can be kept (a concern, a roster,
   a follow-up visit) an idempotency key when it is filled, keeps ready the pages the person needs out of
   range, sends what was kept once back in range, shows how many are kept on every page, and wipes them at
   sign-out (after a warning). The service worker loads this same file to keep what could not be sent.
   Kept forms are encrypted (AES-GCM) with a key WebCrypto made non-extractable; each expires after the
   days the coordinator chose. */
(function (self) {
  "use strict";
  var DAY = 864e5, PAGES = "hub-pages";
  // On every request made in the background: the hub never sets the session cookie in answer to one, so it can
  // never replace the session (and the CSRF secret) of the page being filled in (hub.security.PageSessions).
  var QUIET = {"Hub-Background": "1"};
  var ROUTES = [[/^\/concerns\/new$/, "concern", function () { return "/offline/send/concern"; }],
    [/^\/sessions\/(\d+)\/roster$/, "roster", function (m) { return "/offline/send/roster/" + m[1]; }],
    [/^\/cases\/(\d+)\/follow-ups$/, "visit", function (m) { return "/offline/send/visit/" + m[1]; }]];

  function route(path) {
    for (var i = 0; i < ROUTES.length; i++) {
      var m = path.match(ROUTES[i][0]);
      if (m) { return {kind: ROUTES[i][1], to: ROUTES[i][2](m)}; }
    }
    return null;
  }

  function done(r) {
    return new Promise(function (ok, no) {
      r.onsuccess = function () { ok(r.result); };
      r.onerror = function () { no(r.error); };
    });
  }

  function db() {
    var r = indexedDB.open("hub-outbox", 1);
    r.onupgradeneeded = function () {
      r.result.createObjectStore("items", {keyPath: "id", autoIncrement: true});
      r.result.createObjectStore("meta");
    };
    return done(r);
  }

  async function op(store, mode, fn) {
    var d = await db();
    try {
      return await done(fn(d.transaction(store, mode).objectStore(store)));
    } finally { d.close(); }
  }

  function get(store, key) { return op(store, "readonly", function (s) { return s.get(key); }); }
  function put(store, value, key) { return op(store, "readwrite", function (s) { return s.put(value, key); }); }
  function drop(store, key) { return op(store, "readwrite", function (s) { return s.delete(key); }); }
  function items() { return op("items", "readonly", function (s) { return s.getAll(); }); }

  async function secret() {
    var key = await get("meta", "key");
    if (key) { return key; }
    key = await crypto.subtle.generateKey({name: "AES-GCM", length: 256}, false, ["encrypt", "decrypt"]);
    try {
      await op("meta", "readwrite", function (s) { return s.add(key, "key"); });
      return key;
    } catch (e) {
      return get("meta", "key");  // made at the same moment by the page or the worker: use theirs
    }
  }

  async function seal(item, data) {
    item.iv = crypto.getRandomValues(new Uint8Array(12));
    item.box = await crypto.subtle.encrypt({name: "AES-GCM", iv: item.iv}, await secret(),
      new TextEncoder().encode(JSON.stringify(data)));
    return put("items", item);
  }

  async function unseal(item) {
    var plain = await crypto.subtle.decrypt({name: "AES-GCM", iv: item.iv}, await secret(), item.box);
    return JSON.parse(new TextDecoder().decode(plain));
  }

  function plan() { return get("meta", "plan").then(function (p) { return p || {user: "", keep_days: 14, text: {}}; }); }

  async function keep(path, fields) {
    var r = route(path);
    if (!r) { return false; }
    var p = await plan(), now = Date.now();
    if (!fields.some(function (f) { return f[0] === "idempotency_key"; })) {
      fields.push(["idempotency_key", crypto.randomUUID()]);  // filled with no page script: made now
    }
    await seal({user: String(p.user), kind: r.kind, made: now, expires: now + p.keep_days * DAY, state: "kept"},
      {to: r.to, fields: fields});
    return true;
  }

  async function expire() {
    var now = Date.now(), list = await items();
    for (var i = 0; i < list.length; i++) {
      if (list[i].expires <= now) { await drop("items", list[i].id); }
    }
    return list.filter(function (item) { return item.expires > now; });
  }

  var flushing = null;

  async function send() {
    var list = (await expire()).filter(function (item) { return item.state === "kept"; }), sent = 0, token;
    if (!list.length) { return 0; }
    try {
      token = await (await fetch("/offline/token", {credentials: "same-origin", cache: "no-store", headers: QUIET}))
        .json();
    } catch (e) { return 0; }  // out of range
    if (!token.token) { return 0; }  // no CSRF secret in this session yet: a page with a form (or signing in) makes it
    for (var i = 0; i < list.length; i++) {
      var item = list[i];
      if (item.user !== String(token.user)) { continue; }  // sent only by the person who filled it
      var data = await unseal(item), body = new URLSearchParams(), answer;
      data.fields.forEach(function (f) { if (f[0] !== "csrf_token") { body.append(f[0], f[1]); } });
      body.append("csrf_token", token.token);
      try {
        answer = await (await fetch(data.to, {method: "POST", body: body, credentials: "same-origin", headers: QUIET}))
          .json();
      } catch (e) { continue; }  // out of range again, or an answer that is not the outbox's: next time
      if (answer.status === "received" || answer.status === "already") {
        await drop("items", item.id);
        sent += 1;
      } else if (answer.status === "conflict" || answer.status === "refused") {
        data.note = answer;
        item.state = answer.status;
        await seal(item, data);
      }
    }
    return sent;
  }

  function flush() {
    flushing = flushing || send().finally(function () { flushing = null; });
    return flushing;
  }

  async function choose(id, mine) {
    var item = await get("items", id);
    if (!item) { return; }
    if (!mine) { return drop("items", id); }
    var data = await unseal(item), version = String(data.note.version);
    // Having seen both, the person keeps theirs: sent again against the version they were shown.
    data.fields = data.fields.filter(function (f) { return f[0] !== "v" && f[0] !== "version"; });
    data.fields.push([item.kind === "roster" ? "v" : "version", version]);
    delete data.note;
    item.state = "kept";
    await seal(item, data);
    return flush();
  }

  async function wipe() {
    var d = await db();
    try {
      var t = d.transaction(["items", "meta"], "readwrite");
      t.objectStore("items").clear();
      t.objectStore("meta").clear();
      await new Promise(function (ok) { t.oncomplete = ok; t.onerror = t.onabort = ok; });
    } finally { d.close(); }
    await caches.delete(PAGES);
  }

  self.HubOutbox = {route: route, keep: keep, flush: flush, items: expire, wipe: wipe, plan: plan, PAGES: PAGES};
  /* In a page. Browsers give service workers and WebCrypto to secure origins only (https, or the phone itself):
     at the hub's plain http address nothing more happens, and the pages work as they do without JavaScript. */
  if (!self.document || !self.isSecureContext || !self.indexedDB || !self.crypto || !crypto.subtle ||
      !navigator.serviceWorker) { return; }

  var doc = self.document, text = {}, SIGN_OUT = "form[action='/logout']";

  function say(name, values) {
    return (text[name] || "").replace(/%\((\w+)\)s/g, function (all, key) { return values[key]; });
  }

  function day(ms, time) {  // the month as a word, in the page's language
    return new Date(ms).toLocaleString(doc.documentElement.lang || undefined,
      time ? {dateStyle: "long", timeStyle: "short"} : {dateStyle: "long"});
  }

  function el(tag, content, cls) {
    var e = doc.createElement(tag);
    if (content) { e.textContent = content; }
    if (cls) { e.className = cls; }
    return e;
  }

  function today() {
    var d = new Date();
    return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0");
  }

  function hidden(form, name, value) {
    if (form.querySelector("input[name=" + name + "]")) { return; }
    var input = doc.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    form.appendChild(input);
  }

  function filled(form) {
    // The key is made once, when the form is first filled: sending it twice is recognised by the hub.
    hidden(form, "idempotency_key", crypto.randomUUID());
    if (form.hasAttribute("data-v")) { hidden(form, "v", form.getAttribute("data-v")); }
    hidden(form, "held_on", today());
  }

  doc.querySelectorAll("form[method=post]").forEach(function (form) {
    if (!route(new URL(form.action).pathname)) { return; }
    var visited = form.querySelector("input[name=visited_on]"), mark = function () { filled(form); };
    if (visited && visited.value === visited.defaultValue && visited.value < today()) {
      visited.value = today();  // a visit form kept for days: the day it is filled in, not the day it was kept
    }
    form.addEventListener("input", mark, {once: true});
    form.addEventListener("change", mark, {once: true});
    form.addEventListener("submit", mark);
  });

  async function refresh() {
    var p = await plan(), lang = doc.documentElement.lang, signedIn = !!doc.querySelector(SIGN_OUT);
    text = p.text || {};
    // Asked again only when it may have changed: a sign-in or sign-out, another language, or every 10 minutes.
    var recent = p.at && p.lang === lang && (p.user !== "") === signedIn && Date.now() - (p.asked || 0) < 6e5;
    if (!navigator.onLine || recent) { return p; }
    var fresh;
    try {
      fresh = await (await fetch("/offline/plan", {credentials: "same-origin", cache: "no-store", headers: QUIET}))
        .json();
    } catch (e) { return p; }
    fresh.asked = Date.now();
    // The pages are fetched again when the person, the language or the list changes, else every 6 hours
    // (each visit form fetched is an audited opening of its case).
    var urls = ["/offline/"].concat(fresh.pages.map(function (page) { return page.url; }));
    var stale = p.user !== fresh.user || p.lang !== lang || String(p.urls) !== String(urls) ||
      !(Date.now() - (p.at || 0) < 216e5);
    fresh.urls = urls;
    fresh.at = stale ? 0 : p.at;
    fresh.lang = lang;
    await put("meta", fresh, "plan");
    text = fresh.text;
    if (stale) {
      var cache = await caches.open(PAGES);
      for (var i = 0; i < urls.length; i++) {
        // Without an account nothing personal is kept, so no cookie is even sent.
        var response = await fetch(urls[i], {credentials: fresh.user === "" ? "omit" : "same-origin", headers: QUIET})
          .catch(function () { return null; });
        if (!response || !response.ok) { return fresh; }  // out of range again: next time
        await cache.put(urls[i], response);
      }
      fresh.at = Date.now();
      await put("meta", fresh, "plan");
    }
    return fresh;
  }

  function banner(list, p) {
    var old = doc.getElementById("outbox-note"), main = doc.querySelector("main");
    if (old) { old.remove(); }
    if (!list.length || !main) { return; }
    var note = el("p", say("count", {count: list.length}) + " ", "banner banner-info"), soonest = Infinity;
    note.id = "outbox-note";
    note.setAttribute("role", "status");
    var link = el("a", text.see);
    link.href = "/offline/";
    note.appendChild(link);
    list.forEach(function (item) { soonest = Math.min(soonest, item.expires); });
    if (soonest - Date.now() < (p.warn_days || 2) * DAY) {
      note.className = "banner banner-warning";
      note.appendChild(el("span", " " + say("expiry", {day: day(soonest)})));
    }
    main.insertBefore(note, main.firstChild);
  }

  async function render(list, p, sent) {
    var box = doc.getElementById("outbox-list");
    if (!box) { return; }
    box.textContent = "";
    if (new URLSearchParams(location.search).get("kept")) { doc.getElementById("outbox-kept").hidden = false; }
    if (sent) { box.appendChild(el("p", say("sent", {count: sent}), "banner banner-success")); }
    if (!list.length) { box.appendChild(el("p", text.none)); }
    var rows = el("ul", "", "rows");
    for (var i = 0; i < list.length; i++) {
      var item = list[i], li = el("li"), data = item.user === String(p.user) ? await unseal(item) : null;
      li.appendChild(el("strong", text[item.kind]));
      li.appendChild(el("span", " " + day(item.made, true) + " · " +
        say("expires", {day: day(item.expires)}), "hint"));
      if (!data) {
        li.appendChild(el("p", text.other));
      } else if (item.state === "conflict") {
        li.className = "outbox-conflict";
        li.appendChild(el("p", text.conflict));
        var table = el("table"), head = el("tr");
        ["", text.hub, text.mine].forEach(function (h) { head.appendChild(el("th", h)); });
        table.appendChild(head);
        data.note.differences.forEach(function (d) {
          var tr = el("tr");
          d.forEach(function (cell) { tr.appendChild(el("td", cell)); });
          table.appendChild(tr);
        });
        li.appendChild(table);
        li.appendChild(button(text.keep_mine, item.id, true));
        li.appendChild(button(text.keep_hub, item.id, false, "button-light"));
      } else if (item.state === "refused") {
        li.appendChild(el("p", text.refused + " " + Object.values(data.note.errors).join(" ")));
        li.appendChild(button(text.delete, item.id, false, "button-light"));
      }
      rows.appendChild(li);
    }
    box.appendChild(rows);
    var ready = doc.getElementById("outbox-ready");
    if (ready && p.pages) {
      ready.textContent = "";
      ready.appendChild(el("h2", text.ready));
      var links = el("ul", "", "rows");
      p.pages.forEach(function (page) {
        var a = el("a", page.label), li = el("li");
        a.href = page.url;
        li.appendChild(a);
        links.appendChild(li);
      });
      ready.appendChild(links);
    }
  }

  function button(label, id, mine, cls) {
    var b = el("button", label, cls);
    b.type = "button";
    b.addEventListener("click", async function () { await choose(id, mine); show(); });
    return b;
  }

  async function show(sent) {
    var p = await plan(), list = await expire();
    text = p.text || text;
    banner(list, p);
    await render(list, p, sent);
    self.HubOutbox.shown = (self.HubOutbox.shown || 0) + 1;  // how many times the page was brought up to date
  }

  doc.querySelectorAll(SIGN_OUT).forEach(function (form) {
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      var list = await expire();
      if (list.length && !self.confirm(say("signout", {count: list.length}))) { return; }
      await wipe();
      Object.keys(localStorage).forEach(function (key) {  // roster.js's drafts too: the next person's phone
        if (key.indexOf("hub-roster-") === 0) { localStorage.removeItem(key); }
      });
      form.submit();
    });
  });

  async function start() {
    await navigator.serviceWorker.register("/sw.js").catch(function () {});
    await refresh().catch(function () {});  // storage refused or full: the page still shows what is kept
    self.HubOutbox.ready = true;
    await show();
    var sent = await flush();
    await show(sent);
  }

  self.addEventListener("online", function () { flush().then(show); });
  start();
})(self);
