//! leadsift-web: the browser app, one wasm with two roles.
//!
//! On the page (`ui`), a web-sys interface: file picker and drop zone, what was detected with
//! its overrides, the mapping review, the counts, a virtualised grid, downloads, the resumable
//! upload and the import history. In a dedicated Web Worker (`worker`), `leadsift-core` reads
//! the file in `Blob.slice`s, validates it and keeps every row in a compressed [`store`]; the
//! page asks it for pages of rows and for numbered, checksummed batches.
//!
//! Translation only: every rule (mapping, cleaning, issues, keys, checksums, report lines) is
//! `leadsift-core`'s. This crate moves bytes and values between the core, the DOM and `fetch`.

pub mod store;

#[cfg(target_arch = "wasm32")]
mod ahead;
#[cfg(target_arch = "wasm32")]
mod hasher;
#[cfg(target_arch = "wasm32")]
mod idb;
#[cfg(target_arch = "wasm32")]
mod js;
#[cfg(target_arch = "wasm32")]
mod ui;
#[cfg(target_arch = "wasm32")]
mod worker;

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A key for headers seen before: FNV-1a over the header cells, so that a remembered mapping
/// applies to every file with the same columns.
pub fn headers_key(headers: &[String]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for cell in headers {
        for b in cell.as_bytes().iter().chain(std::iter::once(&0x1f)) {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("leadsift.mapping.{h:016x}")
}

/// `x` with `decimals` digits after the point, rounded half away from zero: what the page
/// shows of rates, shares and seconds. Integer arithmetic, not `{:.N}`, whose exact float
/// formatting would add 2 KB to the app for six figures on screen.
pub fn fixed(x: f64, decimals: u32) -> String {
    let scale = 10u64.pow(decimals);
    let n = (x * scale as f64).round();
    if !n.is_finite() || n.abs() >= 1e18 {
        return x.to_string();
    }
    let sign = if n < 0.0 { "-" } else { "" };
    let a = n.abs() as u64;
    if decimals == 0 {
        format!("{sign}{a}")
    } else {
        format!(
            "{sign}{}.{:0w$}",
            a / scale,
            a % scale,
            w = decimals as usize
        )
    }
}

/// How the worker makes the rows' standing again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Remake {
    /// Every row made again from its cells.
    Full,
    /// Each row's standing from its brief and the cells that need cleaning again.
    Brief,
}

impl Remake {
    /// The pass a remap (a new mapping or strictness) takes when it replaces `replaced`, the
    /// pass still under way if there is one. Briefs are set only when a pass ends: a brief
    /// pass that is replaced leaves them as they were, but a full pass is under way because
    /// cells were edited, so some briefs are older than their cells and every row is made
    /// again from its cells.
    pub fn for_remap(replaced: Option<Remake>) -> Remake {
        match replaced {
            Some(Remake::Full) => Remake::Full,
            Some(Remake::Brief) | None => Remake::Brief,
        }
    }
}

/// The upload's retry delay after `attempt` failures: 0.5 s doubling to at most 30 s.
pub fn backoff_ms(attempt: u32) -> u32 {
    500u32.saturating_mul(1 << attempt.min(6)).min(30_000)
}

/// The page starts the interface; in a worker, `worker.js` calls `worker_main` or (in the
/// hashing worker) `hasher_main` instead.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    if web_sys::window().is_some()
        && let Err(e) = ui::start()
    {
        web_sys::console::error_1(&e);
    }
}

#[cfg(test)]
mod tests;
