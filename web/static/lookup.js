// lookup.js: suggestions for the big lookup box of GET /lookup. A plain ES
// module: debounced fetch of /api/v1/lookup?q=, a listbox driven by
// aria-activedescendant, arrow keys, Enter opens the selected (or first)
// suggestion's rules card, Escape closes. When no name starts with or
// contains what was typed, the API answers close names ("similar": true):
// they are shown under "Did you mean", and Enter without a choice among
// them submits the form. Without JavaScript the form submits to
// /lookup?q= and the server answers.
const form = document.querySelector("form[data-lookup]");
const input = form && form.querySelector("input[name=q]");
const list = form && document.getElementById("lookup-suggestions");
const status = form && document.getElementById("lookup-status");

if (form && input && list) {
  let items = [];
  let active = -1;
  let timer = 0;
  let seq = 0;

  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };

  const highlight = (i) => {
    const opts = list.querySelectorAll("[role=option]");
    opts.forEach((o, k) => o.setAttribute("aria-selected", k === i ? "true" : "false"));
    active = i;
    if (i >= 0 && opts[i]) {
      input.setAttribute("aria-activedescendant", opts[i].id);
      opts[i].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  };

  // "Did you mean" over close names, "no table" when nothing is close.
  const say = (q) => {
    if (!status) return;
    if (q && items.length && items[0].similar) {
      status.textContent = "No table starts with \u201c" + q + "\u201d. Did you mean:";
      status.hidden = false;
    } else if (q && !items.length) {
      status.textContent = "No table is called anything like \u201c" + q + "\u201d.";
      status.hidden = false;
    } else {
      status.textContent = "";
      status.hidden = true;
    }
  };

  const render = () => {
    list.replaceChildren();
    items.forEach((it, i) => {
      const li = document.createElement("li");
      li.id = "lookup-opt-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      const name = document.createElement("strong");
      name.textContent = it.table;
      const where = document.createElement("span");
      where.className = "muted";
      where.textContent = " " + it.instance + " · " + it.environment + " ";
      const badge = document.createElement("span");
      const dep = it.campaign_dependency;
      badge.className = dep === "required" ? "badge required"
        : dep === "optional" ? "badge optional" : "badge muted";
      badge.textContent = dep === "required" ? "REQUIRED"
        : dep === "optional" ? "OPTIONAL" : "not stated";
      li.append(name, where, badge);
      // Today's state of the table's file, beside the badge (the server
      // words it: "Today: arrived 04:52 UTC, 1.2 M rows").
      if (it.today && it.today.text) {
        const today = document.createElement("span");
        today.className = "lookup-today feed-" + (it.today.state || "");
        today.textContent = " " + it.today.text;
        li.append(today);
      }
      li.addEventListener("mousedown", (e) => {
        e.preventDefault();
        window.location.assign(it.url);
      });
      list.append(li);
    });
    if (items.length) {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      highlight(-1);
    } else {
      close();
    }
  };

  const fetchSuggestions = async () => {
    const q = input.value.trim();
    const mine = ++seq;
    if (!q) {
      items = [];
      render();
      say("");
      return;
    }
    try {
      const r = await fetch("/api/v1/lookup?q=" + encodeURIComponent(q), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!r.ok || mine !== seq) return;
      const data = await r.json();
      if (mine !== seq) return;
      items = Array.isArray(data) ? data : [];
      render();
      say(q);
    } catch {
      /* offline or server gone: the form still submits */
    }
  };

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(fetchSuggestions, 120);
  });

  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown") {
      if (!items.length) return;
      e.preventDefault();
      highlight(active + 1 >= items.length ? 0 : active + 1);
    } else if (e.key === "ArrowUp") {
      if (!items.length) return;
      e.preventDefault();
      highlight(active <= 0 ? items.length - 1 : active - 1);
    } else if (e.key === "Escape") {
      close();
    } else if (e.key === "Enter") {
      const pick = items[active >= 0 ? active : 0];
      // A close name is opened only when chosen; else the form submits.
      if (pick && !list.hidden && (active >= 0 || !pick.similar)) {
        e.preventDefault();
        window.location.assign(pick.url);
      }
    }
  });

  input.addEventListener("blur", () => setTimeout(close, 100));
  if (input.value.trim()) fetchSuggestions();
  input.focus();
}
