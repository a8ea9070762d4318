/**
 * Transports of the simulator. The CallManager and the phones only see `SimLink`s:
 * - `TcpNetwork`: real TCP over loopback (node:net), phones bound to their own 127.0.1.N address; it
 *   tracks bytes in flight between in-process endpoints so a caller can `settle()` (wait until every
 *   byte sent has been handled) before moving a manual clock on.
 * - `MemoryNetwork`: no sockets; bytes are delivered through the clock after a fixed latency, so a whole
 *   branch runs deterministically on a ManualClock (fast synthetic captures, benchmarks).
 * Either can mirror what each side sends into a SyntheticCapture (the "tap").
 * Callbacks rather than promises: the simulator's logic stays synchronous, which a manual clock needs.
 *
 * The transports live in network/: types.ts (links, servers), tcp.ts and memory.ts; this module re-exports them.
 */
export { MemoryNetwork } from "./network/memory.js";
export { TcpNetwork } from "./network/tcp.js";
export type * from "./network/types.js";
