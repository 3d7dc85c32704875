// Light progressive enhancement: every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  // Project → building → unit pickers on the registration forms fill from the project's units.
  var project = document.querySelector("select[data-units]");
  if (project) {
    var fill = function () {
      var code = project.value;
      if (!code) return;
      fetch(project.getAttribute("data-units") + encodeURIComponent(code), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (p) {
          if (!p) return;
          var b = document.getElementById("buildings"), u = document.getElementById("units");
          b.textContent = ""; u.textContent = "";
          (p.buildings || []).forEach(function (x) {
            var o = document.createElement("option"); o.value = x.name; b.appendChild(o);
            (x.units || []).forEach(function (n) { var o2 = document.createElement("option"); o2.value = n; u.appendChild(o2); });
          });
        });
    };
    project.addEventListener("change", fill);
    fill();
  }
  // Ask before actions that cannot be undone.
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (e) { if (!window.confirm(f.getAttribute("data-confirm"))) e.preventDefault(); });
  });
});
