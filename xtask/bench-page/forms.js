// The browser half of the forms rows of `cargo xtask bench` (issue 3, performance),
// served by the relay under test (same origin: the app's relay client and session
// cookie work). The test calls `amanatFormsBench(name, token, keystrokes, saves)`:
//
// - typing: the app's real IntakeForm over a 12-member household, with the app's
//   stylesheets; `keystrokes` input events typed into a member's name, one per frame.
//   Each is dispatched at the start of a frame (in a requestAnimationFrame callback)
//   and timed until a message posted from that callback arrives: the browser runs the
//   frame's rendering (style, layout, paint) before that task, so the time covers the
//   input handler, Leptos' reactive updates (validation of the whole intake included)
//   and the main thread's rendering of the frame, with no wait for vsync counted.
//   The Event Timing API is not used: it reports trusted events only, not dispatched
//   ones, and none under 16 ms.
// - save: the app's seal_entry + outbox::put of the full intake, then the whole
//   save_entry (keyring fetched from the relay and checked, too).
//
// Results land in body[data-results]; body[data-ready] says the function is there.
import init, * as amanat from "./amanat.js";

const WARMUP = 20;

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

// One keystroke into `el`, dispatched at the start of a frame: resolves with the ms
// from dispatch to the end of that frame's rendering, split into script (the handler
// and the microtasks Leptos runs its effects in), style + layout (forced in a second
// animation-frame callback of the same frame, which runs after those microtasks) and
// the rest of the frame (paint, commit).
function keystroke(el, value, data) {
  return new Promise((resolve) => {
    let t0 = 0;
    let t1 = 0;
    let t2 = 0;
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        const t3 = performance.now();
        resolve({ total: t3 - t0, script: t1 - t0, layout: t2 - t1, paint: t3 - t2 });
      };
      t0 = performance.now();
      el.value = value;
      el.dispatchEvent(new InputEvent("input", { bubbles: true, data, inputType: data ? "insertText" : "deleteContentBackward" }));
      channel.port2.postMessage(null);
    });
    requestAnimationFrame(() => {
      t1 = performance.now();
      void document.body.offsetHeight;
      t2 = performance.now();
    });
  });
}

// Types `count` keystrokes into `el` as a caseworker correcting a name does: letters
// appended up to 24, then erased back to the original, again and again; every value
// differs from the previous one.
async function typeInto(el, count) {
  const base = el.value;
  const letters = "abdurahmonovichzxkqlejgt";
  const times = [];
  let extra = 0;
  let growing = true;
  for (let i = 0; i < count; i++) {
    if (growing && extra === letters.length) growing = false;
    if (!growing && extra === 0) growing = true;
    extra += growing ? 1 : -1;
    const value = base + (extra ? " " + letters.slice(0, extra) : "");
    const t = await keystroke(el, value, growing ? value.at(-1) : null);
    if (el.value !== value) throw new Error(`the field shows "${el.value}", typed "${value}"`);
    times.push(t);
  }
  return times;
}

async function run(name, token, keystrokes, saves) {
  await init({ module_or_path: "./amanat_bg.wasm" });
  const signIn = await fetch("/api/v1/session", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, token }),
    cache: "no-store",
  });
  if (!signIn.ok) throw new Error(`sign-in: ${signIn.status} ${await signIn.text()}`);

  document.getElementById("state").textContent = "typing";
  const ftl = await (await fetch("/locales/en.ftl", { cache: "no-store" })).text();
  const fieldId = amanat.bench_mount_intake(ftl);
  await new Promise((r) => setTimeout(r, 200));
  const field = document.getElementById(fieldId);
  if (!field) throw new Error(`no field #${fieldId}`);
  const members = document.querySelectorAll("[id^='f-household-k'][id$='-full_name']").length;
  const controls = document.querySelectorAll("input, select, textarea").length;
  const all = await typeInto(field, WARMUP + keystrokes);
  const checkMs = amanat.bench_check_intake(21);
  const timed = all.slice(WARMUP);
  const typing = timed.map((t) => t.total).sort((a, b) => a - b);
  const median = (key) => percentile(timed.map((t) => t[key]).sort((a, b) => a - b), 0.5);
  // The name typed shows in its "children at risk" row too: the reactive path ran.
  const labels = [...document.querySelectorAll("#f-children_at_risk label")].map((l) => l.textContent);
  if (!labels.some((t) => t === field.value)) throw new Error(`no child-at-risk label reads "${field.value}": ${labels}`);

  document.getElementById("state").textContent = "saving";
  const save = JSON.parse(await amanat.bench_save_intake(name, saves));
  return {
    typing: {
      members,
      controls,
      keystrokes: typing.length,
      p50_ms: percentile(typing, 0.5),
      p95_ms: percentile(typing, 0.95),
      max_ms: typing[typing.length - 1],
      over_frame: typing.filter((t) => t > 1000 / 60).length,
      script_p50_ms: median("script"),
      layout_p50_ms: median("layout"),
      paint_p50_ms: median("paint"),
      check_intake_ms: checkMs,
    },
    save,
  };
}

window.amanatFormsBench = (name, token, keystrokes, saves) => {
  run(name, token, keystrokes, saves).then(
    (r) => {
      document.body.dataset.results = JSON.stringify(r);
      document.getElementById("state").textContent = "done";
    },
    (e) => {
      document.body.dataset.error = String((e && e.stack) || e);
      document.getElementById("state").textContent = "failed";
    },
  );
};
document.body.dataset.ready = "1";
