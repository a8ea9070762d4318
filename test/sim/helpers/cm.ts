/**
 * A CallManager state without sockets for the tests of the rooms of src/sim/cm: devices are provisioned
 * with `addDevice` and "registered" with a fake connection whose wire records what would be sent.
 */
import { EventEmitter } from "node:events";
import { ManualClock } from "../../../src/sim/clock.js";
import { addDevice } from "../../../src/sim/cm/directory.js";
import { type CmState, type Conn, createState } from "../../../src/sim/cm/state.js";
import type { SimCallManagerEvents, SimCallManagerOptions, SimDeviceConfig } from "../../../src/sim/cm/types.js";
import type { CmWire } from "../../../src/sim/dialect.js";
import type { SccpSession } from "../../../src/sim/session.js";
import type { SimGeneration } from "../../../src/sim/types.js";

export interface TestCm {
    s: CmState;
    clock: ManualClock;
    events: EventEmitter<SimCallManagerEvents>;
    /** Wire calls per device: "callState(5,1,16777217)". */
    sent: Map<string, string[]>;
    /** Provisions and registers a device on a fake link. */
    station(config: SimDeviceConfig, gen?: SimGeneration): Conn;
}

export function testCm(options: SimCallManagerOptions = {}): TestCm {
    const clock = new ManualClock();
    const events = new EventEmitter<SimCallManagerEvents>();
    const s = createState(clock, options, events);
    const sent = new Map<string, string[]>();
    return {
        s,
        clock,
        events,
        sent,
        station(config, gen = "cm4") {
            addDevice(s, config);
            const log: string[] = [];
            sent.set(config.deviceName, log);
            const record =
                (name: string) =>
                (...args: unknown[]): void => {
                    log.push(`${name}(${args.map((a) => (typeof a === "object" ? "{}" : String(a))).join(",")})`);
                };
            const wire = new Proxy({}, { get: (_t, name) => record(String(name)) }) as unknown as CmWire;
            const device = s.devices.get(config.deviceName);
            if (device === undefined) throw new Error("not provisioned");
            const conn: Conn = {
                session: new Proxy(
                    {},
                    { get: (_t, name) => record(`session.${String(name)}`) },
                ) as unknown as SccpSession,
                wire,
                gen,
                device,
                registered: true,
                lastSeen: 0,
                watchdog: null,
                ip: "10.0.0.1",
                rtpPort: 16384,
                passThrough: 0,
            };
            device.conn = conn;
            s.conns.add(conn);
            return conn;
        },
    };
}

/** Names of the wire calls a device got (arguments left out). */
export function calls(cm: TestCm, device: string): string[] {
    return (cm.sent.get(device) ?? []).map((c) => c.slice(0, c.indexOf("(")));
}
