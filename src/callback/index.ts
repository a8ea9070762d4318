/** The Call Back engine: pure core (state, input, now → state, effects), its port and options. */
export * from "./engine.js";
export * from "./options.js";
export type * from "./ports.js";
export * from "./state.js";
export type * from "./types.js";
