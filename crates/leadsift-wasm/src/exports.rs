//! The JavaScript API (feature `exports`, on by default): the `Validator` class and the batch
//! helpers. The browser app links this crate for its options only and leaves these out, so its
//! wasm carries no code it never calls.

use leadsift_core::wire::{StoredRow, WireRow, WireRowJson, batch_checksum};
use leadsift_core::{Row, Validator as CoreValidator};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::{js_error, options_from_js};

fn to_js<T: Serialize + ?Sized>(v: &T) -> Result<JsValue, JsError> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(js_error)
}

/// A file being validated: push its bytes in chunks of any size, then finish.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Validator {
    inner: CoreValidator,
}

#[wasm_bindgen]
impl Validator {
    /// `options` is a `ValidatorOptions` object, or undefined for the defaults.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<Validator, JsError> {
        Ok(Validator {
            inner: CoreValidator::new(options_from_js(options)?),
        })
    }

    /// Validates the next chunk; returns the rows (`Row[]`) it completed.
    pub fn push(&mut self, chunk: &[u8]) -> Result<JsValue, JsError> {
        let rows = self.inner.push(chunk).map_err(js_error)?;
        to_js(&rows)
    }

    /// Validates the next chunk, keeping only the summary; returns how many rows it completed
    /// (the rows themselves never cross to JavaScript: a caller that wants the counts only).
    pub fn check(&mut self, chunk: &[u8]) -> Result<u32, JsError> {
        let mut rows = 0u32;
        self.inner
            .push_each(chunk, &mut |_, _| rows = rows.saturating_add(1))
            .map_err(js_error)?;
        Ok(rows)
    }

    /// Ends the file for [`Validator::check`]; returns how many rows it completed.
    #[wasm_bindgen(js_name = finishCheck)]
    pub fn finish_check(&mut self) -> Result<u32, JsError> {
        let mut rows = 0u32;
        self.inner
            .finish_each(&mut |_, _| rows = rows.saturating_add(1))
            .map_err(js_error)?;
        Ok(rows)
    }

    /// Ends the file; returns the last rows (`Row[]`).
    pub fn finish(&mut self) -> Result<JsValue, JsError> {
        let rows = self.inner.finish().map_err(js_error)?;
        to_js(&rows)
    }

    /// The running summary (`Summary`).
    pub fn summary(&self) -> Result<JsValue, JsError> {
        to_js(self.inner.summary())
    }
}

/// Rows as `push` returned them, read into the wire rows the batch API checks.
fn wire_rows(rows: JsValue) -> Result<Vec<WireRow>, JsError> {
    let rows: Vec<StoredRow> =
        serde_wasm_bindgen::from_value(rows).map_err(|e| js_error(format!("invalid rows: {e}")))?;
    Ok(rows.into_iter().map(StoredRow::into_wire).collect())
}

/// The checksum the batch API expects for `rows` (as `push` returned them).
#[wasm_bindgen(js_name = batchChecksum)]
pub fn batch_checksum_js(rows: JsValue) -> Result<String, JsError> {
    Ok(batch_checksum(&wire_rows(rows)?))
}

/// The body of `PUT /api/v1/imports/{id}/batches/{seq}` for `rows` (as `push` returned them):
/// `{rows, checksum}`, the rows in the batch API's one shape.
#[wasm_bindgen(js_name = batchBody)]
pub fn batch_body_js(rows: JsValue) -> Result<JsValue, JsError> {
    let wire = wire_rows(rows)?;
    #[derive(Serialize)]
    struct Body<'a> {
        rows: Vec<WireRowJson<'a>>,
        checksum: String,
    }
    to_js(&Body {
        rows: wire.iter().map(WireRowJson).collect(),
        checksum: batch_checksum(&wire),
    })
}

/// The checksum of rows still on the Rust side (for tests and native callers).
pub fn checksum_of(rows: &[Row]) -> String {
    let wire: Vec<WireRow> = rows.iter().map(WireRow::from_row).collect();
    batch_checksum(&wire)
}
