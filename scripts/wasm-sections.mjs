// The few pieces of the wasm binary format the post-build scripts need:
// LEB128 numbers, names, and the module's sections.

/** Reads an unsigned LEB128 at `pos`; [value, next position]. */
export function readLeb(bytes, pos) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[pos++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (!(b & 0x80)) return [value, pos];
  }
}

/** An unsigned LEB128, as bytes. */
export function leb(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

/** A name: its UTF-8 length, then its bytes. */
export const encodeName = (s) => {
  const utf8 = Buffer.from(s, 'utf8');
  return [...leb(utf8.length), ...utf8];
};

/** The sections of a module: [{ id, body }] in order (body a Buffer). */
export function sections(wasm) {
  if (wasm.readUInt32LE(0) !== 0x6d736100) throw new Error('not a wasm module');
  const out = [];
  let pos = 8;
  while (pos < wasm.length) {
    const id = wasm[pos];
    const [size, start] = readLeb(wasm, pos + 1);
    out.push({ id, body: wasm.subarray(start, start + size) });
    pos = start + size;
  }
  return out;
}

/** A module from its header and sections. */
export function assemble(header, list) {
  const parts = [header.subarray(0, 8)];
  for (const { id, body } of list) parts.push(Buffer.from([id, ...leb(body.length)]), body);
  return Buffer.concat(parts);
}

/** A name at `pos`; [text, next position]. */
function readName(bytes, pos) {
  const [len, start] = readLeb(bytes, pos);
  return [bytes.subarray(start, start + len).toString('utf8'), start + len];
}

/**
 * The entries of an import section: [{ module, field, type }]. Only
 * function imports are expected (what wasm-bindgen writes); any other kind
 * throws, so a script never rewrites a module it does not understand.
 */
export function readImports(body) {
  let [count, p] = readLeb(body, 0);
  const out = [];
  for (let i = 0; i < count; i += 1) {
    let module;
    let field;
    [module, p] = readName(body, p);
    [field, p] = readName(body, p);
    if (body[p] !== 0x00) throw new Error(`import ${module}/${field} is not a function (kind ${body[p]})`);
    let type;
    [type, p] = readLeb(body, p + 1);
    out.push({ module, field, type });
  }
  return out;
}

/** The entries of an export section: [{ name, kind, index }]. */
export function readExports(body) {
  let [count, p] = readLeb(body, 0);
  const out = [];
  for (let i = 0; i < count; i += 1) {
    let name;
    [name, p] = readName(body, p);
    const kind = body[p];
    let index;
    [index, p] = readLeb(body, p + 1);
    out.push({ name, kind, index });
  }
  return out;
}
