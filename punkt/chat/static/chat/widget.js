/* Punkt live chat widget. One tag on the company's site:
 *   <script src="https://punkt.example/chat/widget.js" data-desk="KEY" async></script>
 * Plain JS, no build step, no inline code or styles (works under a strict CSP that allows
 * this server in script-src, style-src and connect-src). Texts come from the server. */
(function () {
  "use strict";
  var T = /*TEXTS*/{};
  var script = document.currentScript;
  if (!script || window.__punktChat) { return; }
  window.__punktChat = true;
  var key = script.getAttribute("data-desk") || "";
  var base = new URL(script.src, window.location.href);
  var wsUrl = script.getAttribute("data-ws") ||
    (base.protocol === "https:" ? "wss://" : "ws://") + base.host + "/ws/chat/visitor/" +
    encodeURIComponent(key) + "/";
  var store = "punkt-chat-" + key;
  var ws = null, hello = null, token = null, ended = false, shown = {}, typingTimer = 0,
    typedAt = 0, retry = 0, max = 2000;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text) { e.textContent = text; }
    return e;
  }
  function saved() { try { return window.sessionStorage.getItem(store); } catch (e) { return null; } }
  function save(v) {
    try { if (v) { window.sessionStorage.setItem(store, v); } else { window.sessionStorage.removeItem(store); } } catch (e) { /* storage off */ }
  }

  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = base.origin + "/chat/widget.css";
  document.head.appendChild(css);

  var root = el("div", "pkc");
  root.setAttribute("data-testid", "chat-widget");
  var launcher = el("button", "pkc-launch", T.open);
  launcher.type = "button";
  launcher.setAttribute("aria-expanded", "false");
  var panel = el("section", "pkc-panel");
  panel.hidden = true;
  panel.setAttribute("aria-label", T.open);
  var head = el("header", "pkc-head");
  var title = el("strong", "pkc-title", T.open);
  var close = el("button", "pkc-x", "×");
  close.type = "button";
  close.setAttribute("aria-label", T.close);
  head.appendChild(title);
  head.appendChild(close);
  var status = el("p", "pkc-status", T.connecting);
  status.setAttribute("role", "status");
  status.setAttribute("data-testid", "chat-status");
  var body = el("div", "pkc-body");

  // the form to start a chat
  var form = el("form", "pkc-form");
  form.hidden = true;
  function field(label, input) {
    var l = el("label", "pkc-label", label);
    l.appendChild(input);
    form.appendChild(l);
    return input;
  }
  var nameIn = field(T.name, el("input"));
  nameIn.name = "name"; nameIn.maxLength = 100; nameIn.required = true; nameIn.autocomplete = "name";
  var mailIn = field(T.email, el("input"));
  mailIn.name = "email"; mailIn.type = "email"; mailIn.maxLength = 254; mailIn.autocomplete = "email";
  var firstIn = field(T.question, el("textarea"));
  firstIn.name = "text"; firstIn.rows = 3; firstIn.required = true;
  var formErr = el("p", "pkc-err");
  formErr.setAttribute("role", "alert");
  form.appendChild(formErr);
  var startBtn = el("button", "pkc-btn", T.start);
  startBtn.type = "submit";
  form.appendChild(startBtn);
  form.appendChild(el("p", "pkc-note", T.privacy));

  // the conversation
  var log = el("ol", "pkc-log");
  log.setAttribute("aria-live", "polite");
  log.setAttribute("data-testid", "chat-log");
  log.hidden = true;
  var typing = el("p", "pkc-typing");
  typing.hidden = true;
  typing.setAttribute("data-testid", "chat-typing");
  var say = el("form", "pkc-say");
  say.hidden = true;
  var sayIn = el("textarea");
  sayIn.rows = 2;
  sayIn.setAttribute("aria-label", T.message);
  sayIn.placeholder = T.message;
  var sayBtn = el("button", "pkc-btn", T.send);
  sayBtn.type = "submit";
  var endBtn = el("button", "pkc-link", T.end);
  endBtn.type = "button";
  say.appendChild(sayIn);
  say.appendChild(sayBtn);
  var offline = el("div", "pkc-offline");
  offline.hidden = true;
  var again = el("button", "pkc-btn", T.again);
  again.type = "button";
  again.hidden = true;

  body.appendChild(form);
  body.appendChild(offline);
  body.appendChild(log);
  body.appendChild(typing);
  panel.appendChild(head);
  panel.appendChild(status);
  panel.appendChild(body);
  panel.appendChild(say);
  panel.appendChild(endBtn);
  panel.appendChild(again);
  endBtn.hidden = true;
  root.appendChild(panel);
  root.appendChild(launcher);
  document.body.appendChild(root);

  function setStatus(text) { status.textContent = text; }
  function show(part) {
    form.hidden = part !== "form";
    offline.hidden = part !== "offline";
    log.hidden = part !== "chat" && part !== "ended";
    say.hidden = part !== "chat";
    endBtn.hidden = part !== "chat";
    again.hidden = part !== "ended";
  }
  function line(m) {
    if (shown[m.id]) { return; }
    shown[m.id] = true;
    var li = el("li", "pkc-line pkc-" + (m.from === "agent" ? "agent" : "me"));
    li.appendChild(el("span", "pkc-who", (m.from === "agent" ? m.author : T.you) + " · " + m.at));
    li.appendChild(el("span", "pkc-text", m.text));
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
    if (m.from === "agent") { typing.hidden = true; }
  }
  function send(obj) { if (ws && ws.readyState === 1) { ws.send(JSON.stringify(obj)); } }

  function connect() {
    if (ws) { return; }
    setStatus(T.connecting);
    ws = new WebSocket(wsUrl);
    ws.onopen = function () { retry = 0; };
    ws.onclose = function () {
      ws = null;
      if (!panel.hidden && !ended && (token || hello === null)) {
        setStatus(T.reconnecting);
        retry = Math.min(retry + 1, 6);
        window.setTimeout(connect, 500 * retry);
      }
    };
    ws.onmessage = function (ev) {
      var m;
      try { m = JSON.parse(ev.data); } catch (e) { return; }
      if (m.type === "hello") {
        hello = m; max = m.max || max;
        title.textContent = m.title;
        token = saved();
        if (token) { send({ type: "resume", token: token }); return; }
        ready();
      } else if (m.type === "started") {
        if (m.token) { token = m.token; save(m.token); }
        (m.history || []).forEach(line);
        show("chat");
        if (m.status === "active") { setStatus(T.with + " " + m.agent); }
        else { queued(m.position); }
      } else if (m.type === "reset") {
        token = null; save(null); ready();
      } else if (m.type === "queue") { queued(m.position); }
      else if (m.type === "agent") { setStatus(T.with + " " + m.name); }
      else if (m.type === "message") { line(m); }
      else if (m.type === "typing") {
        typing.textContent = T.typing;
        typing.hidden = false;
        window.clearTimeout(typingTimer);
        typingTimer = window.setTimeout(function () { typing.hidden = true; }, 3000);
      } else if (m.type === "ended") {
        ended = true; token = null; save(null); typing.hidden = true;
        setStatus(m.by === "agent" ? T.endedAgent : T.ended);
        show("ended");
      } else if (m.type === "error") {
        if (!form.hidden) { formErr.textContent = m.message; startBtn.disabled = false; }
        else { setStatus(m.message); }
      }
    };
  }
  function queued(n) {
    setStatus(n > 0 ? T.queue.replace("%(n)s", n) : T.waiting);
  }
  function ready() {
    if (!hello.open) {
      setStatus(T.closed);
      offline.textContent = "";
      offline.appendChild(el("p", "", T.closedLong));
      var a = el("a", "pkc-btn", T.form);
      a.href = hello.contact_url;
      a.target = "_blank";
      a.rel = "noopener";
      a.setAttribute("data-testid", "chat-contact");
      offline.appendChild(a);
      show("offline");
      return;
    }
    setStatus(hello.agents_online ? T.hello : T.busy);
    show("form");
  }

  launcher.addEventListener("click", function () {
    var open = panel.hidden;
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) { connect(); window.setTimeout(function () { (form.hidden ? sayIn : nameIn).focus(); }, 0); }
  });
  close.addEventListener("click", function () {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  });
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    formErr.textContent = "";
    if (firstIn.value.length > max) { formErr.textContent = T.tooLong; return; }
    startBtn.disabled = true;
    send({ type: "start", name: nameIn.value, email: mailIn.value, text: firstIn.value });
  });
  say.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = sayIn.value.trim();
    if (!text) { return; }
    if (text.length > max) { setStatus(T.tooLong); return; }
    send({ type: "message", text: text });
    sayIn.value = "";
  });
  sayIn.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); say.requestSubmit(); }
  });
  sayIn.addEventListener("input", function () {
    var now = Date.now();
    if (now - typedAt > 1000) { typedAt = now; send({ type: "typing" }); }
  });
  endBtn.addEventListener("click", function () { send({ type: "end" }); });
  again.addEventListener("click", function () {
    ended = false; shown = {}; log.textContent = ""; firstIn.value = "";
    startBtn.disabled = false;
    if (ws) { ws.onclose = null; ws.close(); ws = null; }
    connect();
  });
  if (saved()) { launcher.click(); }
})();
