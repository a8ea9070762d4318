/** Scenarios and checks shared by the management plane's tests on the fake broker and on Mosquitto. */
import type { Test } from "tap";
import type { AlarmManager } from "../../../src/mgmt/alarmManager.js";
import type { MqttManagement } from "../../../src/mgmt/mqttManagement.js";
import { HANG_MS } from "../../helpers/wait.js";
import { json, type Received } from "./broker.js";
import { checkStream } from "./payloads.js";

/** An alarm storm: 40 rounds, 15 ms apart, of 10 transitions (raise or clear) over 40 phones. */
function alarmStorm(a: AlarmManager): { done: Promise<void>; transitions: () => number } {
    let transitions = 0;
    const burst = (n: number) => {
        for (let i = 0; i < n; i++) {
            const r = `SEP0000000000${String(transitions % 40).padStart(2, "0")}`;
            if (a.isActive("phone.push-unreachable", { resource: r }))
                a.clear("phone.push-unreachable", { resource: r });
            else a.raise("phone.push-unreachable", { resource: r, cause: "timeout" });
            transitions++;
        }
    };
    const done = (async () => {
        for (let round = 0; round < 40; round++) {
            burst(10);
            await new Promise((r) => setTimeout(r, 15));
        }
    })();
    return { done, transitions: () => transitions };
}

/**
 * An alarm storm with a broker outage (`outage`) 150 ms into it; resolves, once the plane is back and its
 * outbox drained, with the last event's sequence number.
 */
export async function stormAcrossOutage(t: Test, mgmt: MqttManagement, outage: () => Promise<void>): Promise<number> {
    const storm = alarmStorm(mgmt.alarms);
    await new Promise((r) => setTimeout(r, 150));
    await outage();
    await storm.done;
    const transitions = storm.transitions();
    await mgmt.waitConnected(HANG_MS);
    t.ok(await mgmt.drained(HANG_MS), "the outbox drained");
    const last = mgmt.lastEventSeq;
    t.ok(last >= transitions, `${last} events for ${transitions} transitions (plus broker-lost raise/clear)`);
    return last;
}

/**
 * Checks what a consumer got of a storm across a broker outage: events 1..last once each, in order,
 * broker-lost raised and cleared among them, and the active table at the end matching the stream.
 */
export function checkStormStream(t: Test, received: Uint8Array[], last: number, a: AlarmManager): void {
    const events = checkStream(t, received, 1, last);
    t.ok(
        events.some((e) => e.id === "mqtt.broker-lost" && e.state === "raised"),
        "broker-lost was raised locally...",
    );
    t.ok(
        events.some((e) => e.id === "mqtt.broker-lost" && e.state === "cleared"),
        "...and published on return",
    );
    const active = new Set<string>();
    for (const e of events) {
        if (e.state === "raised") active.add(e.key);
        else if (e.state === "cleared") active.delete(e.key);
    }
    t.same(
        [...active].sort(),
        a
            .active()
            .map((x) => x.key)
            .sort(),
        "the active table matches the stream's final state",
    );
}

/** Checks a birth on `status` (retained, the session, version "child", a boot id). */
export function checkBirth(t: Test, birth: Received): void {
    t.match(json(birth), { online: true, session: 1, version: "child", readOnly: false });
    t.match(json(birth).boot, /^[0-9a-f-]{36}$/);
    t.equal(birth.packet.retain, true, "birth is retained");
}

/** Checks the Will on `status`: the birth's session, not clean, when it connected but no `ts`, retained. */
export function checkWill(t: Test, death: Received): void {
    t.match(json(death), { online: false, session: 1, clean: false }, "the Will arrives, with the birth's session");
    // the Will is fixed at connect: it says when that was, not a publication time it cannot know (issue T item 11)
    t.notOk("ts" in json(death), "no ts in the Will");
    t.ok(
        typeof json(death).connectedAt === "number" && (json(death).connectedAt as number) > 1.5e12,
        "connectedAt in ms",
    );
    t.equal(death.packet.retain, true);
}
