// Hands attributes from JavaScript to beckon-core in wasm without
// JSON.stringify: only the top-level members the compiled conditions read
// (ConditionSet::attribute_names, fetched once) are written, straight into
// wasm memory, as the binary form core/src/condition/doc.rs decodes (tags,
// counts and numbers as doubles; every string's UTF-8 one after the other).
//
// What is written is what JSON.parse(JSON.stringify(attributes)) would
// hold: members whose value is undefined, a function or a symbol are
// absent, such array elements are null, non-finite numbers are null, -0 is
// 0. Anything that is not a plain object, array or primitive (a Date or
// anything with toJSON, a Map, a boxed string, a class instance, a BigInt,
// a cycle) goes through JSON.stringify and JSON.parse first, so it gets
// exactly JSON's treatment, errors included. One difference: a string with
// a lone surrogate is written with U+FFFD in its place (TextEncoder's
// rule), where the JSON path refuses it.
//
// It starts with MEMBERS and one item per member named (ABSENT for one the
// object does not have), or, when the engine reads the whole object or the
// attributes are not an object, WHOLE and the whole value.
//
// The engine side (benches/rules-wasm) provides packWords(n) and
// packBytes(n), returning where n doubles and n bytes may be written, and
// the module's memory.

const ABSENT = 0, NULL = 1, FALSE = 2, TRUE = 3, NUM = 4, STR = 5, ARR = 6, OBJ = 7;
// What follows: one item per member the engine reads, or the whole value.
const MEMBERS = 8, WHOLE = 9;
// Deeper than this is taken for a cycle and left to JSON.stringify.
const MAX_DEPTH = 100;
const FULL = Symbol("buffer full");
const isEnumerable = Object.prototype.propertyIsEnumerable;
const objectProto = Object.prototype;

// An object JSON would write member by member as it is.
function plainObject(v) {
  if (v === null || typeof v !== "object" || typeof v.toJSON === "function") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === objectProto || proto === null;
}

/**
 * @param {{packWords(n: number): number, packBytes(n: number): number}} engine
 * @param {WebAssembly.Memory} memory
 * @param {string[] | null} names top-level members in the engine's order,
 *   or null when the engine needs the whole object
 * @returns {(attributes: object) => [number, number]} packs, returning how
 *   many doubles and bytes were written
 */
export function packer(engine, memory, names) {
  const encoder = new TextEncoder();
  let wordCap = 256, byteCap = 2048;
  let wordsAt = 0, bytesAt = 0, buffer = null;
  let f = null, u = null, w = 0, b = 0;

  function views() {
    // Asking for room can grow wasm memory, which detaches old views.
    wordsAt = engine.packWords(wordCap);
    bytesAt = engine.packBytes(byteCap);
    buffer = memory.buffer;
    f = new Float64Array(buffer, wordsAt, wordCap);
    u = new Uint8Array(buffer, bytesAt, byteCap);
  }

  function str(s) {
    const n = s.length;
    if (w + 2 > wordCap || b + 3 * n > byteCap) throw FULL;
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) break;
      u[b + i] = c;
    }
    const len = i === n ? n : encoder.encodeInto(s, u.subarray(b, b + 3 * n)).written;
    f[w++] = STR;
    f[w++] = len;
    b += len;
  }

  // A member or element; false when JSON would leave a member out.
  function value(v, depth) {
    if (w + 2 > wordCap) throw FULL;
    switch (typeof v) {
      case "string":
        str(v);
        return true;
      case "number":
        if (Number.isFinite(v)) {
          f[w++] = NUM;
          f[w++] = v === 0 ? 0 : v;
        } else f[w++] = NULL;
        return true;
      case "boolean":
        f[w++] = v ? TRUE : FALSE;
        return true;
      case "object":
        if (v === null) {
          f[w++] = NULL;
          return true;
        }
        if (depth < MAX_DEPTH && typeof v.toJSON !== "function") {
          if (Array.isArray(v)) {
            const n = v.length;
            f[w++] = ARR;
            f[w++] = n;
            for (let i = 0; i < n; i++) if (!value(v[i], depth + 1)) f[w++] = NULL;
            return true;
          }
          if (plainObject(v)) {
            const keys = Object.keys(v);
            f[w++] = OBJ;
            const count = w++;
            let n = 0;
            for (const k of keys) {
              const at = w, atBytes = b;
              str(k);
              if (value(v[k], depth + 1)) n++;
              else {
                w = at;
                b = atBytes;
              }
            }
            f[count] = n;
            return true;
          }
        }
        return value(JSON.parse(JSON.stringify(v)), 0);
      case "bigint":
        // JSON.stringify's own TypeError.
        return value(JSON.parse(JSON.stringify(v)), 0);
      default:
        // undefined, functions, symbols.
        return false;
    }
  }

  function write(attributes) {
    w = b = 0;
    if (wordCap < 2 || (names !== null && names.length + 1 > wordCap)) throw FULL;
    if (names !== null && !plainObject(attributes)) {
      // Not a plain object: JSON decides what it is, and if that is not an
      // object either, paths are read from the value itself.
      const json = JSON.stringify(attributes);
      attributes = json === undefined ? null : JSON.parse(json);
    }
    if (names === null || attributes === null || typeof attributes !== "object" || Array.isArray(attributes)) {
      f[w++] = WHOLE;
      if (!value(attributes, 0)) f[w++] = NULL;
      return;
    }
    f[w++] = MEMBERS;
    for (const name of names) {
      if (w + 1 > wordCap) throw FULL;
      const at = w;
      if (!isEnumerable.call(attributes, name) || !value(attributes[name], 1)) {
        w = at;
        f[w++] = ABSENT;
      }
    }
  }

  views();
  return function pack(attributes) {
    if (memory.buffer !== buffer) views();
    for (;;) {
      try {
        write(attributes);
        return [w, b];
      } catch (e) {
        if (e !== FULL) throw e;
        wordCap *= 2;
        byteCap *= 2;
        views();
      }
    }
  };
}
