// FarmHash's 32-bit fingerprint (farmhashmk Hash32, as github.com/dgryski/go-farm's Fingerprint32 computes it), which
// upstream's scheduler hashes jitter with. 32-bit arithmetic via Math.imul and >>> 0.

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function rotr(v: number, shift: number): number {
  return ((v >>> shift) | (v << (32 - shift))) >>> 0;
}

function fmix(h: number): number {
  h = (h ^ (h >>> 16)) >>> 0;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h = (h ^ (h >>> 13)) >>> 0;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

function mur(a: number, h: number): number {
  a = Math.imul(a, C1) >>> 0;
  a = rotr(a, 17);
  a = Math.imul(a, C2) >>> 0;
  h = (h ^ a) >>> 0;
  h = rotr(h, 19);
  return (Math.imul(h, 5) + 0xe6546b64) >>> 0;
}

function fetch32(s: Uint8Array, i: number): number {
  return (s[i]! | (s[i + 1]! << 8) | (s[i + 2]! << 16) | (s[i + 3]! << 24)) >>> 0;
}

function len0to4(s: Uint8Array): number {
  let b = 0;
  let c = 9;
  for (const byte of s) {
    const v = (byte << 24) >> 24; // signed char
    b = (Math.imul(b, C1) + v) >>> 0;
    c = (c ^ b) >>> 0;
  }
  return fmix(mur(b, mur(s.length, c)));
}

function len5to12(s: Uint8Array): number {
  const n = s.length;
  let a = n >>> 0;
  let b = (n * 5) >>> 0;
  let c = 9;
  const d = b;
  a = (a + fetch32(s, 0)) >>> 0;
  b = (b + fetch32(s, n - 4)) >>> 0;
  c = (c + fetch32(s, (n >>> 1) & 4)) >>> 0;
  return fmix(mur(c, mur(b, mur(a, d))));
}

function len13to24(s: Uint8Array): number {
  const n = s.length;
  let a = fetch32(s, (n >>> 1) - 4);
  const b = fetch32(s, 4);
  const c = fetch32(s, n - 8);
  const d = fetch32(s, n >>> 1);
  const e = fetch32(s, 0);
  const f = fetch32(s, n - 4);
  let h = (Math.imul(d, C1) + n) >>> 0;
  a = (rotr(a, 12) + f) >>> 0;
  h = (mur(c, h) + a) >>> 0;
  a = (rotr(a, 3) + c) >>> 0;
  h = (mur(e, h) + a) >>> 0;
  a = (rotr((a + f) >>> 0, 12) + d) >>> 0;
  h = (mur(b, h) + a) >>> 0;
  return fmix(h);
}

function mixStep(h: number): number {
  return (Math.imul(rotr(h, 19), 5) + 0xe6546b64) >>> 0;
}

export function fingerprint32(s: Uint8Array): number {
  const n = s.length;
  if (n <= 4) return len0to4(s);
  if (n <= 12) return len5to12(s);
  if (n <= 24) return len13to24(s);
  const tail = (offset: number) => Math.imul(rotr(Math.imul(fetch32(s, n - offset), C1) >>> 0, 17), C2) >>> 0;
  let h = n >>> 0;
  let g = Math.imul(C1, n) >>> 0;
  let f = g;
  h = mixStep((h ^ tail(4)) >>> 0);
  h = mixStep((h ^ tail(16)) >>> 0);
  g = mixStep((g ^ tail(8)) >>> 0);
  g = mixStep((g ^ tail(12)) >>> 0);
  f = (rotr((f + tail(20)) >>> 0, 19) + 113) >>> 0;
  for (let i = 0; n - i > 20; i += 20) {
    const a = fetch32(s, i);
    const b = fetch32(s, i + 4);
    const c = fetch32(s, i + 8);
    const d = fetch32(s, i + 12);
    const e = fetch32(s, i + 16);
    h = (h + a) >>> 0;
    g = (g + b) >>> 0;
    f = (f + c) >>> 0;
    h = (mur(d, h) + e) >>> 0;
    g = (mur(c, g) + a) >>> 0;
    f = (mur((b + Math.imul(e, C1)) >>> 0, f) + d) >>> 0;
    f = (f + g) >>> 0;
    g = (g + f) >>> 0;
  }
  g = Math.imul(rotr(Math.imul(rotr(g, 11), C1) >>> 0, 17), C1) >>> 0;
  f = Math.imul(rotr(Math.imul(rotr(f, 11), C1) >>> 0, 17), C1) >>> 0;
  h = mixStep((h + g) >>> 0);
  h = Math.imul(rotr(h, 17), C1) >>> 0;
  h = mixStep((h + f) >>> 0);
  h = Math.imul(rotr(h, 17), C1) >>> 0;
  return h;
}

/** UTF-8 bytes of a string (lone surrogates as U+FFFD), without TextEncoder (absent in a bare vm context). */
export function utf8(text: string): number[] {
  const out: number[] = [];
  for (const ch of text) {
    let cp = ch.codePointAt(0)!;
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  }
  return out;
}
