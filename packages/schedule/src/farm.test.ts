import { describe, expect, it } from '@jest/globals';
import { fingerprint32, utf8 } from './farm.js';

// Hash32 vectors from FarmHash's reference tests (as go-farm carries them): every length class.
const VECTORS: [number, string][] = [
  [0xdc56d17a, ''],
  [0x3c973d4d, 'a'],
  [0x2f635ec7, 'abc'],
  [0x98b51e95, 'abcd'],
  [0xa3f366ac, 'abcde'],
  [0xfd7ec8b9, 'abcdefgh'],
  [0x9741ca1a, '0123456789'],
  [0xf8cc7928, '0123456789-0'],
  [0x71a36842, '0123456789#012'],
  [0xa9785062, '0123456789+0123456'],
  [0x536d1efd, '0123456789^0123456789'],
  [0x1723dd7a, '0123456789%0123456789£'],
  [0xc6246b8d, 'size:  a.out:  bad magic'],
  [0x322984d9, "Nepal premier won't resign."],
  [0xe273108f, 'Discard medicine more than two years old.'],
  [0x363394d1, "I wouldn't marry him with a ten foot pole."],
];

describe('fingerprint32', () => {
  it.each(VECTORS)('%s of %j', (expected, text) => {
    expect(fingerprint32(Uint8Array.from(utf8(text)))).toBe(expected);
  });

  it('encodes UTF-8 without TextEncoder', () => {
    expect(utf8('a£€😀')).toEqual([...new TextEncoder().encode('a£€😀')]);
    expect(utf8('\ud800')).toEqual([0xef, 0xbf, 0xbd]);
  });
});
