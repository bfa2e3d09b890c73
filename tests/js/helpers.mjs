// Shared paths and fixtures for the node tests of the wasm module.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const GOLDEN_V1_0_PATH = fileURLToPath(new URL('../golden/v1.0/demo.cabine', import.meta.url));
export const golden = () => new Uint8Array(readFileSync(GOLDEN_V1_0_PATH));
export const PREAMBLE_BYTES = 14;

/** The bad files of the acceptance list, each with the code it must give. */
export function badModels() {
  const g = golden();
  const flipped = g.slice();
  flipped[PREAMBLE_BYTES + 20] ^= 0x40;
  const magic = g.slice();
  magic[0] = 0x58;
  const newer = g.slice();
  newer[4] = 2;
  const trailing = new Uint8Array(g.length + 3);
  trailing.set(g);
  return [
    ['truncated', g.slice(0, g.length - 1), 'MODEL_TRUNCATED'],
    ['flipped payload byte', flipped, 'MODEL_CHECKSUM_MISMATCH'],
    ['wrong magic', magic, 'MODEL_BAD_MAGIC'],
    ['newer major version', newer, 'MODEL_UNSUPPORTED_VERSION'],
    ['trailing bytes', trailing, 'MODEL_TRAILING_BYTES'],
    ['empty file', new Uint8Array(0), 'MODEL_EMPTY'],
  ];
}
