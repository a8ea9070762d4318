/**
 * Schema-driven QBE codec (QBE-REFERENCE.md §2-§3).
 *
 * Decoding follows the absolute offsets of every descriptor, never the order of the variable part, applies
 * the fixedSize rule of §3.4 (a shorter fixed part leaves the remaining fields absent, a longer one is
 * ignored), and never reads outside the frame: a descriptor that points outside it gives null and a
 * "problem" note. The work per frame is bounded by a budget proportional to the frame size, so shared or
 * overlapping offsets cannot blow up memory.
 *
 * Encoding lays out frames exactly as Cisco's 12.5 client library does (variable data in field order,
 * depth first, right after the fixed part; null data points at the next free byte), so the fixtures
 * round-trip byte for byte.
 *
 * The codec is split like the SCCP one: codec/types.ts (shapes, header constants), codec/decode.ts and
 * codec/encode.ts; this module re-exports them.
 */

export { decodeQbe, decodeQbeFrame, readQbeHeader } from "./codec/decode.js";
export { encodeQbe, encodeQbeRaw, type QbeEncodeOptions, type QbeUstringStyle } from "./codec/encode.js";
export {
    QBE_HEADER_SIZE,
    QBE_MAGIC,
    QBE_VERSION,
    type QbeBytes,
    QbeEncodeError,
    type QbeFields,
    type QbeHeader,
    type QbeInputFields,
    type QbeInputValue,
    type QbeMessage,
    type QbeValue,
} from "./codec/types.js";
