// Live preview: as a field changes, ask the server how its text is read and show the answer
// (MathML built on the server from the parsed tree, every outside text escaped there).
// The page works without this script: Check shows the same previews.
"use strict";
(function () {
  const form = document.getElementById("answers");
  if (!form) { return; }
  const problem = form.dataset.problem;
  const student = document.getElementById("student");
  const timers = new Map();
  const sent = new Map();

  function preview(input) {
    const output = document.getElementById(input.dataset.preview);
    if (!output) { return; }
    const number = (sent.get(input) || 0) + 1;
    sent.set(input, number);
    const body = new URLSearchParams();
    body.set("problem", problem);
    body.set("student", student ? student.value : "");
    body.set("field", input.name);
    body.set("text", input.value);
    fetch("/api/preview", { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        if (sent.get(input) === number) { output.innerHTML = data.html; }
      })
      .catch(function () {
        if (sent.get(input) === number) { output.textContent = "preview unavailable"; }
      });
  }

  form.addEventListener("input", function (event) {
    const input = event.target;
    if (!input.dataset || !input.dataset.preview) { return; }
    clearTimeout(timers.get(input));
    timers.set(input, setTimeout(function () { preview(input); }, 150));
  });
})();
