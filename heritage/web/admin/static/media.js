// Photos page: show the upload's progress while it is sent (a weak phone signal takes a while),
// then each job's progress until it is done. Without JavaScript the form posts normally and the
// page lists the same jobs; reload to follow them.
(function () {
  "use strict";
  var form = document.querySelector("form[data-upload]");
  if (form && window.FormData && window.XMLHttpRequest) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var bar = form.querySelector("progress.sending");
      var button = form.querySelector("button[type=submit]");
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("Accept", "application/json");
      bar.hidden = false;
      button.disabled = true;
      request.upload.onprogress = function (e) {
        if (e.lengthComputable) { bar.value = Math.round((100 * e.loaded) / e.total); }
      };
      request.onload = function () {
        // Either way the page shows the outcome: the job below, or the refusal's message.
        if (request.status === 202) { window.location.reload(); return; }
        button.disabled = false;
        bar.hidden = true;
        var errors = [];
        try { errors = JSON.parse(request.responseText).errors || []; } catch (e) { errors = []; }
        var old = form.querySelectorAll(".field-error");
        for (var i = 0; i < old.length; i++) { old[i].remove(); }
        errors.forEach(function (message) {
          var p = document.createElement("p");
          p.className = "field-error";
          p.setAttribute("role", "alert");
          p.textContent = message;
          bar.parentNode.insertBefore(p, bar);
        });
      };
      request.onerror = function () { form.submit(); };
      request.send(new FormData(form));
    });
  }
  var items = document.querySelectorAll("li[data-job]");
  function poll(item) {
    fetch(item.getAttribute("data-job"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var job = data.job;
        var bar = item.querySelector("progress");
        var message = item.querySelector("[data-message]");
        if (bar) { bar.value = job.progress; }
        if (message && job.message) { message.textContent = job.message; }
        if (job.finished) { window.location.reload(); } else { setTimeout(function () { poll(item); }, 1500); }
      })
      .catch(function () { setTimeout(function () { poll(item); }, 5000); });
  }
  for (var i = 0; i < items.length; i++) {
    if (items[i].querySelector("progress")) { poll(items[i]); }
  }
})();
