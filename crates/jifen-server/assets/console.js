// The console's few lines of script: htmx sends the CSRF token with every request, error
// answers are swapped in (as toasts), and toasts fade after a while. Pages work without it.
(function () {
  document.addEventListener("htmx:configRequest", function (e) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) e.detail.headers["x-csrf-token"] = meta.content;
  });
  document.addEventListener("htmx:beforeSwap", function (e) {
    if (e.detail.xhr.status >= 400 && e.detail.xhr.getResponseHeader("hx-retarget")) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
  function fade(root) {
    (root || document).querySelectorAll(".toast.ok").forEach(function (t) {
      setTimeout(function () { t.classList.add("gone"); }, 4000);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { fade(); });
  document.addEventListener("htmx:afterSettle", function (e) { fade(e.target); });
})();
