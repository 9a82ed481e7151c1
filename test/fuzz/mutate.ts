// Byte-level and JSON-aware mutations for the Node fuzz loops: bit flips, random and boundary
// values (as u8/u32/u64, little-endian), inserted, deleted and repeated ranges, truncation and
// splices of another seed; JSON values swapped for hostile ones (huge, negative, fractional,
// wrong type, deeply nested).

export type Random = () => number;

/** A small fast deterministic generator (mulberry32). */
export function randomFrom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const below = (r: Random, n: number) => Math.floor(r() * n);

const BOUNDARY_U32 = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
const BOUNDARY_U64 = [0n, 1n, 0xffffffffn, 0x100000000n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 62n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n];

function mutateOnce(r: Random, input: Buffer, other: Buffer): Buffer {
  const n = input.length;
  const at = n === 0 ? 0 : below(r, n);
  switch (below(r, 9)) {
    case 0: { const b = Buffer.from(input); if (n) b[at]! ^= 1 << below(r, 8); return b; }
    case 1: { const b = Buffer.from(input); if (n) b[at] = below(r, 256); return b; }
    case 2: {
      const b = Buffer.from(input);
      if (at + 4 <= n) b.writeUInt32LE(BOUNDARY_U32[below(r, BOUNDARY_U32.length)]! + (r() < 0.3 ? below(r, 3) - 1 : 0) >>> 0, at);
      return b;
    }
    case 3: {
      const b = Buffer.from(input);
      if (at + 8 <= n) b.writeBigUInt64LE(BOUNDARY_U64[below(r, BOUNDARY_U64.length)]!, at);
      return b;
    }
    case 4: { const len = 1 + below(r, 16); const fill = Buffer.alloc(len); for (let i = 0; i < len; i++) fill[i] = below(r, 256); return Buffer.concat([input.subarray(0, at), fill, input.subarray(at)]); }
    case 5: return Buffer.concat([input.subarray(0, at), input.subarray(Math.min(n, at + 1 + below(r, 64)))]);
    case 6: { const len = 1 + below(r, 64); const chunk = input.subarray(at, at + len); return Buffer.concat([input.subarray(0, at), chunk, chunk, input.subarray(at)]); }
    case 7: return input.subarray(0, at);
    default: { const from = below(r, other.length + 1); return Buffer.concat([input.subarray(0, at), other.subarray(from, from + below(r, 256))]); }
  }
}

/** 1 to 4 byte-level mutations of `input` (`other` is another seed, for splices). */
export function mutateBytes(r: Random, input: Buffer, other: Buffer): Buffer {
  let out = input;
  for (let i = 1 + below(r, 4); i > 0; i--) out = mutateOnce(r, out, other);
  return out;
}

const HOSTILE_VALUES: unknown[] = [
  0, -1, 1, 2, 3, 0.5, -0.0, 1e308, -1e308, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, 40000, 65536, 1e9,
  '', 'x', '224', 'gelu', 'CLIPImageProcessor', 'VideoMAEImageProcessor', null, true, false, [], [0], [1, 2, 3],
  [0.5, 0.5], {}, { shortest_edge: 40000 }, { height: 40000, width: 40000 }, { height: 224, width: 224 }, { longest_edge: 1 },
];

function deepValue(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

/** Every path to an object member or array element of `value`. */
function paths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return out;
  for (const [k, v] of Object.entries(value)) {
    const p = [...prefix, Array.isArray(value) ? Number(k) : k];
    out.push(p);
    paths(v, p, out);
  }
  return out;
}

/** One structural change to a JSON document: a value replaced, a member removed or added. */
export function mutateJson(r: Random, text: string): string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return text;
  }
  const all = paths(doc);
  if (typeof doc !== 'object' || doc === null || all.length === 0) return text;
  const path = all[below(r, all.length)]!;
  let parent = doc as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  const choice = below(r, 10);
  if (choice === 0) delete parent[last];
  else if (choice === 1) parent[last] = deepValue(1 + below(r, 20000));
  else if (choice === 2) (doc as Record<string, unknown>)[`x${below(r, 4)}`] = HOSTILE_VALUES[below(r, HOSTILE_VALUES.length)];
  else parent[last] = HOSTILE_VALUES[below(r, HOSTILE_VALUES.length)];
  return JSON.stringify(doc);
}
