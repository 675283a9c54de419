// A facilitator's outbox. A report written without signal (a visit, a meeting, a problem) is kept on this phone
// (IndexedDB, photos included)
// and sent when there is signal again: when the phone comes back online, when any page opens, or on "Send now".
// Reports go to the API's write endpoint the form names (data-api; docs/api.md), as the signed-in browser (its
// session and CSRF token). Each report carries the key the form gave it, so a report sent twice (an answer lost on a
// weak signal) is stored once by the server. Reports are kept per user: on a shared phone, nobody sends another person's report.
"use strict";

(() => {
  const user = document.querySelector('meta[name="berdaya-user"]')?.content;
  const box = document.getElementById("outbox");
  if (!user || !box || !("indexedDB" in window)) return;
  const text = (name) => box.dataset[name] || "";

  if ("serviceWorker" in navigator && box.dataset.serviceWorker) {
    navigator.serviceWorker.register(box.dataset.serviceWorker, { scope: "/" }).catch(() => undefined);
  }

  // --- the store ---------------------------------------------------------------------------------------------------
  const opened = new Promise((resolve, reject) => {
    const request = indexedDB.open("berdaya-outbox", 1);
    request.onupgradeneeded = () => request.result.createObjectStore("reports", { keyPath: "key" });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

  async function inStore(mode, work) {
    const db = await opened;
    return new Promise((resolve, reject) => {
      const transaction = db.transaction("reports", mode);
      const request = work(transaction.objectStore("reports"));
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = () => reject(transaction.error);
    });
  }
  const keep = (report) => inStore("readwrite", (reports) => reports.put(report));
  const forget = (key) => inStore("readwrite", (reports) => reports.delete(key));
  const mine = async () => (await inStore("readonly", (reports) => reports.getAll())).filter((r) => r.user === user);

  // --- sending -----------------------------------------------------------------------------------------------------
  function csrfToken() {
    const cookie = document.cookie.split("; ").find((part) => part.startsWith("csrftoken="));
    if (cookie) return decodeURIComponent(cookie.slice("csrftoken=".length));
    return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  }

  // `direct`: sent from the form just filled (the page it leads to says "recorded"), not from the outbox later.
  function post(report, direct = false) {
    const body = new FormData();
    for (const [name, value] of report.fields) body.append(name, value);
    const headers = { Accept: "application/json", "X-CSRFToken": csrfToken() };
    if (direct) headers["X-Berdaya-Direct"] = "1";
    return fetch(report.url, { method: "POST", body, credentials: "same-origin", headers });
  }

  // Why the API refused a report (its one error shape): each field's messages, else the message as a whole.
  function refusal(error) {
    const said = Object.values(error.fields || {}).flat();
    return said.length ? said : [error.message];
  }

  // A report kept before the outbox moved onto the API names its form's page, not an endpoint. The page still takes
  // the post as a form (and stores it once by its key): a redirect to anything but the login page means stored; the
  // form shown again means refused. Nothing kept on a phone through an upgrade is lost or sent twice.
  function pageAnswer(report, response) {
    if (report.url.startsWith("/api/") || !response.ok) return null;
    if (!response.redirected) return "refused";
    return new URL(response.url).pathname === box.dataset.loginUrl ? null : "stored";
  }

  let sending = false;
  let loggedOut = false;
  let sent = 0;

  async function sendWaiting() {
    if (sending) return;
    sending = true;
    try {
      for (const report of await mine()) {
        if (report.problems) continue; // the server refused it: the user decides
        let response;
        try {
          response = await post(report);
        } catch (error) {
          break; // still no signal
        }
        const legacy = pageAnswer(report, response);
        if (legacy === "stored" || response.status === 201) {
          await forget(report.key);
          sent += 1;
        } else if (legacy === "refused") {
          report.problems = [text("refusedPage")];
          await keep(report);
        } else if (response.status === 400 || response.status === 422) {
          report.problems = refusal(await response.json());
          await keep(report);
        } else if (response.status === 401 || response.status === 403 || response.redirected) {
          loggedOut = true; // the session ended: sent after the user logs in again
          break;
        } else if (response.status === 404) {
          report.problems = [text("gone")];
          await keep(report);
        } else {
          break; // the server is in trouble: try again later
        }
      }
    } finally {
      sending = false;
      await show();
    }
  }

  // --- what the user sees ------------------------------------------------------------------------------------------
  function element(tag, attributes, ...children) {
    const node = document.createElement(tag);
    Object.assign(node, attributes);
    node.append(...children);
    return node;
  }

  async function show() {
    const reports = await mine();
    const waiting = reports.filter((r) => !r.problems);
    const refused = reports.filter((r) => r.problems);
    box.replaceChildren();
    if (sent) box.append(element("p", { className: "outbox-sent" }, `${text("sent")} ${sent}`));
    if (waiting.length) {
      const line = element("p", {}, `${text("waiting")} ${waiting.length}`);
      if (loggedOut) line.append(" ", element("span", {}, text("login")));
      const button = element("button", { type: "button", className: "button secondary" }, text("sendNow"));
      button.addEventListener("click", () => sendWaiting());
      box.append(line, button);
    }
    for (const report of refused) {
      const discard = element("button", { type: "button", className: "linkbutton" }, text("discard"));
      discard.addEventListener("click", async () => {
        if (window.confirm(text("confirmDiscard"))) {
          await forget(report.key);
          await show();
        }
      });
      box.append(
        element("p", { className: "outbox-refused" }, `${text("refused")} ${report.title}: ${report.problems.join(" ")} `, discard),
      );
    }
    box.hidden = !(sent || waiting.length || refused.length);
  }

  // --- the visit form ----------------------------------------------------------------------------------------------
  const form = document.querySelector("form[data-outbox]");
  if (form) {
    const key = form.querySelector('input[name="client_key"]');
    // A page shown from the phone's copy would repeat the key of the report before: each report gets its own.
    const freshKey = () => {
      if (key && window.crypto?.randomUUID) key.value = window.crypto.randomUUID();
    };
    freshKey();
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      const fields = [...new FormData(form)].filter(
        ([name, value]) => name !== "csrfmiddlewaretoken" && !(value instanceof File && !value.size && !value.name),
      );
      const day = form.querySelector('input[type="date"]')?.value || "";
      const title = `${document.querySelector("h1")?.textContent || ""} · ${form.dataset.outbox} · ${day}`;
      const report = { key: key.value, url: form.dataset.api, user, fields, title };
      let response;
      try {
        response = await post(report, true);
      } catch (error) {
        await keep(report);
        // Ask the browser not to clear this storage when the phone runs short of space.
        navigator.storage?.persist?.().catch(() => undefined);
        form.reset();
        freshKey();
        button.disabled = false;
        form.before(element("div", { className: "alert success", role: "status" }, text("kept")));
        await show();
        return;
      }
      if (response.status === 201) {
        window.location.assign((await response.json()).url);
        return;
      }
      // Refused, or the session ended: send the form as a page would, and the server shows why.
      form.submit();
    });
  }

  window.addEventListener("online", () => sendWaiting());
  if (navigator.onLine) sendWaiting();
  else show();
})();
