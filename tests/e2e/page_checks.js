// In-page measurements for tests/e2e/page_checks.py. Evaluated through the DevTools protocol (not a
// <script> tag), so the pages' Content-Security-Policy does not apply to it. It defines one global,
// window.smanavChecks; every function returns plain data and changes nothing on the page.
window.smanavChecks = (() => {
  const MIN_TARGET_PX = 44;
  // Sub-pixel layout: a box styled `min-height: 44px` can measure 43.99.
  const TOLERANCE_PX = 0.05;
  const CONTROLS = "a[href], button, input, select, textarea, summary, [tabindex]";
  const TARGETS = "a[href], button, input, select, textarea, summary";
  const FOCUSABLE =
    "a[href], area[href], button, input, select, textarea, summary, iframe, [tabindex], [contenteditable]";

  const describe = (el) => {
    const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
    let text = (el.innerText || label || el.getAttribute("aria-label") || el.value || "").trim().replace(/\s+/g, " ");
    if (text.length > 40) text = text.slice(0, 39) + "…";
    const id = el.id ? "#" + el.id : "";
    const type = el.tagName === "INPUT" ? `[type=${el.type}]` : "";
    return `<${el.tagName.toLowerCase()}${id}${type}>${text ? ` "${text}"` : ""}`;
  };

  const shown = (el) =>
    el.checkVisibility({ checkOpacity: true, visibilityProperty: true }) && el.getClientRects().length > 0;

  // A programmatic focus target (tabindex="-1" on <main>, an error summary, a bibliography entry) is not
  // a control: it is never reached with Tab and needs no name of its own.
  // A trap field for spam robots (a visually hidden box, out of the accessibility tree and off the
  // Tab order): no person ever aims at it, no assistive technology announces it.
  const isTrap = (el) => el.tabIndex < 0 && Boolean(el.closest(".visually-hidden[aria-hidden=true]"));
  const isControl = (el) => {
    if (el.matches("input[type=hidden]") || isTrap(el)) return false;
    if (el.matches("[tabindex]") && el.tabIndex < 0 && !el.matches(TARGETS)) return false;
    return shown(el);
  };

  // A link "inside a sentence" (WCAG 2.5.8's inline exception): the link is laid out inline, and the
  // nearest enclosing block (skipping inline ancestors) also holds words that are not part of a link
  // or a button. "Sources: a, b" and "… · Where our statements come from" are inline; a link alone in a
  // paragraph, list item, heading or table cell is a target of its own and must be 44 x 44.
  const inSentence = (link) => {
    if (!getComputedStyle(link).display.startsWith("inline")) return false;
    let block = link.parentElement;
    while (block) {
      const display = getComputedStyle(block).display;
      if (!display.startsWith("inline") && display !== "contents") break;
      block = block.parentElement;
    }
    if (!block) return false;
    const words = block.cloneNode(true);
    for (const part of words.querySelectorAll("a, button, input, select, textarea, .visually-hidden")) {
      part.remove();
    }
    return /[\p{L}\p{N}]/u.test(words.textContent);
  };

  const tooSmall = (rect) =>
    rect.width < MIN_TARGET_PX - TOLERANCE_PX || rect.height < MIN_TARGET_PX - TOLERANCE_PX;

  const size = (rect) => `${rect.width.toFixed(1)} x ${rect.height.toFixed(1)} px`;

  const targetSizes = () => {
    const problems = [];
    for (const el of document.querySelectorAll(TARGETS)) {
      if (el.matches("input[type=hidden]") || !shown(el)) continue;
      if (isTrap(el)) continue;
      if (el.tagName === "A" && inSentence(el)) continue;
      const rect = el.getBoundingClientRect();
      if (!tooSmall(rect)) continue;
      // A checkbox or radio button may be small when its label, which toggles it on a click, is a
      // target of at least 44 x 44 by itself.
      if (el.matches("input[type=checkbox], input[type=radio]")) {
        const label = [...el.labels].find(
          (l) => shown(l) && getComputedStyle(l).pointerEvents !== "none" && !tooSmall(l.getBoundingClientRect()),
        );
        if (label) continue;
        const labelSizes = [...el.labels].map((l) => size(l.getBoundingClientRect())).join(", ") || "none";
        problems.push(`${describe(el)} is ${size(rect)}, its label ${labelSizes}`);
        continue;
      }
      problems.push(`${describe(el)} is ${size(rect)}`);
    }
    return problems;
  };

  // Accessible names as axe-core computes them (the accname algorithm), for every control, including
  // the ones axe's own rules do not cover (summary, elements made focusable with tabindex).
  const unnamedControls = () => {
    window.axe.setup(document);
    try {
      const problems = [];
      for (const el of document.querySelectorAll(CONTROLS)) {
        if (!isControl(el)) continue;
        const node = window.axe.utils.getNodeFromTree(el);
        const name = window.axe.commons.text.accessibleTextVirtual(node).trim();
        if (!name) problems.push(`${describe(el)} has no accessible name`);
      }
      return problems;
    } finally {
      window.axe.teardown();
    }
  };

  const inTabOrder = (el) =>
    !el.disabled && el.tabIndex >= 0 && !el.matches("input[type=hidden]") && !el.closest("[inert]") && shown(el);

  // What Tab should reach, in order: document order (a positive tabindex is reported on its own), and
  // one stop per group of radio buttons (the checked one, or the first).
  const tabStops = () => {
    const stops = [];
    const radioGroups = new Set();
    for (const el of document.querySelectorAll(FOCUSABLE)) {
      if (!inTabOrder(el)) continue;
      if (el.matches("input[type=radio]") && el.name) {
        const key = `${el.form ? [...document.forms].indexOf(el.form) : "-"}:${el.name}`;
        if (radioGroups.has(key)) continue;
        radioGroups.add(key);
        const group = [...document.querySelectorAll("input[type=radio]")].filter(
          (r) => r.name === el.name && r.form === el.form && inTabOrder(r),
        );
        stops.push(group.find((r) => r.checked) || group[0]);
        continue;
      }
      stops.push(el);
    }
    return stops;
  };

  const ringOf = (el) => {
    const style = getComputedStyle(el);
    const outline =
      style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0 && !/rgba\(.*, 0\)$/.test(style.outlineColor);
    return { outline, boxShadow: style.boxShadow };
  };

  // Records every focus change from now on, and how each focused element looks while focused.
  const watchFocus = () => {
    const stops = tabStops();
    const unfocused = stops.map(ringOf);
    const state = { stops, seen: [], noRing: [] };
    document.addEventListener("focusin", (event) => {
      const el = event.target;
      const index = stops.indexOf(el);
      state.seen.push(index >= 0 ? index : describe(el));
      const ring = ringOf(el);
      const before = index >= 0 ? unfocused[index] : { boxShadow: "none" };
      if (!ring.outline && (ring.boxShadow === "none" || ring.boxShadow === before.boxShadow)) {
        state.noRing.push(describe(el));
      }
    });
    window.smanavFocus = state;
    return {
      stops: stops.map(describe),
      dateInputs: stops.filter((el) => el.matches("input[type=date], input[type=datetime-local], input[type=time]")).length,
      positiveTabindex: [...document.querySelectorAll("[tabindex]")].filter((el) => el.tabIndex > 0).map(describe),
    };
  };

  const focusLog = () => ({ seen: window.smanavFocus.seen, noRing: window.smanavFocus.noRing });

  const forgetFocusLog = () => {
    window.smanavFocus.seen = [];
    window.smanavFocus.noRing = [];
  };

  const activeElement = () => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return null;
    return describe(el);
  };

  // The first Tab stop must be a link to the main content, shown on screen while it has the focus.
  const firstStopIsSkipLink = () => {
    const link = window.smanavFocus.stops[0];
    if (!link || !link.matches("a[href^='#']")) return "the first Tab stop is not a link within the page";
    const target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!target || !target.closest("main")) return `${describe(link)} does not lead to the main content`;
    return "";
  };

  // Used after following the skip link, and after the Tab that follows it.
  const focusIsInMain = () => {
    const el = document.activeElement;
    return Boolean(el && el.closest("main"));
  };

  const focusedOnScreen = () => {
    const rect = document.activeElement.getBoundingClientRect();
    return rect.top >= 0 && rect.left >= 0 && rect.bottom <= innerHeight && rect.right <= innerWidth && !tooSmall(rect);
  };

  return {
    targetSizes,
    unnamedControls,
    watchFocus,
    focusLog,
    forgetFocusLog,
    activeElement,
    firstStopIsSkipLink,
    focusIsInMain,
    focusedOnScreen,
  };
})();
