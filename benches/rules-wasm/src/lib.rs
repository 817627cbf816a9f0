//! beckon-core's condition engine as a wasm module, for
//! `benches/rules-bench.mjs`: compile the audiences once, then each pass
//! hands the attributes over as JSON text (one crossing), evaluates every
//! audience, and returns the results as bytes (one crossing back).
//!
//! It is also the measure of what the condition engine costs the SDK in
//! bytes: nothing else is in this module but wasm-bindgen's glue and JSON.

use serde_json::Value;
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
    pub struct SavedGroups;
    impl SavedGroups {
        pub fn compile(_: &Value) -> Result<SavedGroups, serde_json::Error> {
            Ok(SavedGroups)
        }
    }
    #[derive(Default)]
    pub struct Scratch;
    pub struct ConditionSet(Vec<Condition>);
    impl ConditionSet {
        pub fn new(c: Vec<Condition>) -> ConditionSet {
            ConditionSet(c)
        }
        pub fn eval_all_json_with(
            &self,
            attributes: &str,
            _: &SavedGroups,
            _: &mut Scratch,
            out: &mut Vec<bool>,
        ) -> Result<(), serde_json::Error> {
            let attributes: Value = serde_json::from_str(attributes)?;
            out.clear();
            out.extend(
                self.0
                    .iter()
                    .map(|c| c.0.is_object() && attributes.is_object()),
            );
            Ok(())
        }
    }
}
#[cfg(feature = "baseline")]
use engine::{Condition, ConditionSet, SavedGroups, Scratch};

/// Compiled audiences.
#[wasm_bindgen]
pub struct Audiences {
    set: ConditionSet,
    groups: SavedGroups,
    /// One byte per audience (a `bool` is 0 or 1), read by JavaScript in
    /// place through `resultsPtr`.
    results: Vec<bool>,
    /// Buffers kept from pass to pass, so a warm pass allocates nothing.
    scratch: Scratch,
    /// Where JavaScript writes the attributes' UTF-8 (`inputBuffer`).
    input: Vec<u8>,
}

#[wasm_bindgen]
impl Audiences {
    /// Compiles a JSON array of conditions (and optional saved groups).
    #[wasm_bindgen(constructor)]
    pub fn new(
        audiences_json: &str,
        saved_groups_json: Option<String>,
    ) -> Result<Audiences, JsError> {
        let audiences: Vec<Value> = serde_json::from_str(audiences_json)?;
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
            input: Vec::new(),
        })
    }

    /// One pass: parses the attributes, evaluates every audience and
    /// returns how many matched.
    #[wasm_bindgen(js_name = evalCount)]
    pub fn eval_count(&mut self, attributes_json: &str) -> Result<u32, JsError> {
        self.pass(attributes_json)?;
        Ok(self.results.iter().filter(|r| **r).count() as u32)
    }

    /// One pass returning one byte per audience (1 = matches).
    #[wasm_bindgen(js_name = evalAll)]
    pub fn eval_all(&mut self, attributes_json: &str) -> Result<Vec<u8>, JsError> {
        self.pass(attributes_json)?;
        Ok(self.results.iter().map(|r| u8::from(*r)).collect())
    }

    /// A buffer of `len` bytes in wasm memory for `TextEncoder.encodeInto`,
    /// reused across passes: the cheapest way to hand a string over (no
    /// per-character copy loop in the glue, no intermediate array).
    #[wasm_bindgen(js_name = inputBuffer)]
    pub fn input_buffer(&mut self, len: usize) -> *mut u8 {
        if self.input.len() < len {
            self.input.resize(len, 0);
        }
        self.input.as_mut_ptr()
    }

    /// One pass over the first `len` bytes written to `inputBuffer`.
    /// Returns where the results are in wasm memory: one byte per audience
    /// (1 = matches), valid until the next pass, so nothing is copied or
    /// allocated to hand them back.
    #[wasm_bindgen(js_name = evalInput)]
    pub fn eval_input(&mut self, len: usize) -> Result<*const bool, JsError> {
        let input = std::mem::take(&mut self.input);
        let text = std::str::from_utf8(input.get(..len).unwrap_or(&[]));
        let result = match text {
            Ok(t) => self.pass(t),
            Err(e) => Err(JsError::new(&e.to_string())),
        };
        self.input = input;
        result?;
        Ok(self.results.as_ptr())
    }

    /// Only the crossing: parses the attributes and evaluates nothing, so
    /// the benchmark can split a pass into crossing and evaluation.
    #[wasm_bindgen(js_name = parseOnly)]
    pub fn parse_only(&self, attributes_json: &str) -> Result<u32, JsError> {
        let attributes: Value = serde_json::from_str(attributes_json)?;
        Ok(attributes.as_object().map_or(0, |m| m.len() as u32))
    }

    fn pass(&mut self, attributes_json: &str) -> Result<(), JsError> {
        self.set.eval_all_json_with(
            attributes_json,
            &self.groups,
            &mut self.scratch,
            &mut self.results,
        )?;
        Ok(())
    }
}

/// The module's memory, for writing into `inputBuffer` (not `memory`:
/// that name is the raw export of the memory itself).
#[wasm_bindgen(js_name = wasmMemory)]
pub fn wasm_memory() -> JsValue {
    wasm_bindgen::memory()
}
