//! beckon-core's condition engine as a wasm module, for
//! `benches/rules-bench.mjs`: compile the audiences once, then each pass
//! JavaScript writes the attributes into wasm memory (`benches/rules-pack.mjs`
//! packs the members the audiences read; with the `json-crossing` feature,
//! `JSON.stringify` text is accepted too), one call evaluates every audience,
//! and the results are read in place from wasm memory.
//!
//! It is also the measure of what the condition engine costs the SDK in
//! bytes: nothing else is in this module but wasm-bindgen's glue and the
//! JSON parsing that compiling audiences needs (the `baseline` feature
//! builds it without the engine).

use wasm_bindgen::prelude::*;

#[cfg(not(feature = "baseline"))]
use beckon_core::condition::{Condition, ConditionSet, SavedGroups, Scratch};

/// The `baseline` build: the same surface with no engine behind it.
#[cfg(feature = "baseline")]
mod engine {
    use serde_json::Value;

    pub struct Condition(Value);
    impl Condition {
        pub fn compile(v: &Value) -> Result<Condition, serde_json::Error> {
            Ok(Condition(v.clone()))
        }
    }
    #[derive(Default)]
    pub struct SavedGroups(());
    impl SavedGroups {
        pub fn compile(_: &Value) -> Result<SavedGroups, serde_json::Error> {
            Ok(SavedGroups(()))
        }
    }
    #[derive(Default)]
    pub struct Scratch(());
    pub struct ConditionSet(Vec<Condition>);
    impl ConditionSet {
        pub fn new(c: Vec<Condition>) -> ConditionSet {
            ConditionSet(c)
        }
        pub fn attribute_names(&self) -> Option<Vec<&str>> {
            None
        }
        fn answer(&self, input: bool, out: &mut Vec<bool>) {
            out.clear();
            out.extend(self.0.iter().map(|c| c.0.is_object() && input));
        }
        pub fn eval_all_packed_with(
            &self,
            words: &[f64],
            _: &[u8],
            _: &SavedGroups,
            _: &mut Scratch,
            out: &mut Vec<bool>,
        ) -> Result<(), serde_json::Error> {
            self.answer(!words.is_empty(), out);
            Ok(())
        }
        #[cfg(feature = "json-crossing")]
        pub fn eval_all_json_with(
            &self,
            attributes: &str,
            _: &SavedGroups,
            _: &mut Scratch,
            out: &mut Vec<bool>,
        ) -> Result<(), serde_json::Error> {
            self.answer(!attributes.is_empty(), out);
            Ok(())
        }
    }
}
#[cfg(feature = "baseline")]
use engine::{Condition, ConditionSet, SavedGroups, Scratch};

/// Compiled audiences and the buffers their passes reuse.
#[wasm_bindgen]
pub struct Audiences {
    set: ConditionSet,
    groups: SavedGroups,
    /// One byte per audience (a `bool` is 0 or 1), read by JavaScript in
    /// place.
    results: Vec<bool>,
    /// Buffers kept from pass to pass, so a warm pass allocates nothing.
    scratch: Scratch,
    /// Where `benches/rules-pack.mjs` writes packed attributes.
    words: Vec<f64>,
    bytes: Vec<u8>,
}

/// `buf` grown to at least `n` elements; where it starts.
fn room<T: Clone + Default>(buf: &mut Vec<T>, n: usize) -> *mut T {
    if buf.len() < n {
        buf.resize(n, T::default());
    }
    buf.as_mut_ptr()
}

#[wasm_bindgen]
impl Audiences {
    /// Compiles a JSON array of conditions (and optional saved groups).
    #[wasm_bindgen(constructor)]
    pub fn new(
        audiences_json: &str,
        saved_groups_json: Option<String>,
    ) -> Result<Audiences, JsError> {
        let audiences: Vec<serde_json::Value> = serde_json::from_str(audiences_json)?;
        let conditions = audiences
            .iter()
            .map(Condition::compile)
            .collect::<Result<Vec<_>, _>>()?;
        let groups = match saved_groups_json {
            Some(text) => SavedGroups::compile(&serde_json::from_str(&text)?)?,
            None => SavedGroups::default(),
        };
        Ok(Audiences {
            set: ConditionSet::new(conditions),
            groups,
            results: Vec::new(),
            scratch: Scratch::default(),
            words: Vec::new(),
            bytes: Vec::new(),
        })
    }

    /// The top-level attributes the audiences read, as a JSON array in the
    /// order `evalPacked` expects them, or `null` when the whole object
    /// must be packed. (Written by hand: serde's serializer, or
    /// wasm-bindgen's string-array glue, would add a kilobyte to the
    /// module for a call made once.)
    #[wasm_bindgen(js_name = attributeNames)]
    pub fn attribute_names(&self) -> String {
        let Some(names) = self.set.attribute_names() else {
            return "null".into();
        };
        let mut out = String::from("[");
        for (i, name) in names.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push('"');
            for c in name.chars() {
                match c {
                    '"' | '\\' => {
                        out.push('\\');
                        out.push(c);
                    }
                    c if (c as u32) < 0x20 => {
                        const HEX: &[u8; 16] = b"0123456789abcdef";
                        out.push_str("\\u00");
                        out.push(HEX[c as usize >> 4] as char);
                        out.push(HEX[c as usize & 15] as char);
                    }
                    c => out.push(c),
                }
            }
            out.push('"');
        }
        out.push(']');
        out
    }

    /// Room for `n` doubles of packed attributes, reused across passes.
    #[wasm_bindgen(js_name = packWords)]
    pub fn pack_words(&mut self, n: usize) -> *mut f64 {
        room(&mut self.words, n)
    }

    /// Room for `n` bytes of packed strings, reused across passes.
    #[wasm_bindgen(js_name = packBytes)]
    pub fn pack_bytes(&mut self, n: usize) -> *mut u8 {
        room(&mut self.bytes, n)
    }

    /// One pass over attributes packed into the first `words` doubles and
    /// `bytes` bytes of `packWords`/`packBytes`. Returns where the results
    /// are in wasm memory: one byte per audience (1 = matches), valid until
    /// the next pass, so nothing is copied or allocated to hand them back.
    #[wasm_bindgen(js_name = evalPacked)]
    pub fn eval_packed(&mut self, words: usize, bytes: usize) -> Result<*const bool, JsError> {
        self.set.eval_all_packed_with(
            self.words.get(..words).unwrap_or(&[]),
            self.bytes.get(..bytes).unwrap_or(&[]),
            &self.groups,
            &mut self.scratch,
            &mut self.results,
        )?;
        Ok(self.results.as_ptr())
    }

    /// Room for `n` bytes of attributes as JSON text, for
    /// `TextEncoder.encodeInto` (wasm-bindgen's own string passing copies
    /// character by character in JavaScript first).
    #[cfg(feature = "json-crossing")]
    #[wasm_bindgen(js_name = inputBuffer)]
    pub fn input_buffer(&mut self, n: usize) -> *mut u8 {
        room(&mut self.bytes, n)
    }

    /// One pass over the first `len` bytes written to `inputBuffer`, as
    /// JSON text; results as `evalPacked` returns them.
    #[cfg(feature = "json-crossing")]
    #[wasm_bindgen(js_name = evalInput)]
    pub fn eval_input(&mut self, len: usize) -> Result<*const bool, JsError> {
        let text = std::str::from_utf8(self.bytes.get(..len).unwrap_or(&[]))?;
        self.set
            .eval_all_json_with(text, &self.groups, &mut self.scratch, &mut self.results)?;
        Ok(self.results.as_ptr())
    }
}

/// The module's memory, for writing into the buffers above (not `memory`:
/// that name is the raw export of the memory itself).
#[wasm_bindgen(js_name = wasmMemory)]
pub fn wasm_memory() -> JsValue {
    wasm_bindgen::memory()
}
