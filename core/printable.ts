// Text taken from a file, made safe to put in an error message: control and non-ASCII characters
// escaped, and cut to a length a log line can hold.

const MAX_SHOWN = 80;

/** `text` with anything outside printable ASCII as \xNN or \u{N}, and at most `max` characters shown. */
export function printable(text: string, max = MAX_SHOWN): string {
  let out = '';
  let shown = 0;
  for (const ch of text) {
    if (shown === max) return `${out}... (${text.length} characters in all)`;
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (code >= 0x20 && code < 0x7f) out += ch;
    else if (code < 0x100) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += `\\u{${code.toString(16)}}`;
    shown++;
  }
  return out;
}
