//! `Beckon('debug', true)`: core's explanation of every decision, printed
//! to the console whenever it changes, so an app developer sees why a
//! message is or is not on screen without opening the dashboard.

use std::cell::Cell;

use wasm_bindgen::JsValue;

thread_local! {
    static ON: Cell<bool> = const { Cell::new(false) };
}

/// Turns debug output on or off (works before `boot` too).
pub fn set(on: bool) {
    ON.with(|d| d.set(on));
}

/// Whether debug output is on.
pub fn enabled() -> bool {
    ON.with(Cell::get)
}

/// Prints `lines` as one collapsed console group headed by `url`, unless
/// they equal `last` (the previous print), which is then updated.
pub fn print(url: &str, lines: Vec<String>, last: &mut Vec<String>) {
    if !enabled() || lines == *last {
        return;
    }
    web_sys::console::group_collapsed_1(&JsValue::from_str(
        &["[Beckon] decisions on ", url].concat(),
    ));
    for line in &lines {
        web_sys::console::info_1(&JsValue::from_str(line));
    }
    web_sys::console::group_end();
    *last = lines;
}
