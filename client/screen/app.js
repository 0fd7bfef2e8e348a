// The hall screen's page: it draws what `tallyctl screen` verified, every
// two seconds; no controls. Every text goes in through textContent.
"use strict";
(function () {
  var STATE = { created: "未开始", open: "投票中", closed: "投票结束，计票中", counted: "已公布" };
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function num(label, value, id) {
    var d = el("div"), n = el("div", "n", String(value));
    if (id) n.id = id;
    d.appendChild(n);
    d.appendChild(el("div", "l", label));
    return d;
  }
  function group(hex) { return hex.replace(/(.{8})/g, "$1 ").trim(); }
  // Who cosigned what, as verified: each witness by fingerprint, the
  // largest log it cosigned, and the sealed log's cosignatures of the quorum.
  function witnesses(v) {
    var d = el("div", "wit"), i, line;
    if (v.seal_size) {
      line = el("p", v.seal_cosigned >= v.quorum ? "seal ok" : "seal",
        "封存记录 " + v.seal_size + " 条 · 根 " + group(v.seal_root.slice(0, 16)) +
        " · 见证人联署 " + v.seal_cosigned + " / " + v.quorum);
      line.id = "seal-" + v.id;
      d.appendChild(line);
    } else {
      d.appendChild(el("p", "seal", "见证人 " + v.witnesses.length + " 名，需 " + v.quorum + " 名联署封存记录"));
    }
    for (i = 0; i < v.witnesses.length; i++) {
      var w = v.witnesses[i];
      line = el("p", "witness" + (w.cosigned_size ? " signed" : ""),
        "见证人 " + w.fingerprint + " · " + (w.cosigned_size ?
          "已联署前 " + w.cosigned_size + " 条" : "尚未联署") +
        (w.seal ? " · 已联署封存记录" : ""));
      line.setAttribute("data-fingerprint", w.fingerprint);
      line.setAttribute("data-cosigned", String(w.cosigned_size));
      line.setAttribute("data-seal", w.seal ? "1" : "0");
      d.appendChild(line);
    }
    return d;
  }
  function draw(s) {
    var main = document.getElementById("votes"), i;
    main.textContent = "";
    document.getElementById("checked").textContent = s.checked ? "已核验 " + s.checked : "";
    for (i = 0; i < s.votes.length; i++) {
      var v = s.votes[i], box = el("section", "vote" + (v.verified ? "" : " bad"));
      box.id = "vote-" + v.id;
      if (!v.verified) {
        box.appendChild(el("h2", "", v.id));
        var a = el("p", "alarm", "记录未通过验证：第 " + v.index + " 条，" + v.check);
        a.id = "alarm-" + v.id;
        box.appendChild(a);
        box.appendChild(el("p", "", v.reason));
        main.appendChild(box);
        continue;
      }
      var h = el("h2", "", v.title);
      var st = el("span", "state", STATE[v.state] || v.state);
      st.id = "state-" + v.id;
      h.appendChild(st);
      box.appendChild(h);
      var nums = el("div", "nums");
      nums.appendChild(num("应到", v.members));
      nums.appendChild(num("实到", v.state === "created" ? "—" : v.present));
      nums.appendChild(num("发出", v.state === "created" ? "—" : v.issued));
      nums.appendChild(num("收回", v.received, "received-" + v.id));
      box.appendChild(nums);
      box.appendChild(el("p", "log", "记录 " + v.records + " 条 · 核验选票 " + v.challenged +
        " 张 · 根 " + group(v.root.slice(0, 16))));
      if (v.witnesses && v.witnesses.length) box.appendChild(witnesses(v));
      if (v.announcement) box.appendChild(el("pre", "", v.announcement));
      main.appendChild(box);
    }
  }
  function poll() {
    fetch("/state.json", { cache: "no-store" }).then(function (r) { return r.json(); })
      .then(draw).catch(function () {
        document.getElementById("checked").textContent = "连接中断";
      });
  }
  poll();
  setInterval(poll, 2000);
})();
