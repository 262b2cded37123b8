//! The person's edits of a file, kept in IndexedDB so they survive a reload: one text per
//! reading of a file (its SHA-256 and how it was read), in the object store `edits` of the
//! database `leadsift`. The worker saves after every edit and looks the file up once it has
//! read it.

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbOpenDbRequest, IdbRequest, IdbTransactionMode};

const DB: &str = "leadsift";
const STORE: &str = "edits";

/// A request's result, once it succeeds.
async fn done(req: &IdbRequest) -> Result<JsValue, JsValue> {
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let r = req.clone();
        let ok = Closure::once_into_js(move || {
            let _ = resolve.call1(&JsValue::NULL, &r.result().unwrap_or(JsValue::UNDEFINED));
        });
        req.set_onsuccess(Some(ok.unchecked_ref()));
        let failed = Closure::once_into_js(move || {
            let _ = reject.call1(&JsValue::NULL, &"the browser's storage refused".into());
        });
        req.set_onerror(Some(failed.unchecked_ref()));
    });
    JsFuture::from(promise).await
}

async fn open() -> Result<IdbDatabase, JsValue> {
    let scope: web_sys::WorkerGlobalScope = js_sys::global().dyn_into()?;
    let factory = scope.indexed_db()?.ok_or("no IndexedDB here")?;
    let req: IdbOpenDbRequest = factory.open_with_u32(DB, 1)?;
    let r = req.clone();
    // Version 1 is the first: an upgrade to it finds no object store yet.
    let upgrade = Closure::once_into_js(move || {
        if let Ok(db) = r.result().and_then(|d| d.dyn_into::<IdbDatabase>()) {
            let _ = db.create_object_store(STORE);
        }
    });
    req.set_onupgradeneeded(Some(upgrade.unchecked_ref()));
    done(&req).await?.dyn_into::<IdbDatabase>()
}

/// The text kept under `key`, if any.
pub async fn load(key: &str) -> Result<Option<String>, JsValue> {
    let db = open().await?;
    let tx = db.transaction_with_str(STORE)?;
    let value = done(&tx.object_store(STORE)?.get(&key.into())?).await?;
    db.close();
    Ok(value.as_string())
}

/// Keeps `text` under `key` (`None` forgets it).
pub async fn save(key: &str, text: Option<&str>) -> Result<(), JsValue> {
    let db = open().await?;
    let tx = db.transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)?;
    let store = tx.object_store(STORE)?;
    let req = match text {
        Some(t) => store.put_with_key(&t.into(), &key.into())?,
        None => store.delete(&key.into())?,
    };
    done(&req).await?;
    db.close();
    Ok(())
}
