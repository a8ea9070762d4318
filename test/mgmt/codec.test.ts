import { readFileSync } from "node:fs";
import t from "tap";
import type { AlarmEventData } from "../../src/mgmt/alarmManager.js";
import {
    contentType,
    decodeAlarmEvent,
    decodeTelemetry,
    encodeAlarmEvent,
    encodeTelemetry,
    PROTO_TEXT,
} from "../../src/mgmt/codec.js";

t.test("the published .proto is the schema the code uses", async (t) => {
    // The build copies the published .proto beside the compiled module, which loads it at run time.
    const built = readFileSync(new URL("../../dist/mgmt/callbackd_mgmt.proto", import.meta.url), "utf8");
    t.equal(built, PROTO_TEXT);
    t.equal(contentType("AlarmEvent"), "application/x-protobuf;proto=callbackd.mgmt.v1.AlarmEvent");
});

t.test("an alarm event round-trips", async (t) => {
    const e: AlarmEventData = {
        id: "phone.push-unreachable",
        key: "phone.push-unreachable/SEP001122334455",
        resource: "SEP001122334455",
        fingerprint: "0123456789abcdef",
        severity: "minor",
        syslog: 4,
        text: "timeout",
        action: "check",
        cause: "timeout",
        labels: { site: "b1" },
        count: 3,
        firstRaised: 1_700_000_000_000,
        lastChanged: 1_700_000_000_500,
        flapping: true,
        state: "updated",
        ts: 1_700_000_000_500,
    };
    const w = decodeAlarmEvent(encodeAlarmEvent(e, 2 ** 40, 7));
    const { lastChanged: _, ...rest } = e;
    t.same(w, { ...rest, seq: 2 ** 40, session: 7 });
    t.throws(() => decodeAlarmEvent(new Uint8Array([0xff, 0xff, 0xff])));
});

t.test("telemetry round-trips; junk values become 0", async (t) => {
    const w = decodeTelemetry(
        encodeTelemetry({
            ts: 1_700_000_000_000,
            seq: 4,
            packets: 2 ** 40,
            decodeErrors: -1,
            pushLatencyP95Ms: 12.5,
            registeredPhones: Number.NaN,
            extra: { "queue.depth": 3.5, bad: Number.POSITIVE_INFINITY },
        }),
    );
    t.equal(w.packets, 2 ** 40);
    t.equal(w.decodeErrors, 0);
    t.equal(w.registeredPhones, 0);
    t.equal(w.pushLatencyP95Ms, 12.5);
    t.equal(w.seq, 4);
    t.same(w.extra, { "queue.depth": 3.5 });
});

t.test("unknown enum values and missing fields decode to safe defaults", async (t) => {
    // field 8 (state) = 9, field 9 (severity) = 7: values from a newer schema
    const w = decodeAlarmEvent(new Uint8Array([0x40, 0x09, 0x48, 0x07]));
    t.equal(w.state, "unspecified");
    t.equal(w.severity, "unspecified");
    t.same(w.labels, {});
    t.equal(w.seq, 0);
    const tel = decodeTelemetry(encodeTelemetry({ extra: { ok: 1, bad: "x" as unknown as number } }));
    t.same(tel.extra, { ok: 1 });
});
