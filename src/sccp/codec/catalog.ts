/**
 * The message catalogue: Wireshark names by id and each id's layouts, compiled on the first lookup of the
 * id (start-up compiles none; a capture needs a few dozen of the ~170).
 */
import { type CMessage, compileMessage } from "../layout.js";
import { SCCP_LAYOUTS } from "../tables/layouts.js";
import { SCCP_MESSAGE_TABLE } from "../tables/messages.js";
import { SCCP_MAX_LENGTH } from "./types.js";

const NAME_BY_ID = new Map<number, string>();
for (const [id, name] of SCCP_MESSAGE_TABLE) NAME_BY_ID.set(id, name);
const LOW_NAMES: (string | undefined)[] = [];
for (const [id, name] of SCCP_MESSAGE_TABLE) if (id < 0x200) LOW_NAMES[id] = name;

// A message's layouts are compiled on the first lookup of its id (start-up compiles none; a capture needs a
// few dozen of the ~170); null marks an id without layouts.
const MESSAGES = new Map<number, CMessage | null>();
const LOW_MESSAGES: (CMessage | null | undefined)[] = [];

/** The compiled layouts of a message id, or undefined when it has none. */
export function messageOf(id: number): CMessage | undefined {
    const m = id < 0x200 ? LOW_MESSAGES[id] : MESSAGES.get(id);
    if (m !== undefined) return m === null ? undefined : m;
    const compiled = Object.hasOwn(SCCP_LAYOUTS, id) ? compileMessage(id, SCCP_LAYOUTS[id] ?? []) : null;
    if (id < 0x200 && id >= 0) LOW_MESSAGES[id] = compiled;
    else MESSAGES.set(id, compiled);
    return compiled === null ? undefined : compiled;
}

/** Wireshark name of a message id ("Unknown" when Wireshark 4.0 and the reference have none). */
export function sccpMessageName(id: number): string {
    const n = id < 0x200 ? LOW_NAMES[id] : NAME_BY_ID.get(id);
    return n === undefined ? "Unknown" : n;
}

/** True when the id is one the reference lists (used to judge resync candidates). */
export function isKnownSccpId(id: number): boolean {
    return (id < 0x200 ? LOW_NAMES[id] : NAME_BY_ID.get(id)) !== undefined;
}

/** Largest plausible body for an id: the largest fixed layout, or SCCP_MAX_LENGTH - 4 when unbounded/unknown. */
export function sccpMaxBody(id: number): number {
    const m = messageOf(id);
    if (m === undefined || m.maxBody === Number.POSITIVE_INFINITY) return SCCP_MAX_LENGTH - 4;
    return m.maxBody;
}

/** Smallest plausible body for an id: the smallest layout (0 for ids without one). */
export function sccpMinBody(id: number): number {
    const m = messageOf(id);
    return m === undefined ? 0 : m.minBody;
}

/** True when `decodeSccpBody` has a field layout for the id (others decode to name + raw body hex). */
export function hasSccpLayout(id: number): boolean {
    return Object.hasOwn(SCCP_LAYOUTS, id);
}
