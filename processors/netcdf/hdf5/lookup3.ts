/**
 * Bob Jenkins' lookup3 `hashlittle`, the checksum HDF5 puts on version-2 superblocks and object
 * headers (H5_checksum_lookup3). Needed to rewrite the end-of-file address after appending the
 * chunks we compress ourselves.
 */
const rot = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;

export function lookup3(key: Uint8Array, initval = 0): number {
  let length = key.length;
  let a = (0xdeadbeef + length + initval) >>> 0;
  let b = a;
  let c = a;
  let o = 0;
  const mix = () => {
    a = (a - c) >>> 0; a = (a ^ rot(c, 4)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rot(a, 6)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rot(b, 8)) >>> 0; b = (b + a) >>> 0;
    a = (a - c) >>> 0; a = (a ^ rot(c, 16)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rot(a, 19)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rot(b, 4)) >>> 0; b = (b + a) >>> 0;
  };
  const word = (i: number) => (key[i] | (key[i + 1] << 8) | (key[i + 2] << 16) | (key[i + 3] << 24)) >>> 0;
  while (length > 12) {
    a = (a + word(o)) >>> 0;
    b = (b + word(o + 4)) >>> 0;
    c = (c + word(o + 8)) >>> 0;
    mix();
    length -= 12;
    o += 12;
  }
  // The tail, byte by byte, as the reference code's switch fall-through does.
  switch (length) {
    case 12: c = (c + (key[o + 11] << 24)) >>> 0; // falls through
    case 11: c = (c + (key[o + 10] << 16)) >>> 0; // falls through
    case 10: c = (c + (key[o + 9] << 8)) >>> 0; // falls through
    case 9: c = (c + key[o + 8]) >>> 0; // falls through
    case 8: b = (b + (key[o + 7] << 24)) >>> 0; // falls through
    case 7: b = (b + (key[o + 6] << 16)) >>> 0; // falls through
    case 6: b = (b + (key[o + 5] << 8)) >>> 0; // falls through
    case 5: b = (b + key[o + 4]) >>> 0; // falls through
    case 4: a = (a + (key[o + 3] << 24)) >>> 0; // falls through
    case 3: a = (a + (key[o + 2] << 16)) >>> 0; // falls through
    case 2: a = (a + (key[o + 1] << 8)) >>> 0; // falls through
    case 1: a = (a + key[o]) >>> 0; break;
    case 0: return c;
  }
  c = (c ^ b) >>> 0; c = (c - rot(b, 14)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rot(c, 11)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rot(a, 25)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rot(b, 16)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rot(c, 4)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rot(a, 14)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rot(b, 24)) >>> 0;
  return c;
}
