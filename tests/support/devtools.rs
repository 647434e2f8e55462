//! The Chrome DevTools Protocol from a story's [`Browser`]: what WebDriver cannot see.
//!
//! - [`Browser::cdp`] runs one DevTools command on the current page through
//!   chromedriver's own connection (`POST /session/{id}/goog/cdp/execute`), for the
//!   `Runtime.*` calls that answer at once.
//! - [`Browser::shift_clock_days`] moves the pages' clock (a fixed "today").
//! - [`Browser::wasm_memories_hold`] searches the bytes of the page's wasm memory,
//!   reached through the app's own JS module (see the method): a heap snapshot lists
//!   an `ArrayBuffer` but not its contents, so the memory is searched in the page. No
//!   hook in the app is needed. Only the page's own memory: a worker's is in another
//!   heap, gone when the worker is ended.
//! - [`Browser::heap_snapshot`] takes a V8 heap snapshot of the page, which arrives as
//!   `HeapProfiler.addHeapSnapshotChunk` events: chromedriver passes commands, not
//!   events, so this opens its own DevTools websocket to the page, at the browser's
//!   `goog:chromeOptions.debuggerAddress`.

use anyhow::{bail, Context, Result};
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use super::driver::Browser;

/// What [`Browser::wasm_memories_hold`] found: for each needle, whether some memory
/// holds it; and how much was searched (so a search of nothing is seen).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryScan {
    pub memories: usize,
    pub bytes: u64,
    pub found: Vec<bool>,
}

impl MemoryScan {
    pub fn any(&self) -> bool {
        self.found.iter().any(|f| *f)
    }
}

#[derive(Debug)]
struct CdpExecute(Value);

impl fantoccini::wd::WebDriverCompatibleCommand for CdpExecute {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/goog/cdp/execute", session.unwrap_or_default()))
    }
    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.0.to_string()))
    }
}

/// Searches `this` (an array of `WebAssembly.Memory`) for each needle (an array of
/// byte values); `TypedArray.indexOf` finds each candidate first byte natively.
const SCAN_MEMORIES: &str = "function (needles) {
    const found = needles.map(() => false);
    let bytes = 0;
    for (const memory of this) {
        const b = new Uint8Array(memory.buffer);
        bytes += b.length;
        needles.forEach((n, i) => {
            if (found[i] || n.length === 0) return;
            for (let p = b.indexOf(n[0]); p !== -1 && p <= b.length - n.length; p = b.indexOf(n[0], p + 1)) {
                let j = 1;
                while (j < n.length && b[p + j] === n[j]) j++;
                if (j === n.length) { found[i] = true; return; }
            }
        });
    }
    return { memories: this.length, bytes, found };
}";

impl Browser {
    /// Runs one DevTools command (`Runtime.evaluate`, …) on the current page and returns
    /// its result object.
    pub async fn cdp(&self, cmd: &str, params: Value) -> Result<Value> {
        self.client
            .issue_cmd(CdpExecute(json!({ "cmd": cmd, "params": params })))
            .await
            .with_context(|| format!("DevTools {cmd}"))
    }

    /// Moves the clock of every page this browser loads from now on `days` ahead (on
    /// top of any earlier shift): `Date.now()` and `new Date()` read the shifted time,
    /// explicit dates stay as they are. The page's "today" becomes a day the story
    /// chooses, whatever day it runs; the relay's clock is not touched.
    pub async fn shift_clock_days(&self, days: i64) -> Result<()> {
        let ms = days * 86_400_000;
        let source = format!(
            "(() => {{ const Real = Date; const shift = {ms};
               class Shifted extends Real {{
                 constructor(...a) {{ if (a.length === 0) super(Real.now() + shift); else super(...a); }}
                 static now() {{ return Real.now() + shift; }}
               }}
               globalThis.Date = Shifted; }})();"
        );
        self.cdp("Page.addScriptToEvaluateOnNewDocument", json!({ "source": source })).await?;
        Ok(())
    }

    /// Whether the page's wasm memory holds each of `needles` (after a full garbage
    /// collection). The memory is the app's module's own: importing the JS glue the page
    /// loaded (`/amanat.<tag>.js`, found in the page's resource timings) gives the
    /// module instance the page booted (one per URL), and its `initSync` hands back the
    /// instance's exports once initialised, `memory` among them (the lazily loaded
    /// chunks share it). A page whose module never started has no memory to search
    /// (`memories: 0`). (`Runtime.queryObjects` over `WebAssembly.Memory.prototype`
    /// would find every memory without knowing the module, but it crashes the tab in
    /// Debian's Chromium 156.)
    pub async fn wasm_memories_hold(&self, needles: &[Vec<u8>]) -> Result<MemoryScan> {
        self.cdp("HeapProfiler.collectGarbage", json!({})).await?;
        let expression = format!(
            "(async () => {{
                let memories = [];
                try {{
                    const glue = performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname)
                        .find((p) => p.startsWith('/amanat.') && p.endsWith('.js')) || '/amanat.js';
                    const m = await import(glue);
                    const exports = m.initSync(undefined, undefined);
                    if (exports && exports.memory) memories = [exports.memory];
                }} catch (e) {{ memories = []; }}
                return ({SCAN_MEMORIES}).call(memories, {});
            }})()",
            serde_json::to_string(needles)?
        );
        let answer = self
            .cdp("Runtime.evaluate", json!({ "expression": expression, "awaitPromise": true, "returnByValue": true }))
            .await?;
        if let Some(e) = answer.get("exceptionDetails") {
            bail!("the memory scan threw: {e}");
        }
        let v = &answer["result"]["value"];
        Ok(MemoryScan {
            memories: v["memories"].as_u64().context("no memory count")? as usize,
            bytes: v["bytes"].as_u64().unwrap_or(0),
            found: v["found"].as_array().context("no results")?.iter().map(|f| f == true).collect(),
        })
    }

    /// A V8 heap snapshot of the current page (the `.heapsnapshot` JSON), taken after a
    /// garbage collection, through a DevTools websocket of its own.
    pub async fn heap_snapshot(&self) -> Result<String> {
        let address = self
            .client
            .capabilities()
            .and_then(|c| c.get("goog:chromeOptions"))
            .and_then(|o| o["debuggerAddress"].as_str())
            .context("the session has no goog:chromeOptions.debuggerAddress")?
            .to_owned();
        let page_url = self.client.current_url().await?.to_string();
        let targets: Value = reqwest::get(format!("http://{address}/json/list")).await?.json().await?;
        let target = targets
            .as_array()
            .into_iter()
            .flatten()
            .find(|t| t["type"] == "page" && t["url"].as_str() == Some(page_url.as_str()))
            .or_else(|| targets.as_array().into_iter().flatten().find(|t| t["type"] == "page"))
            .context("no page target")?;
        let ws_url = target["webSocketDebuggerUrl"].as_str().context("no websocket address")?;
        let (mut ws, _) = tokio_tungstenite::connect_async(ws_url).await.context("the DevTools websocket")?;
        let commands = [
            json!({ "id": 1, "method": "HeapProfiler.enable" }),
            json!({ "id": 2, "method": "HeapProfiler.collectGarbage" }),
            json!({ "id": 3, "method": "HeapProfiler.takeHeapSnapshot", "params": { "reportProgress": false } }),
        ];
        for c in commands {
            ws.send(Message::Text(c.to_string())).await?;
        }
        let mut snapshot = String::new();
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(120);
        loop {
            let next = tokio::time::timeout_at(deadline, ws.next()).await.context("the heap snapshot took too long")?;
            let Some(message) = next else { bail!("the DevTools websocket closed during the snapshot") };
            let text = match message? {
                Message::Text(t) => t,
                Message::Binary(b) => String::from_utf8(b)?,
                _ => continue,
            };
            let v: Value = serde_json::from_str(&text)?;
            if v["method"] == "HeapProfiler.addHeapSnapshotChunk" {
                snapshot.push_str(v["params"]["chunk"].as_str().unwrap_or_default());
            } else if v["id"] == 3 {
                if let Some(e) = v.get("error") {
                    bail!("takeHeapSnapshot failed: {e}");
                }
                break;
            }
        }
        ws.close(None).await.ok();
        if snapshot.len() < 1000 {
            bail!("the heap snapshot is empty ({} bytes)", snapshot.len());
        }
        Ok(snapshot)
    }
}
