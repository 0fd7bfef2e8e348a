// The polling terminal's page. It shows screens and posts the deputy's
// marks to the terminal process (tallyctl terminal), which does every piece
// of cryptography. Text from the manifest or the server only ever enters
// the page through textContent, never as markup.
"use strict";
(function () {
  var token = document.querySelector('meta[name="tally-token"]').content;
  var idleSecs = parseInt(document.querySelector('meta[name="tally-idle"]').content, 10) || 120;
  var lang = "zh";
  var T = {
    zh: {
      brand: "投票终端", cardTitle: "请出示选票卡",
      cardHelp: "用扫描器扫描选票卡上的二维码，或输入卡上的 56 位代码（连字符可省略）。",
      cardLabel: "选票卡代码", next: "继续", prev: "上一项", review: "核对",
      votesTitle: "请选择表决事项", votesNone: "这张选票卡没有可以参加的表决。",
      finish: "完成，退出", reviewTitle: "请核对您的选择", change: "返回修改",
      encrypt: "确认并加密", sealedTitle: "选票已加密",
      sealedHelp: "终端已承诺这张加密选票。请记下追踪码，然后选择：",
      trackingLabel: "追踪码", castHelp: "投出：选票计入本次表决。",
      challengeHelp: "核验：打开这张选票，检查终端是否如实加密了您的选择。核验过的选票不计入，您需要重新填写一张。",
      challenge: "核验", cast: "投出", castTitle: "已投出",
      castDone: "您的选票已记入记录。公告发布后，可在公告页“查验我的选票”中输入追踪码查验。",
      more: "其他表决", openedTitle: "这张选票已核验，不计入",
      openedHelp: "终端打开了这张选票并记入记录。它加密的内容是：",
      openedCheck: "请核对与您的选择一致。在任何其他设备上，可用追踪码核对记录中的同一内容：",
      openedAgain: "请重新填写选票。新选票可以与刚才不同。", again: "重新填写",
      langButton: "English", langName: "English",
      have: "已输入 %1 / %2 个字符", badChar: "含有无效字符：只用字母 A–Z 和数字 2–7",
      badSum: "校验不符：请检查是否输错", tooLong: "字符太多", cardOk: "✓ 选票卡代码有效",
      pos: "第 %1 项，共 %2 项", for: "赞成", against: "反对", abstain: "弃权",
      writein: "另选他人 %1", chosen: "已选 %1 / %2",
      ruleElection: "对每位候选人选择赞成、反对或弃权；赞成与另选他人合计不超过 %1 人。",
      ruleApprove: "最多选择 %1 项。", ruleFor: "对每一项选择赞成、反对或弃权；赞成不超过 %1 项。",
      ruleMotion: "请选择赞成、反对或弃权。",
      over: "已选满 %1 人（项），不能再选。请先取消一个。", record: "记录号：%1",
      noneChosen: "（未作选择）", approved: "赞成", busy: "请稍候……",
      E_CHECKSUM: "选票卡代码校验不符，请重新输入。", E_DECODE: "选票卡代码有误。",
      E_TRUNCATED: "选票卡代码不完整。", E_TRAILING: "选票卡代码太长。",
      E_CRED_USED: "这张选票卡已在本项表决中投过票。", E_CRED_UNKNOWN: "这张选票卡不能参加本项表决。",
      E_VOTE_NOT_OPEN: "本项表决现在不接受投票。", E_BAD_CHOICE: "选择超出了允许的数目。",
      other: "操作未完成：%1"
    },
    en: {
      brand: "Polling terminal", cardTitle: "Present your ballot card",
      cardHelp: "Scan the QR code on your ballot card, or type its 56-character code (dashes optional).",
      cardLabel: "Ballot card code", next: "Continue", prev: "Previous", review: "Review",
      votesTitle: "Choose a vote", votesNone: "This card has no vote it can take part in.",
      finish: "Done, leave", reviewTitle: "Check your choices", change: "Change",
      encrypt: "Confirm and encrypt", sealedTitle: "Ballot encrypted",
      sealedHelp: "The terminal has committed to this encrypted ballot. Note its tracking code, then choose:",
      trackingLabel: "Tracking code", castHelp: "Cast: the ballot counts in this vote.",
      challengeHelp: "Challenge: open this ballot to check that the terminal encrypted your choices. A challenged ballot is never counted; you then mark a new one.",
      challenge: "Challenge", cast: "Cast", castTitle: "Cast",
      castDone: "Your ballot is in the record. Once the results are published, look up its tracking code under “Check my ballot”.",
      more: "Other votes", openedTitle: "Ballot challenged, not counted",
      openedHelp: "The terminal opened this ballot and recorded it. It contained:",
      openedCheck: "Check that this is what you chose. On any other device, the record shows the same under this tracking code:",
      openedAgain: "Please mark a new ballot. It may differ from this one.", again: "Mark again",
      langButton: "中文", langName: "中文",
      have: "%1 of %2 characters", badChar: "Invalid character: use letters A–Z and digits 2–7 only",
      badSum: "Checksum does not match: check for a typing mistake", tooLong: "Too many characters",
      cardOk: "✓ Card code is valid", pos: "Item %1 of %2", for: "For", against: "Against",
      abstain: "Abstain", writein: "Write-in %1", chosen: "%1 / %2 chosen",
      ruleElection: "For each candidate choose for, against or abstain; at most %1 in favour, write-ins included.",
      ruleApprove: "Choose at most %1.", ruleFor: "For each item choose for, against or abstain; at most %1 in favour.",
      ruleMotion: "Choose for, against or abstain.",
      over: "Already %1 chosen: remove one first.", record: "Record %1",
      noneChosen: "(nothing chosen)", approved: "approved", busy: "Please wait…",
      E_CHECKSUM: "The card code's checksum does not match: type it again.", E_DECODE: "The card code is wrong.",
      E_TRUNCATED: "The card code is incomplete.", E_TRAILING: "The card code is too long.",
      E_CRED_USED: "This card has already voted in this vote.", E_CRED_UNKNOWN: "This card is not for this vote.",
      E_VOTE_NOT_OPEN: "This vote does not take ballots now.", E_BAD_CHOICE: "More choices than allowed.",
      other: "Not done: %1"
    }
  };
  function t(k) {
    var s = T[lang][k] !== undefined ? T[lang][k] : k, i;
    for (i = 1; i < arguments.length; i++) s = s.split("%" + i).join(String(arguments[i]));
    return s;
  }
  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, text) {
    var e = document.createElement(tag), k;
    for (k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // ------------------------------------------------------------- state
  var vote = null;      // {id, title, contests}
  var marks = [];       // per contest
  var cur = 0;          // contest shown
  var sealed = null;    // tracking of the committed ballot
  var screen = "card";
  var redraw = null;    // the current screen's redraw, for the language switch

  function show(name, focusId) {
    var s = document.querySelectorAll("main > section"), i;
    for (i = 0; i < s.length; i++) s[i].hidden = s[i].id !== "s-" + name;
    screen = name;
    $("alert").textContent = "";
    var h = $(focusId || ("h-" + name));
    if (h) h.focus();
  }
  function alertMsg(err) {
    $("alert").textContent = T[lang][err.error] || t("other", err.message || err.error);
  }
  function post(path, body) {
    return fetch(path, {
      method: "POST", cache: "no-store", credentials: "omit",
      headers: { "Content-Type": "application/json", "X-Tally-Token": token },
      body: JSON.stringify(body || {})
    }).then(function (r) {
      return r.json().then(function (j) {
        if (!r.ok) throw j;
        return j;
      });
    });
  }
  function busy(on) {
    var b = document.querySelectorAll("button"), i;
    for (i = 0; i < b.length; i++) if (b[i].id !== "lang") b[i].disabled = on;
    document.body.setAttribute("aria-busy", on ? "true" : "false");
  }
  // A request the deputy waits for: the buttons are off until the answer,
  // then done(answer), or the refusal in the alert line and failed(error).
  function request(path, body, done, failed) {
    busy(true);
    post(path, body).then(function (r) {
      busy(false);
      done(r);
    }).catch(function (e) {
      busy(false);
      alertMsg(e);
      if (failed) failed(e);
    });
  }

  // ------------------------------------------------------------- card
  var checkSeq = 0;
  function cardCheck() {
    var v = $("card-code").value, seq = ++checkSeq, st = $("card-state");
    if (v.trim() === "") { st.textContent = ""; st.className = ""; return; }
    post("/api/check", { code: v }).then(function (r) {
      if (seq !== checkSeq) return;
      st.className = r.state === "ok" ? "ok" : r.state === "short" ? "" : "bad";
      st.textContent = r.state === "ok" ? t("cardOk") : r.state === "char" ? t("badChar") :
        r.state === "checksum" ? t("badSum") : r.state === "long" ? t("tooLong") :
        t("have", r.have, r.need);
    }).catch(function () {});
  }
  function cardSubmit(ev) {
    ev.preventDefault();
    request("/api/card", { code: $("card-code").value }, function (r) {
      $("card-code").value = "";
      $("card-state").textContent = "";
      showVotes(r.votes);
    }, function () {
      $("card-code").focus();
      $("card-code").select();
    });
  }

  // ------------------------------------------------------------- votes
  function showVotes(list) {
    var ul = $("votes"), i;
    ul.textContent = "";
    for (i = 0; i < list.length; i++) {
      (function (v) {
        var b = el("button", { type: "button", id: "vote-" + v.id, "data-vote": v.id }, v.title);
        b.addEventListener("click", function () { openVote(v.id); });
        var li = el("li");
        li.appendChild(b);
        ul.appendChild(li);
      })(list[i]);
    }
    $("votes-none").hidden = list.length > 0;
    redraw = null;
    show("votes");
  }
  function openVote(id) {
    request("/api/vote", { id: id }, function (r) {
      vote = r;
      freshMarks();
      cur = 0;
      showContest();
    });
  }
  function freshMarks() {
    marks = vote.contests.map(function (c) {
      var m = { opt: {}, approve: {}, writein: [] }, i;
      for (i = 0; i < c.options.length; i++) m.opt[c.options[i].id] = "abstain";
      for (i = 0; i < c.writein_slots; i++) m.writein.push("");
      return m;
    });
  }

  // ------------------------------------------------------------ contests
  function chosen(c, m) {
    var n = 0, k;
    if (c.kind === "project" && c.mode === "approve") {
      for (k in m.approve) if (m.approve[k]) n++;
      return n;
    }
    for (k in m.opt) if (m.opt[k] === "for") n++;
    for (k = 0; k < m.writein.length; k++) if (m.writein[k].trim() !== "") n++;
    return n;
  }
  function limited(c) { return c.kind !== "motion"; }
  function updateCounter() {
    var c = vote.contests[cur], m = marks[cur], n = chosen(c, m), e = $("counter");
    e.textContent = limited(c) ? t("chosen", n, c.seats) : "";
    e.className = "counter" + (limited(c) && n >= c.seats ? " full" : "");
  }
  function refuse() {
    $("contest-msg").textContent = t("over", vote.contests[cur].seats);
  }
  function radioGroup(c, m, opt, labelText) {
    var fs = el("fieldset"), lg = el("legend", {}, labelText), div = el("div", { class: "opts" });
    fs.appendChild(lg);
    ["for", "against", "abstain"].forEach(function (k) {
      var id = "r-" + cur + "-" + opt.id + "-" + k;
      var lab = el("label", { for: id });
      var inp = el("input", { type: "radio", id: id, name: "r-" + cur + "-" + opt.id, value: k,
        "data-opt": opt.id });
      inp.checked = m.opt[opt.id] === k;
      inp.addEventListener("change", function () {
        if (k === "for" && limited(c) && m.opt[opt.id] !== "for" && chosen(c, m) >= c.seats) {
          refuse();
          inp.checked = false;
          $("r-" + cur + "-" + opt.id + "-" + m.opt[opt.id]).checked = true;
          return;
        }
        $("contest-msg").textContent = "";
        m.opt[opt.id] = k;
        updateCounter();
      });
      lab.appendChild(inp);
      lab.appendChild(document.createTextNode(t(k)));
      div.appendChild(lab);
    });
    fs.appendChild(div);
    return fs;
  }
  function approveBox(c, m, opt) {
    var id = "a-" + cur + "-" + opt.id, lab = el("label", { for: id });
    var inp = el("input", { type: "checkbox", id: id, "data-opt": opt.id });
    inp.checked = !!m.approve[opt.id];
    inp.addEventListener("change", function () {
      if (inp.checked && chosen(c, m) >= c.seats) {
        inp.checked = false;
        refuse();
        return;
      }
      $("contest-msg").textContent = "";
      m.approve[opt.id] = inp.checked;
      updateCounter();
    });
    lab.appendChild(inp);
    lab.appendChild(document.createTextNode(opt.name));
    return lab;
  }
  function writeinBox(c, m, i) {
    var id = "w-" + cur + "-" + i, div = el("div", { class: "writein" });
    var lab = el("label", { for: id }, t("writein", i + 1));
    var inp = el("input", { type: "text", id: id, maxlength: "20", autocomplete: "off",
      spellcheck: "false" });
    inp.value = m.writein[i];
    inp.addEventListener("input", function () {
      var was = m.writein[i].trim() !== "", now = inp.value.trim() !== "";
      if (now && !was && chosen(c, m) >= c.seats) {
        inp.value = "";
        refuse();
        return;
      }
      $("contest-msg").textContent = "";
      m.writein[i] = inp.value;
      updateCounter();
    });
    div.appendChild(lab);
    div.appendChild(inp);
    return div;
  }
  function showContest() {
    var c = vote.contests[cur], m = marks[cur], body = $("contest-body"), i, box;
    body.textContent = "";
    $("contest-msg").textContent = "";
    $("contest-pos").textContent = vote.title + " · " + t("pos", cur + 1, vote.contests.length);
    $("h-contest").textContent = c.title;
    $("contest-rule").textContent = c.kind === "election" ? t("ruleElection", c.seats) :
      c.kind === "motion" ? t("ruleMotion") :
      c.mode === "approve" ? t("ruleApprove", c.seats) : t("ruleFor", c.seats);
    if (c.kind === "project" && c.mode === "approve") {
      box = el("div", { class: "approve", role: "group", "aria-labelledby": "h-contest" });
      for (i = 0; i < c.options.length; i++) box.appendChild(approveBox(c, m, c.options[i]));
      body.appendChild(box);
    } else {
      for (i = 0; i < c.options.length; i++)
        body.appendChild(radioGroup(c, m, c.options[i], c.options[i].name));
      for (i = 0; i < c.writein_slots; i++) body.appendChild(writeinBox(c, m, i));
    }
    updateCounter();
    $("prev").hidden = cur === 0;
    $("next").textContent = cur + 1 === vote.contests.length ? t("review") : t("next");
    redraw = showContest;
    show("contest");
  }

  // ------------------------------------------------------------ review
  function contestLines(c, m) {
    var out = [], i, o;
    for (i = 0; i < c.options.length; i++) {
      o = c.options[i];
      if (c.kind === "project" && c.mode === "approve") {
        if (m.approve[o.id]) out.push(o.name + ": " + t("approved"));
      } else if (m.opt[o.id] !== "abstain" || c.kind !== "project") {
        out.push(o.name + ": " + t(m.opt[o.id]));
      }
    }
    for (i = 0; i < m.writein.length; i++)
      if (m.writein[i].trim() !== "") out.push(t("writein", i + 1) + ": " + m.writein[i].trim());
    if (out.length === 0) out.push(t("noneChosen"));
    return out;
  }
  function showReview() {
    var r = $("review"), i;
    r.textContent = "";
    for (i = 0; i < vote.contests.length; i++) {
      var d = el("div", { class: "review-contest" }), ul = el("ul");
      d.appendChild(el("h2", {}, vote.contests[i].title));
      contestLines(vote.contests[i], marks[i]).forEach(function (l) { ul.appendChild(el("li", {}, l)); });
      d.appendChild(ul);
      r.appendChild(d);
    }
    redraw = showReview;
    show("review");
  }
  function choicesJson() {
    var out = {}, i, k;
    for (i = 0; i < vote.contests.length; i++) {
      var c = vote.contests[i], m = marks[i], x = {};
      if (c.kind === "project" && c.mode === "approve") {
        x.approve = [];
        for (k in m.approve) if (m.approve[k]) x.approve.push(k);
      } else {
        x["for"] = []; x.against = [];
        for (k in m.opt) if (m.opt[k] !== "abstain") x[m.opt[k]].push(k);
        x.writein = m.writein.map(function (s) { return s.trim(); })
          .filter(function (s) { return s !== ""; });
        if (x.writein.length === 0) delete x.writein;
      }
      out[c.id] = x;
    }
    return out;
  }

  // --------------------------------------------------- seal, cast, challenge
  function drawQR(holder, qr) {
    holder.textContent = "";
    if (!qr) return;
    var ns = "http://www.w3.org/2000/svg", w = qr.width, q = 4;
    var svg = document.createElementNS(ns, "svg"), x, y, p = "";
    svg.setAttribute("viewBox", "0 0 " + (w + 2 * q) + " " + (w + 2 * q));
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", t("trackingLabel") + " QR");
    svg.setAttribute("shape-rendering", "crispEdges");
    for (y = 0; y < w; y++)
      for (x = 0; x < w; x++)
        if (qr.bits.charAt(y * w + x) === "1") p += "M" + (x + q) + " " + (y + q) + "h1v1h-1z";
    var bg = document.createElementNS(ns, "rect");
    bg.setAttribute("width", w + 2 * q); bg.setAttribute("height", w + 2 * q);
    bg.setAttribute("fill", "#fff");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", p); path.setAttribute("fill", "#000");
    svg.appendChild(bg); svg.appendChild(path);
    holder.appendChild(svg);
  }
  function encrypt() {
    request("/api/encrypt", { choices: choicesJson() }, function (r) {
      sealed = r;
      $("sealed-short").textContent = r.short;
      $("sealed-code").textContent = r.code;
      drawQR($("sealed-qr"), r.qr);
      redraw = null;
      show("sealed");
    });
  }
  function cast() {
    request("/api/cast", {}, function (r) {
      $("cast-short").textContent = r.short;
      $("cast-code").textContent = r.code;
      $("cast-index").textContent = t("record", r.index);
      castIndex = r.index;
      redraw = function () { $("cast-index").textContent = t("record", castIndex); };
      show("cast");
    });
  }
  var castIndex = 0;
  function challenge() {
    request("/api/challenge", {}, function (r) {
      $("opened-text").textContent = r.contents;
      $("opened-short").textContent = r.short;
      $("opened-code").textContent = r.code;
      redraw = null;
      show("opened");
    });
  }

  // --------------------------------------------------- language, idle
  function applyLang() {
    var n = document.querySelectorAll("[data-t]"), i;
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    for (i = 0; i < n.length; i++) n[i].textContent = t(n[i].getAttribute("data-t"));
    $("lang").textContent = t("langButton");
    $("lang").setAttribute("lang", lang === "zh" ? "en" : "zh-CN");
    $("lang").setAttribute("aria-label", t("langName"));
    document.title = t("brand");
    if (redraw) redraw();
  }
  function toStart() {
    vote = null; marks = []; sealed = null; cur = 0; redraw = null;
    $("card-code").value = "";
    $("card-state").textContent = "";
    show("card", "card-code");
  }
  var lastActive = Date.now();
  function active() { lastActive = Date.now(); }
  setInterval(function () {
    if (screen !== "card" && Date.now() - lastActive > idleSecs * 1000) {
      post("/api/reset", {}).catch(function () {});
      toStart();
    }
  }, 1000);

  // ------------------------------------------------------------ wiring
  document.addEventListener("keydown", active, true);
  document.addEventListener("pointerdown", active, true);
  document.addEventListener("input", active, true);
  $("lang").addEventListener("click", function () { lang = lang === "zh" ? "en" : "zh"; applyLang(); });
  $("card-code").addEventListener("input", cardCheck);
  $("f-card").addEventListener("submit", cardSubmit);
  $("done").addEventListener("click", function () { post("/api/reset", {}).catch(function () {}); toStart(); });
  $("finish").addEventListener("click", function () { post("/api/reset", {}).catch(function () {}); toStart(); });
  $("prev").addEventListener("click", function () { if (cur > 0) { cur--; showContest(); } });
  $("next").addEventListener("click", function () {
    if (cur + 1 < vote.contests.length) { cur++; showContest(); } else showReview();
  });
  $("review-back").addEventListener("click", function () { cur = 0; showContest(); });
  $("encrypt").addEventListener("click", encrypt);
  $("cast").addEventListener("click", cast);
  $("challenge").addEventListener("click", challenge);
  $("again").addEventListener("click", function () { freshMarks(); cur = 0; showContest(); });
  $("more").addEventListener("click", function () {
    busy(true);
    post("/api/votes", {}).then(function (r) { busy(false); showVotes(r.votes); })
      .catch(function (e) { busy(false); alertMsg(e); });
  });
  applyLang();
  toStart();
})();
