/* Community Hub's service worker (hub __VERSION__), served from /sw.js so it looks after every page of the
   hub. Pages come from the hub whenever it answers, and from this phone's copy when it does not (the app's
   shell, and the pages hub.offline's plan names for the person signed in); a concern, roster or follow-up
   visit that cannot reach the hub is kept, encrypted, by the outbox (static/outbox.js) and sent later, once. */
"use strict";
importScripts("/static/outbox.js");

var SHELL = "hub-shell-__VERSION__";
var FILES = ["/static/style.css", "/static/icons.svg", "/static/favicon.svg", "/static/outbox.js",
  "/static/roster.js", "/static/clock.js", "/manifest.webmanifest"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) { return cache.addAll(FILES); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name.indexOf("hub-shell-") === 0 && name !== SHELL; })
      .map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

async function keep(request) {
  var copy = request.clone();
  try {
    return await fetch(request);
  } catch (e) {
    // Out of range: keep what was typed on this phone, and say so.
    var fields = [];
    (await copy.formData()).forEach(function (value, name) { if (typeof value === "string") { fields.push([name, value]); } });
    await self.HubOutbox.keep(new URL(copy.url).pathname, fields);
    if (self.registration.sync) { self.registration.sync.register("hub-outbox").catch(function () {}); }
    return Response.redirect("/offline/?kept=1", 303);
  }
}

async function page(request) {
  var pages = await caches.open(self.HubOutbox.PAGES), url = new URL(request.url);
  try {
    var response = await fetch(request);
    if (response.ok && await pages.match(url.pathname)) { await pages.put(url.pathname, response.clone()); }
    return response;
  } catch (e) {
    var copy = await pages.match(url.pathname + url.search) || await pages.match(url.pathname) ||
      await pages.match("/offline/");
    return copy || Response.error();
  }
}

async function shell(request) {
  var kept = await caches.match(request, {ignoreSearch: true});
  var fresh = fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(SHELL).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  });
  if (kept) { fresh.catch(function () {}); return kept; }
  return fresh;
}

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.method === "POST" && request.mode === "navigate" && self.HubOutbox.route(url.pathname)) {
    event.respondWith(keep(request));
  } else if (request.method === "GET" && request.mode === "navigate") {
    event.respondWith(page(request));
  } else if (request.method === "GET" && FILES.indexOf(url.pathname) >= 0) {
    event.respondWith(shell(request));
  }
});

self.addEventListener("sync", function (event) {
  if (event.tag === "hub-outbox") { event.waitUntil(self.HubOutbox.flush()); }
});
