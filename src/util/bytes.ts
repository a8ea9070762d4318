/**
 * Integer reads from byte arrays without a DataView (the hot paths read a few words per message, and a
 * DataView per buffer would cost an allocation). The caller guarantees the bytes are there.
 */

/** Unsigned 16-bit little-endian. */
export function u16le(b: Uint8Array, o: number): number {
    return (b[o] as number) | ((b[o + 1] as number) << 8);
}

/** Signed 32-bit little-endian. */
export function i32le(b: Uint8Array, o: number): number {
    return (b[o] as number) | ((b[o + 1] as number) << 8) | ((b[o + 2] as number) << 16) | ((b[o + 3] as number) << 24);
}

/** Unsigned 32-bit little-endian. */
export function u32le(b: Uint8Array, o: number): number {
    return i32le(b, o) >>> 0;
}

/** Unsigned 32-bit big-endian (network order). */
export function u32be(b: Uint8Array, o: number): number {
    return (
        (((b[o] as number) << 24) |
            ((b[o + 1] as number) << 16) |
            ((b[o + 2] as number) << 8) |
            (b[o + 3] as number)) >>>
        0
    );
}
