//! Small helpers over js-sys for building and reading plain JS objects.

use wasm_bindgen::prelude::*;

/// A plain object from name/value pairs.
pub fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o.into()
}

pub fn get(o: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(o, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

pub fn get_str(o: &JsValue, key: &str) -> String {
    get(o, key).as_string().unwrap_or_default()
}

pub fn get_f64(o: &JsValue, key: &str) -> f64 {
    get(o, key).as_f64().unwrap_or(0.0)
}

/// A value as plain JSON-compatible JS (maps become objects).
pub fn to_js<T: serde::Serialize + ?Sized>(v: &T) -> JsValue {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL)
}

/// A JS error or exception as text.
pub fn message(e: &JsValue) -> String {
    if let Some(s) = e.as_string() {
        return s;
    }
    let m = get(e, "message");
    m.as_string().unwrap_or_else(|| format!("{e:?}"))
}

pub fn now() -> f64 {
    js_sys::Date::now()
}
