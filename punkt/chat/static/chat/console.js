/* The agents' chat console: one WebSocket keeps the queue and the agent's chats live. */
(function () {
  "use strict";
  var root = document.getElementById("chat-console");
  if (!root) { return; }
  var d = root.dataset;
  var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + d.ws;
  var queue = document.getElementById("chat-queue");
  var count = document.getElementById("chat-count");
  var list = document.getElementById("chat-list");
  var none = document.getElementById("chat-none");
  var conn = document.getElementById("chat-conn");
  var toggle = document.getElementById("chat-online");
  var statusLine = document.getElementById("chat-status");
  var max = parseInt(d.max, 10) || 2000;
  var ws = null, retry = 0, boxes = {}, online = toggle.dataset.online === "1";

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function send(obj) { if (ws && ws.readyState === 1) { ws.send(JSON.stringify(obj)); } }
  function setOnline(value) {
    online = value;
    toggle.dataset.online = value ? "1" : "0";
    toggle.textContent = value ? toggle.dataset.tOnline : toggle.dataset.tAway;
    toggle.classList.toggle("secondary", value);
    statusLine.textContent = value ? toggle.dataset.sOnline : toggle.dataset.sAway;
    statusLine.parentNode.classList.toggle("is-online", value);
  }
  function renderQueue(rows) {
    queue.textContent = "";
    count.textContent = rows.length;
    if (!rows.length) { queue.appendChild(el("li", "muted", d.tEmpty)); return; }
    rows.forEach(function (r) {
      var li = el("li", "chat-q");
      li.setAttribute("data-testid", "chat-waiting");
      var who = el("div");
      who.appendChild(el("strong", "", r.name));
      who.appendChild(el("small", "muted chat-q-meta", d.tWaits + " " + r.minutes + " " + d.tMin + " · " + r.ticket));
      if (r.left) { who.appendChild(el("small", "badge chat-left", d.tLeft)); }
      li.appendChild(who);
      var b = el("button", "", d.tTake);
      b.type = "button";
      b.disabled = !online;
      b.setAttribute("data-testid", "chat-take");
      b.addEventListener("click", function () { b.disabled = true; send({ type: "take", chat: r.id }); });
      li.appendChild(b);
      li.appendChild(el("div", "chat-q-text", r.preview));
      queue.appendChild(li);
    });
  }
  function line(box, m) {
    if (box.seen[m.id]) { return; }
    box.seen[m.id] = true;
    var li = el("li", "chat-line from-" + m.from);
    li.appendChild(el("span", "chat-who", (m.from === "agent" ? m.author : box.name) + " · " + m.at));
    li.appendChild(el("span", "chat-text", m.text));
    box.log.appendChild(li);
    box.log.scrollTop = box.log.scrollHeight;
    if (m.from === "visitor") { box.typing.textContent = ""; }
  }
  function openChat(c) {
    var box = boxes[c.id];
    if (!box) {
      var card = el("article", "card chat-box");
      card.setAttribute("data-testid", "chat-box");
      var head = el("header");
      var h = el("h2", "", c.name);
      head.appendChild(h);
      var link = el("a", "", d.tTicket + " " + c.ticket);
      link.href = c.ticket_url;
      link.target = "_blank";
      link.rel = "noopener";
      var small = el("small");
      if (c.email) { small.appendChild(document.createTextNode(c.email + " · ")); }
      small.appendChild(link);
      head.appendChild(small);
      var log = el("ol", "chat-log");
      log.setAttribute("aria-live", "polite");
      log.setAttribute("data-testid", "chat-log");
      var typing = el("p", "chat-typing");
      typing.setAttribute("data-testid", "chat-typing");
      var form = el("form", "chat-say");
      var input = el("textarea");
      input.rows = 2;
      input.maxLength = max;
      input.setAttribute("aria-label", d.tMessage);
      input.placeholder = d.tMessage;
      input.setAttribute("data-testid", "chat-input");
      var sendBtn = el("button", "", d.tSend);
      sendBtn.type = "submit";
      form.appendChild(input);
      form.appendChild(sendBtn);
      var foot = el("div", "chat-foot");
      var state = el("small", "muted");
      var end = el("button", "secondary", d.tEnd);
      end.type = "button";
      end.setAttribute("data-testid", "chat-end");
      foot.appendChild(state);
      foot.appendChild(end);
      card.appendChild(head);
      card.appendChild(log);
      card.appendChild(typing);
      card.appendChild(form);
      card.appendChild(foot);
      list.appendChild(card);
      box = boxes[c.id] = { card: card, log: log, typing: typing, state: state, name: c.name, seen: {}, timer: 0, typedAt: 0 };
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var text = input.value.trim();
        if (!text) { return; }
        send({ type: "message", chat: c.id, text: text });
        input.value = "";
      });
      input.addEventListener("keydown", function (ev) {
        if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); form.requestSubmit(); }
      });
      input.addEventListener("input", function () {
        var now = Date.now();
        if (now - box.typedAt > 1000) { box.typedAt = now; send({ type: "typing", chat: c.id }); }
      });
      end.addEventListener("click", function () {
        if (box.card.classList.contains("ended")) { box.card.remove(); delete boxes[c.id]; refreshNone(); return; }
        send({ type: "end", chat: c.id });
      });
      input.focus();
    }
    (c.history || []).forEach(function (m) { line(box, m); });
    refreshNone();
  }
  function refreshNone() { none.hidden = Object.keys(boxes).length > 0; }

  function connect() {
    ws = new WebSocket(url);
    ws.onopen = function () { retry = 0; conn.hidden = true; };
    ws.onclose = function (ev) {
      ws = null;
      if (ev.code === 4403) { location.reload(); return; }
      conn.textContent = d.tOffline;
      conn.hidden = false;
      retry = Math.min(retry + 1, 6);
      window.setTimeout(connect, 500 * retry);
    };
    ws.onmessage = function (ev) {
      var m;
      try { m = JSON.parse(ev.data); } catch (e) { return; }
      var box = boxes[m.chat];
      if (m.type === "queue") { setOnline(m.online); renderQueue(m.waiting); }
      else if (m.type === "chat") { openChat(m.chat); }
      else if (m.type === "message" && box) { line(box, m); }
      else if (m.type === "typing" && box) {
        box.typing.textContent = d.tTyping;
        window.clearTimeout(box.timer);
        box.timer = window.setTimeout(function () { box.typing.textContent = ""; }, 3000);
      } else if (m.type === "ended" && box) {
        box.card.classList.add("ended");
        box.typing.textContent = "";
        box.state.textContent = m.by === "visitor" ? d.tEndedVisitor : d.tEnded;
        box.card.querySelector("[data-testid=chat-end]").textContent = d.tClose;
      } else if (m.type === "error") {
        conn.textContent = m.message;
        conn.hidden = false;
        window.setTimeout(function () { conn.hidden = true; }, 5000);
        send({ type: "presence", status: online ? "online" : "away" });
      }
    };
  }
  toggle.addEventListener("click", function () { send({ type: "presence", status: online ? "away" : "online" }); });
  connect();
})();
