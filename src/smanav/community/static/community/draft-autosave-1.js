// Saves what a member is writing as a draft on the server: every few seconds while they type, when
// they leave a field, and when the page is hidden or closed. Without this script the composer's "Save
// draft" button does the same. Version 1 (the number in the file name changes with its behaviour).
(() => {
  "use strict";
  const EVERY_MS = 4000;
  const TEXT_FIELDS = ["title", "body", "topic", "kind"];

  const setUp = (form) => {
    const url = form.dataset.draftUrl;
    const place = form.dataset.draftPlace;
    const status = form.querySelector("[data-draft-status]");
    let lastSent = null;

    const snapshot = () => {
      const data = new FormData();
      data.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
      data.append("place", place);
      for (const name of TEXT_FIELDS) {
        const field = form.elements[name];
        if (!field) continue;
        data.append(name, field.value || "");
      }
      return data;
    };
    const fingerprint = (data) => JSON.stringify([...data.entries()].filter(([k]) => k !== "csrfmiddlewaretoken"));

    const save = (leaving) => {
      const data = snapshot();
      const print = fingerprint(data);
      if (print === lastSent) return;
      lastSent = print;
      if (leaving && navigator.sendBeacon) {
        navigator.sendBeacon(url, data);
        return;
      }
      fetch(url, { method: "POST", body: data, credentials: "same-origin", redirect: "manual", keepalive: true })
        .then((response) => {
          if (!response.ok) {
            lastSent = null; // try again next time (signed out: the next sign-in page keeps the text)
            if (status) status.textContent = "Your draft could not be saved just now: use “Save draft” before leaving.";
            return;
          }
          return response.text().then((time) => {
            if (status) status.textContent = `Draft saved at ${time}.`;
          });
        })
        .catch(() => {
          lastSent = null;
        });
    };

    // What the page held when it loaded is already on the server.
    lastSent = fingerprint(snapshot());
    window.setInterval(() => save(false), EVERY_MS);
    form.addEventListener("focusout", () => save(false));
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") save(true);
    });
    window.addEventListener("pagehide", () => save(true));
    form.addEventListener("submit", () => {
      lastSent = fingerprint(snapshot()); // the form itself carries the text now
    });
  };

  document.querySelectorAll("form[data-draft-url]").forEach(setUp);
})();
