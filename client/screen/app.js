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
  function draw(s) {
    var main = document.getElementById("votes"), i;
    main.textContent = "";
    document.getElementById("checked").textContent = s.checked ? "已核验 " + s.checked : "";
    for (i = 0; i < s.votes.length; i++) {
      var v = s.votes[i], box = el("section", "vote" + (v.verified ? "" : " bad"));
      box.id = "vote-" + v.id;
      if (!v.verified) {
        box.appendChild(el("h2", "", v.id));
        box.appendChild(el("p", "alarm", "记录未通过验证：第 " + v.index + " 条，" + v.check));
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
        " 张 · 根 " + group(v.root)));
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
