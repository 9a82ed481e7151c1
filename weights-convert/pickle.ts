// A restricted unpickler for PyTorch state dicts (the data.pkl inside a torch zip file).
// It never executes anything: the only callables it knows are rebuilt as plain data
// (OrderedDict, tensor rebuild functions); any other global, opcode or persistent id is an error.

import { GitcapError } from '../core/errors.js';
import { printable } from '../core/printable.js';

/** `torch.<X>Storage` element types, as safetensors dtype names. */
const STORAGE_DTYPES: Readonly<Record<string, string>> = {
  FloatStorage: 'F32', HalfStorage: 'F16', BFloat16Storage: 'BF16', DoubleStorage: 'F64',
  LongStorage: 'I64', IntStorage: 'I32', ShortStorage: 'I16', CharStorage: 'I8', ByteStorage: 'U8',
  BoolStorage: 'BOOL',
};

/** A storage record: the zip entry `data/<key>` holds `numel` elements of `dtype`. */
export interface StorageRef {
  readonly kind: 'storage';
  key: string;
  dtype: string;
  numel: number;
}

/** A tensor view into a storage (`torch._utils._rebuild_tensor_v2`). */
export interface TensorRef {
  readonly kind: 'tensor';
  storage: StorageRef;
  storageOffset: number;
  shape: number[];
  stride: number[];
}

type Global =
  | { readonly kind: 'global'; name: 'OrderedDict' | 'rebuild_tensor_v2' | 'rebuild_parameter' }
  | { readonly kind: 'storage_type'; dtype: string };

class OrderedDict {
  readonly kind = 'dict';
  readonly items = new Map<unknown, unknown>();
}

type Value = unknown;
const MARK = Symbol('mark');

function resolveGlobal(module: string, name: string): Global | undefined {
  if (module === 'collections' && name === 'OrderedDict') return { kind: 'global', name: 'OrderedDict' };
  if (module === 'torch._utils' && name === '_rebuild_tensor_v2') return { kind: 'global', name: 'rebuild_tensor_v2' };
  if (module === 'torch._utils' && name === '_rebuild_parameter') return { kind: 'global', name: 'rebuild_parameter' };
  if (module === 'torch' && Object.hasOwn(STORAGE_DTYPES, name)) return { kind: 'storage_type', dtype: STORAGE_DTYPES[name]! };
  return undefined;
}

function isIntArray(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => Number.isSafeInteger(x) && (x as number) >= 0);
}

/**
 * Parses `bytes` (a data.pkl) into a map from state-dict key to tensor view.
 * `where` names the file in messages.
 */
export function unpickleStateDict(bytes: Uint8Array, where: string): Map<string, TensorRef> {
  const fail = (problem: string) => new GitcapError('E_MODEL_FORMAT', `${where}: ${problem}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: Value[] = [];
  const marks: number[] = [];
  const memo = new Map<number, Value>();
  let pos = 0;

  const need = (n: number) => {
    if (pos + n > bytes.length) throw fail('pickle ends unexpectedly');
  };
  const u8 = () => (need(1), bytes[pos++]!);
  const u16 = () => (need(2), (pos += 2), view.getUint16(pos - 2, true));
  const u32 = () => (need(4), (pos += 4), view.getUint32(pos - 4, true));
  const i32 = () => (need(4), (pos += 4), view.getInt32(pos - 4, true));
  const u64 = () => {
    need(8);
    const v = view.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw fail('pickle length field is too large');
    return Number(v);
  };
  const take = (n: number) => (need(n), (pos += n), bytes.subarray(pos - n, pos));
  const utf8 = (n: number) => {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(take(n));
    } catch (err) {
      if (err instanceof GitcapError) throw err;
      throw fail('pickle holds a string that is not valid UTF-8');
    }
  };
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw fail('pickle ends unexpectedly');
    const text = new TextDecoder('latin1').decode(bytes.subarray(pos, end));
    pos = end + 1;
    return text;
  };
  const pop = (): Value => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1]!)) {
      throw fail('pickle pops from an empty stack');
    }
    return stack.pop();
  };
  const top = (): Value => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1]!)) {
      throw fail('pickle reads from an empty stack');
    }
    return stack[stack.length - 1];
  };
  const popMark = (): Value[] => {
    const m = marks.pop();
    if (m === undefined) throw fail('pickle has no MARK to pop to');
    return stack.splice(m);
  };
  const pushGlobal = (module: string, name: string) => {
    const global = resolveGlobal(module, name);
    if (!global) {
      throw fail(`pickle refers to ${printable(`${module}.${name}`)}; only tensors, storages and OrderedDict are allowed in a state dict`);
    }
    stack.push(global);
  };
  const memoGet = (i: number) => {
    if (!memo.has(i)) throw fail(`pickle refers to memo entry ${i} that was never stored`);
    return memo.get(i);
  };
  const setItems = (target: Value, kv: Value[]) => {
    if (!(target instanceof OrderedDict)) throw fail('pickle sets items on something that is not a dict');
    for (let i = 0; i + 1 < kv.length; i += 2) target.items.set(kv[i], kv[i + 1]);
  };

  const persistentLoad = (pid: Value): StorageRef => {
    if (!Array.isArray(pid) || pid.length !== 5 || pid[0] !== 'storage') {
      throw fail('pickle has a persistent id that is not a storage record');
    }
    const [, type, key, , numel] = pid as [string, Global, unknown, unknown, unknown];
    if (typeof type !== 'object' || type === null || type.kind !== 'storage_type') {
      throw fail('pickle has a storage record without a storage type');
    }
    if (typeof key !== 'string' || !/^[0-9A-Za-z_]+$/.test(key) || !Number.isSafeInteger(numel) || (numel as number) < 0) {
      throw fail('pickle has a malformed storage record');
    }
    return { kind: 'storage', key, dtype: type.dtype, numel: numel as number };
  };

  const reduce = (callable: Value, args: Value): Value => {
    if (!Array.isArray(args)) throw fail('pickle calls with arguments that are not a tuple');
    const g = callable as Global;
    if (typeof g !== 'object' || g === null || g.kind !== 'global') throw fail('pickle calls something that is not allowed');
    if (g.name === 'OrderedDict') {
      if (args.length !== 0) throw fail('pickle builds an OrderedDict with arguments');
      return new OrderedDict();
    }
    if (g.name === 'rebuild_parameter') {
      const data = args[0] as TensorRef | undefined;
      if (!data || data.kind !== 'tensor') throw fail('pickle rebuilds a parameter from something that is not a tensor');
      return data;
    }
    const [storage, storageOffset, shape, stride] = args as [StorageRef, unknown, unknown, unknown];
    if (typeof storage !== 'object' || storage === null || storage.kind !== 'storage') {
      throw fail('pickle rebuilds a tensor without a storage');
    }
    if (!Number.isSafeInteger(storageOffset) || (storageOffset as number) < 0 || !isIntArray(shape) || !isIntArray(stride)) {
      throw fail('pickle rebuilds a tensor with a malformed offset, size or stride');
    }
    if (shape.length !== stride.length) throw fail('pickle rebuilds a tensor whose size and stride differ in length');
    return { kind: 'tensor', storage, storageOffset: storageOffset as number, shape, stride } satisfies TensorRef;
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: { // PROTO
        const proto = u8();
        if (proto > 5) throw fail(`pickle protocol ${proto} is not supported`);
        break;
      }
      case 0x95: u64(); break; // FRAME: a size hint only
      case 0x2e: { // STOP
        const result = pop();
        return toStateDict(result, fail);
      }
      case 0x28: marks.push(stack.length); break; // MARK
      case 0x29: stack.push([]); break; // EMPTY_TUPLE
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x7d: stack.push(new OrderedDict()); break; // EMPTY_DICT
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x4a: stack.push(i32()); break; // BININT
      case 0x8a: { // LONG1
        const n = u8();
        if (n > 7) throw fail('pickle holds an integer too large for a tensor index');
        let v = 0;
        const b = take(n);
        for (let i = n - 1; i >= 0; i--) v = v * 256 + b[i]!;
        if (n > 0 && b[n - 1]! & 0x80) v -= 2 ** (8 * n);
        stack.push(v);
        break;
      }
      case 0x47: { // BINFLOAT (big-endian)
        need(8);
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      }
      case 0x58: stack.push(utf8(u32())); break; // BINUNICODE
      case 0x8c: stack.push(utf8(u8())); break; // SHORT_BINUNICODE
      case 0x8d: stack.push(utf8(u64())); break; // BINUNICODE8
      case 0x55: stack.push(new TextDecoder('latin1').decode(take(u8()))); break; // SHORT_BINSTRING
      case 0x54: stack.push(new TextDecoder('latin1').decode(take(u32()))); break; // BINSTRING
      case 0x74: stack.push(popMark()); break; // TUPLE
      case 0x85: stack.push([pop()]); break; // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); stack.push([a, b]); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push([a, b, c]); break; } // TUPLE3
      case 0x6c: stack.push(popMark()); break; // LIST
      case 0x61: { const v = pop(); const list = top(); if (!Array.isArray(list)) throw fail('pickle appends to something that is not a list'); list.push(v); break; } // APPEND
      case 0x65: { const items = popMark(); const list = top(); if (!Array.isArray(list)) throw fail('pickle appends to something that is not a list'); for (const item of items) list.push(item); break; } // APPENDS
      case 0x64: { const d = new OrderedDict(); setItems(d, popMark()); stack.push(d); break; } // DICT
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const kv = popMark(); setItems(top(), kv); break; } // SETITEMS
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: stack.push(memoGet(u8())); break; // BINGET
      case 0x6a: stack.push(memoGet(u32())); break; // LONG_BINGET
      case 0x63: { const module = line(); pushGlobal(module, line()); break; } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw fail('pickle has a malformed STACK_GLOBAL');
        pushGlobal(module, name);
        break;
      }
      case 0x51: stack.push(persistentLoad(pop())); break; // BINPERSID
      case 0x52: { const args = pop(); const callable = pop(); stack.push(reduce(callable, args)); break; } // REDUCE
      case 0x62: { // BUILD: only an OrderedDict's attribute dict (state_dict()._metadata) is accepted, and ignored
        pop();
        if (!(top() instanceof OrderedDict)) throw fail('pickle sets the state of an object that is not an OrderedDict');
        break;
      }
      default:
        throw fail(`pickle opcode 0x${op.toString(16).padStart(2, '0')} at byte ${pos - 1} is not allowed in a state dict`);
    }
  }
}

function toStateDict(result: Value, fail: (problem: string) => GitcapError): Map<string, TensorRef> {
  if (!(result instanceof OrderedDict)) throw fail('pickle does not hold a dict of tensors');
  const out = new Map<string, TensorRef>();
  for (const [key, value] of result.items) {
    if (typeof key !== 'string') throw fail('pickle holds a state dict key that is not a string');
    const t = value as TensorRef;
    if (typeof t !== 'object' || t === null || t.kind !== 'tensor') throw fail(`state dict entry ${printable(key)} is not a tensor`);
    out.set(key, t);
  }
  return out;
}
