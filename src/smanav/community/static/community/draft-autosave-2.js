// Saves what a member is writing as a draft on the server: every few seconds while they type, when
// they leave a field, and when the page is hidden or closed. Without this script the composer's "Save
// draft" button does the same. A picture chosen in the composer is sent with the draft as soon as it is
// described (a picture is too large to send as the page closes), so a closed tab loses nothing.
// Version 2 (the number in the file name changes with its behaviour).
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

    // A picture: sent once it is chosen and described, never again for the same file.
    const pictureField = form.elements.picture;
    const altField = form.elements.alt_text;
    const pictureStatus = form.querySelector("[data-picture-status]");
    let pictureSent = null;
    // The picture being sent, if any: the form waits for it before it is submitted, so that the
    // server never keeps a draft's picture after the post was published.
    let uploading = null;
    const sendPicture = () => {
      if (!pictureField || !pictureField.files || pictureField.files.length === 0) return;
      const file = pictureField.files[0];
      const alt = altField ? altField.value.trim() : "";
      const say = (text) => {
        if (pictureStatus) pictureStatus.textContent = text;
      };
      if (!alt) {
        say("Describe the picture: it is then kept with your draft.");
        return;
      }
      const print = JSON.stringify([file.name, file.size, file.lastModified, alt]);
      if (print === pictureSent) return;
      pictureSent = print;
      const data = snapshot();
      data.append("picture", file);
      data.append("alt_text", alt);
      say("Keeping your picture with your draft…");
      uploading = fetch(url, { method: "POST", body: data, credentials: "same-origin", redirect: "manual" })
        .then((response) =>
          response.text().then((text) => {
            if (!response.ok) {
              pictureSent = null;
              say(response.status === 422 && text ? text : "Your picture could not be kept just now: use “Save draft”.");
              return;
            }
            // Kept on the server: the form need not send the file again.
            pictureField.value = "";
            lastSent = fingerprint(snapshot());
            say(`Your picture is kept with your draft (saved at ${text}).`);
          }),
        )
        .catch(() => {
          pictureSent = null;
          say("Your picture could not be kept just now: use “Save draft”.");
        })
        .finally(() => {
          uploading = null;
        });
    };
    if (pictureField) pictureField.addEventListener("change", sendPicture);
    if (altField) altField.addEventListener("change", sendPicture);

    // What the page held when it loaded is already on the server.
    lastSent = fingerprint(snapshot());
    window.setInterval(() => save(false), EVERY_MS);
    form.addEventListener("focusout", () => save(false));
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") save(true);
    });
    window.addEventListener("pagehide", () => save(true));
    form.addEventListener("submit", (event) => {
      if (uploading) {
        // Sent again, with the same button, once the picture is kept (or was refused).
        event.preventDefault();
        const submitter = event.submitter;
        uploading.then(() => form.requestSubmit(submitter));
        return;
      }
      lastSent = fingerprint(snapshot()); // the form itself carries the text now
    });
  };

  document.querySelectorAll("form[data-draft-url]").forEach(setUp);
})();
