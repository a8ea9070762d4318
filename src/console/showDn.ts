/**
 * `show dn <number>`: what the box knows of one directory number and whether it can watch it, the
 * condition for activating Call Back on it (the phones of the number seen on the mirror port, SCCP, or CTI
 * line events of it; a number only in the static `directory` is not observable).
 */

import type { CommandOutput } from "./commandTree.js";
import type { ConsoleService } from "./context.js";

export function showDn(service: Pick<ConsoleService, "model" | "state">, dn: string): CommandOutput {
    const m = service.model;
    const v = m.dn(dn);
    const observable = m.isObservableDn(dn);
    const verdict = observable
        ? "observable: Call Back can be activated on it"
        : v.known
          ? 'NOT observable: presses get "CallBack cannot be activated"'
          : 'unknown to the box: presses get "CallBack cannot be activated"';
    const out = [
        `DN ${dn}: ${verdict}`,
        `  State      : ${v.state}${v.uncertain ? " (uncertain)" : ""} (from ${v.stateSource ?? "nothing"})`,
    ];
    if (v.devices.length === 0) out.push("  SCCP       : no phone with this number seen on the mirror port");
    for (const d of v.devices) {
        out.push(`  SCCP       : ${d.name ?? d.device} line ${d.line}, ${d.registration}, ${d.state}`);
    }
    out.push(
        v.cti === null
            ? "  CTI        : no line events"
            : `  CTI        : ${v.cti.state}${v.cti.devices.length > 0 ? `, devices ${v.cti.devices.join(", ")}` : ""}`,
    );
    for (const s of v.static) {
        out.push(`  Directory  : ${s.deviceName}${s.model !== undefined ? ` (${s.model})` : ""} (static entry)`);
    }
    const f = v.forwarding;
    if (f !== null && (f.all ?? f.busy ?? f.noAnswer) !== null) {
        out.push(`  Forwarding : all ${f.all ?? "-"}, busy ${f.busy ?? "-"}, no answer ${f.noAnswer ?? "-"}`);
    }
    const waiting = service.state.requests.filter((r) => r.calledDn === dn).length;
    out.push(`  Call-backs : ${waiting} waiting on it`);
    if (!observable) {
        out.push(
            "  To watch it: mirror its phones' SCCP (TCP 2000) to the box, or let a CTI application monitor the line (TCP 2748 on the mirror)",
        );
    }
    return out;
}
