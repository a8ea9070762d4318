/**
 * A phone state without sockets for the tests of the rooms of src/sim/phone: registered on a fake link
 * whose wire and session record what would be sent, with CallManager 4.1's softkey template and sets.
 */
import { EventEmitter } from "node:events";
import { ManualClock } from "../../../src/sim/clock.js";
import type { PhoneWire } from "../../../src/sim/dialect.js";
import { phoneModel } from "../../../src/sim/models.js";
import { MemoryNetwork } from "../../../src/sim/network.js";
import { createState, type LinkState, type PhoneState } from "../../../src/sim/phone/state.js";
import type { SimPhoneOptions } from "../../../src/sim/phone/types.js";
import type { SccpSession } from "../../../src/sim/session.js";
import { buildSoftKeySets, buildSoftKeyTemplate } from "../../../src/sim/softkeys.js";
import type { SimPhoneEvents } from "../../../src/sim/types.js";

export interface TestPhone {
    s: PhoneState;
    clock: ManualClock;
    events: EventEmitter<SimPhoneEvents>;
    /** What went out: "offHook(1,0)", "session.flush()". */
    sent: string[];
    link: LinkState;
}

export function testPhone(model = "7960", options: Partial<SimPhoneOptions> = {}): TestPhone {
    const clock = new ManualClock();
    const info = phoneModel(model);
    if (info === undefined) throw new Error(`no model ${model}`);
    const events = new EventEmitter<SimPhoneEvents>();
    const opts: SimPhoneOptions = { ip: "10.0.0.1", callManagers: [{ host: "10.0.0.9", port: 2000 }], ...options };
    const id = {
        deviceName: "SEP001E4A000001",
        mac: "001E4A000001",
        ip: opts.ip,
        info,
        clock,
        network: new MemoryNetwork(clock),
    };
    const s = createState(id, opts, info.generation, events);
    const sent: string[] = [];
    const record =
        (name: string) =>
        (...args: unknown[]): void => {
            sent.push(`${name}(${args.map((a) => (typeof a === "object" ? "{}" : String(a))).join(",")})`);
        };
    const link: LinkState = {
        session: new Proxy(
            { open: true, hv: 0 },
            {
                get: (t, name) => (name in t ? t[name as keyof typeof t] : record(`session.${String(name)}`)),
            },
        ) as unknown as SccpSession,
        wire: new Proxy({}, { get: (_t, name) => record(String(name)) }) as unknown as PhoneWire,
        cm: opts.callManagers[0] ?? { host: "", port: 0 },
        standby: false,
        kaTimer: null,
        missed: 0,
    };
    s.primary = link;
    s.registered = true;
    s.template = buildSoftKeyTemplate(20).map((k) => ({ code: k.code, label: k.label, wire: k.wire, event: k.event }));
    s.sets = buildSoftKeySets(true).map((x) => ({ template: x.template }));
    return { s, clock, events, sent, link };
}

/** The softkey set the CallManager selected, with every key shown. */
export function selectSet(s: PhoneState, set: number, line = 0, callRef = 0): void {
    s.softKeys = { line, callRef, set, mask: 0xffff, labels: [] };
}
