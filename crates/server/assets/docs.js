// Draws the API reference from /openapi.json: one section per tag, one box per operation.
(function () {
  "use strict";
  var root = document.getElementById("api");
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  fetch("/openapi.json").then(function (r) { return r.json(); }).then(function (doc) {
    root.textContent = "";
    var byTag = {};
    Object.keys(doc.paths || {}).forEach(function (path) {
      var item = doc.paths[path];
      Object.keys(item).forEach(function (method) {
        var op = item[method];
        var tag = (op.tags && op.tags[0]) || "other";
        (byTag[tag] = byTag[tag] || []).push({ path: path, method: method, op: op });
      });
    });
    Object.keys(byTag).sort().forEach(function (tag) {
      root.appendChild(el("h2", "", tag));
      byTag[tag].forEach(function (o) {
        var box = el("div", "op");
        var head = el("div");
        head.appendChild(el("span", "method " + o.method, o.method));
        head.appendChild(el("code", "", o.path));
        box.appendChild(head);
        if (o.op.summary) box.appendChild(el("p", "", o.op.summary));
        var table = el("table");
        Object.keys(o.op.responses || {}).forEach(function (status) {
          var row = el("tr");
          row.appendChild(el("td", "", status));
          row.appendChild(el("td", "", o.op.responses[status].description || ""));
          table.appendChild(row);
        });
        box.appendChild(table);
        root.appendChild(box);
      });
    });
  }).catch(function (e) { root.textContent = "Could not load /openapi.json: " + e; });
})();
