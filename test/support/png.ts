/**
 * Tiny but genuinely valid PNG images, so tests that download "generated images" can check the
 * bytes a user would get instead of trusting a placeholder string.
 */
import { deflateSync, inflateSync } from 'node:zlib';

const SIGNATURE = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let index = 0; index < 256; index += 1) {
    let value = index;
    for (let bit = 0; bit < 8; bit += 1) {
      value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
    }
    table[index] = value >>> 0;
  }
  return table;
})();

/** CRC-32 as PNG chunks use it (ISO 3309, the same polynomial as zlib). */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/** Builds an RGB PNG of the given size; `seed` varies the colours so different outputs differ in bytes. */
export function makePng(width: number, height: number, seed = 0): Uint8Array {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: truecolour RGB
  // bytes 10-12: compression, filter and interlace methods are all 0
  const rowLength = 1 + width * 3;
  const pixels = Buffer.alloc(rowLength * height);
  for (let y = 0; y < height; y += 1) {
    pixels[y * rowLength] = 0; // filter type "None" for every scanline
    for (let x = 0; x < width; x += 1) {
      const offset = y * rowLength + 1 + x * 3;
      pixels[offset] = (x * 32 + seed * 47) & 0xff;
      pixels[offset + 1] = (y * 32 + seed * 83) & 0xff;
      pixels[offset + 2] = (x * y * 8 + seed * 29) & 0xff;
    }
  }
  return new Uint8Array(
    Buffer.concat([
      SIGNATURE,
      chunk('IHDR', header),
      chunk('IDAT', deflateSync(pixels)),
      chunk('IEND', new Uint8Array(0)),
    ]),
  );
}

/** Checks signature, chunk CRCs, IHDR first, IEND last and that IDAT inflates to the size IHDR implies. */
export function isValidPng(bytes: Uint8Array): boolean {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < SIGNATURE.length || !buffer.subarray(0, 8).equals(SIGNATURE)) return false;
  let offset = 8;
  let width = 0;
  let height = 0;
  let colourType = -1;
  const idat: Buffer[] = [];
  let sawEnd = false;
  while (offset + 12 <= buffer.length) {
    const length = buffer.readUInt32BE(offset);
    const type = buffer.toString('latin1', offset + 4, offset + 8);
    const end = offset + 12 + length;
    if (end > buffer.length) return false;
    const expectedCrc = buffer.readUInt32BE(offset + 8 + length);
    if (crc32(buffer.subarray(offset + 4, offset + 8 + length)) !== expectedCrc) return false;
    const data = buffer.subarray(offset + 8, offset + 8 + length);
    if (offset === 8 && type !== 'IHDR') return false;
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8) return false;
      colourType = data[9] ?? -1;
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      sawEnd = end === buffer.length;
      break;
    }
    offset = end;
  }
  if (!sawEnd || width === 0 || height === 0 || idat.length === 0) return false;
  const channels = colourType === 2 ? 3 : colourType === 6 ? 4 : colourType === 0 ? 1 : 0;
  if (channels === 0) return false;
  try {
    return inflateSync(Buffer.concat(idat)).length === height * (1 + width * channels);
  } catch {
    return false;
  }
}
