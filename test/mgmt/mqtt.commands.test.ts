/** Commands and desired/reported configuration, on the in-repo fake broker. */
import t from "tap";
import type { CommandResponse } from "../../src/mgmt/commands.js";
import type { ReportedConfig } from "../../src/mgmt/configControl.js";
import { nodeTopics } from "../../src/mgmt/topics.js";
import { json } from "./helpers/broker.js";
import { fakeBroker } from "./helpers/fake.js";
import { alarmEventOf } from "./helpers/payloads.js";
import { NODE, SITE, type TestPlane } from "./helpers/service.js";

const T = nodeTopics(SITE, NODE);
const REPLY = "ops/replies/test";

t.test("commands over MQTT 5 and 3.1.1, configuration desired/reported", async (t) => {
    const { watch, plane: startPlane } = fakeBroker();
    const w = await watch([REPLY, `${T.base}/#`]);
    t.teardown(() => w.close());
    const plane: TestPlane = await startPlane();
    t.teardown(() => plane.mgmt.stop());
    await w.next((m) => m.topic === T.status && json(m).online === true);

    let corr = 0;
    /** Sends a request with a response topic and correlation data; returns the response and its packet. */
    const rpc = async (command: string | null, body: unknown, raw?: string) => {
        const c = `corr-${++corr}`;
        await w.client.publishAsync(command === null ? T.cmd : T.command(command), raw ?? JSON.stringify(body), {
            qos: 1,
            properties: { responseTopic: REPLY, correlationData: Buffer.from(c) },
        });
        const m = await w.next((x) => x.topic === REPLY && x.packet.properties?.correlationData?.toString() === c);
        return { r: json<CommandResponse>(m), m };
    };

    await t.test("status: response topic, correlation data, content type and status user property", async (t) => {
        const { r, m } = await rpc("status", { id: "s1" });
        t.match(r, {
            id: "s1",
            command: "status",
            status: "ok",
            data: { site: SITE, node: NODE, session: 1, connected: true },
        });
        t.match(r.data, { service: { callbacksWaiting: 1 }, alarms: { active: 0 }, config: { appliedVersion: 0 } });
        t.equal(m.packet.properties?.contentType, "application/json");
        t.same(m.packet.properties?.userProperties, { status: "ok" });
        t.equal(m.packet.retain, false);
        const bad = await rpc("status", null, "{oops");
        t.match(bad.r, { id: null, status: "error", error: { code: "bad_request" } });
        t.same(bad.m.packet.properties?.userProperties, { status: "error", code: "bad_request" });
    });

    await t.test("every command, good and bad input", async (t) => {
        t.match((await rpc("list-callbacks", { id: "l1", args: { state: "waiting" } })).r, {
            status: "ok",
            data: { callbacks: [{ id: "cb1" }], total: 1 },
        });
        t.match((await rpc("list-callbacks", { id: "l2", args: { limit: "all" } })).r, {
            error: { code: "bad_request" },
        });
        t.match((await rpc("cancel-callback", { id: "c1", args: { id: "cb1" } })).r, {
            status: "ok",
            data: { state: "cancelled" },
        });
        t.match(
            (await rpc("cancel-callback", { id: "c1", args: { id: "cb1" } })).r,
            { status: "ok" },
            "redelivery: same answer",
        );
        t.same(
            plane.service.calls.filter((c) => c.startsWith("cancel")),
            ["cancelCallback cb1"],
            "executed once",
        );
        t.match((await rpc("cancel-callback", { id: "c2", args: { id: "cb1" } })).r, {
            error: { code: "conflict", reason: "CALLBACK_STATE" },
        });
        t.match((await rpc("cancel-callback", { id: "c3", args: { id: "nope" } })).r, {
            error: { code: "bad_request", reason: "CALLBACK_NOT_FOUND" },
        });
        t.match((await rpc("cancel-callback", { id: "c4" })).r, { error: { code: "bad_request" } });
        t.match((await rpc("show-phones", { id: "p1", args: { filter: "1002" } })).r, {
            data: { phones: [{ name: "SEP00AABBCCDDEE" }], total: 1 },
        });
        t.match((await rpc("show-phones", { id: "p2", args: { filter: "" } })).r, { error: { code: "bad_request" } });
        t.match((await rpc("show-phone", { id: "p3", args: { name: "SEP001122334455" } })).r, {
            data: { registered: true },
        });
        t.match((await rpc("show-phone", { id: "p4", args: { name: "SEP999" } })).r, {
            error: { code: "bad_request", reason: "PHONE_NOT_FOUND" },
        });
        t.match((await rpc("show-phone", { id: "p5", args: { name: "a/b" } })).r, { error: { code: "bad_request" } });
        t.match((await rpc("get-config", { id: "g1" })).r, {
            data: { version: 0, config: { cti: { port: 2748 } }, pending: [] },
        });
        t.match((await rpc("get-config", { id: "g2", args: { all: true } })).r, { error: { code: "bad_request" } });
        t.match((await rpc("set-parameter", { id: "sp1", args: { key: "cti.heartbeatIntervalS", value: 45 } })).r, {
            status: "ok",
            data: { changed: true, requiresRestart: true, pending: true },
        });
        t.match((await rpc("get-config", { id: "g3" })).r, {
            data: { pending: [{ key: "cti.heartbeatIntervalS", running: 30, configured: 45 }] },
        });
        t.match((await rpc("set-parameter", { id: "sp2", args: { key: "cti.heartbeatIntervalS", value: 0 } })).r, {
            error: { code: "bad_request", message: /cti.heartbeatIntervalS/ },
        });
        t.match((await rpc("set-parameter", { id: "sp3", args: { key: "nope.key", value: 1 } })).r, {
            error: { code: "bad_request" },
        });
        t.equal(plane.applied.length, 1);
        t.match((await rpc("set-trace-level", { id: "tl1", args: { level: "significant", module: "mgmt.demo" } })).r, {
            data: { module: "mgmt.demo", level: "debug" },
        });
        t.match((await rpc("set-trace-level", { id: "tl2", args: { level: "chatty" } })).r, {
            error: { code: "bad_request" },
        });
        t.match((await rpc("snapshot-now", { id: "sn1" })).r, { data: { generation: 12 } });
        t.match((await rpc("snapshot-now", { id: "sn2", args: { now: 1 } })).r, { error: { code: "bad_request" } });
        const before = w.on(T.status).length;
        t.match((await rpc("resync", { id: "rs1" })).r, {
            data: { republished: [T.status, T.meta, T.alarmsActive, T.configReported] },
        });
        await w.next(() => w.on(T.status).length > before);
        t.match((await rpc("resync", { id: "rs2", args: { x: 1 } })).r, { error: { code: "bad_request" } });
        t.match((await rpc("restart", { id: "rt1" })).r, { status: "accepted" });
        await new Promise((r) => setTimeout(r, 50));
        t.equal(plane.restarts.length, 1);
        t.match((await rpc("restart", { id: "rt2", args: { now: true } })).r, { error: { code: "bad_request" } });
        t.match((await rpc("frobnicate", { id: "u1" })).r, { error: { code: "unknown_command" } });
        t.match((await rpc("status", { id: "x1", expiresAt: Date.now() - 1000 })).r, { error: { code: "expired" } });
        t.match((await rpc(null, { id: "x2", command: "status" })).r, { status: "ok", command: "status" });
    });

    await t.test("without a response topic the answer goes to res/<command>", async (t) => {
        await w.client.publishAsync(T.command("show-phones"), JSON.stringify({ id: "nr1" }), { qos: 1 });
        const m = await w.next((x) => x.topic === T.response("show-phones") && json(x).id === "nr1");
        t.match(json(m), { status: "ok" });
        // a response topic pointing back into the node's input is refused: res/ is used instead
        await w.client.publishAsync(T.command("status"), JSON.stringify({ id: "nr2" }), {
            qos: 1,
            properties: { responseTopic: T.command("restart") },
        });
        const m2 = await w.next((x) => x.topic === T.response("status") && json(x).id === "nr2");
        t.match(json(m2), { status: "ok" });
        t.equal(plane.restarts.length, 1, "and nothing was restarted");
    });

    await t.test("commands only on this node's topics; retained commands are ignored", async (t) => {
        await w.client.publishAsync(`callbackd/v1/${SITE}/other/cmd/restart`, JSON.stringify({ id: "o1" }), { qos: 1 });
        await w.client.publishAsync(T.command("restart"), JSON.stringify({ id: "o2" }), { qos: 1, retain: true });
        await w.client.publishAsync(T.command("restart"), "", { qos: 1, retain: true }); // clear it again
        await new Promise((r) => setTimeout(r, 300));
        t.equal(plane.restarts.length, 1);
        const answers = w.messages.filter((m) => m.topic.includes("/res/") || m.topic === REPLY);
        t.notOk(
            answers.some((m) => m.text.includes('"o1"') || m.text.includes('"o2"')),
            "no answer to either",
        );
    });

    await t.test("desired configuration: applied, then a rejected one leaves the running configuration", async (t) => {
        await w.client.publishAsync(
            T.configDesired,
            JSON.stringify({ version: 1, config: { log: { level: "debug" } } }),
            {
                qos: 1,
                retain: true,
            },
        );
        const applied = await w.next((m) => m.topic === T.configReported && json(m).version === 1);
        t.match(json<ReportedConfig>(applied), {
            status: "applied",
            appliedVersion: 1,
            changes: ["log.level"],
            errors: [],
        });
        t.equal(applied.packet.retain, true, "reported is retained");
        t.equal(plane.mgmt.config.current.log.level, "debug");
        const eventsBefore = w.on(T.alarmsEvents).length;
        await w.client.publishAsync(
            T.configDesired,
            JSON.stringify({ version: 2, config: { log: { level: "loud" }, cti: { port: 2749 } } }),
            { qos: 1, retain: true },
        );
        const rejected = json<ReportedConfig>(
            await w.next((m) => m.topic === T.configReported && json(m).version === 2),
        );
        t.match(rejected, {
            status: "rejected",
            code: "bad_request",
            appliedVersion: 1,
            errors: [{ key: "log.level" }],
        });
        t.equal(plane.mgmt.config.current.log.level, "debug", "running configuration untouched");
        t.equal(plane.mgmt.config.current.cti.port, 2748);
        const ev = await w.next((m) => m.topic === T.alarmsEvents && w.on(T.alarmsEvents).indexOf(m) >= eventsBefore);
        t.match(alarmEventOf(ev.payload), { id: "config.rejected", state: "raised", cause: "bad_request" });
        await w.client.publishAsync(T.configDesired, JSON.stringify({ version: 3, config: {} }), {
            qos: 1,
            retain: true,
        });
        t.match(json(await w.next((m) => m.topic === T.configReported && json(m).version === 3)), {
            status: "applied",
        });
        t.equal(plane.mgmt.config.current.log.level, "info");
        const cleared = await w.next((m) => m.topic === T.alarmsEvents && alarmEventOf(m.payload).state === "cleared");
        t.equal(alarmEventOf(cleared.payload).id, "config.rejected");
        await w.client.publishAsync(T.configDesired, "", { qos: 1, retain: true });
    });
});

t.test("MQTT 3.1.1 and read-only mode", async (t) => {
    const { broker, watch, plane: startPlane } = fakeBroker();
    const w = await watch([`${T.base}/#`], { protocolVersion: 4 });
    t.teardown(() => w.close());
    const plane = await startPlane({ broker: { url: broker.url, protocolVersion: 4 }, readOnly: true });
    t.teardown(() => plane.mgmt.stop());
    await w.client.publishAsync(T.command("status"), JSON.stringify({ id: "v4" }), { qos: 1 });
    const m = await w.next((x) => x.topic === T.response("status"));
    t.match(json(m), { id: "v4", status: "ok", data: { protocolVersion: 4, readOnly: true } });
    await w.client.publishAsync(
        T.command("set-parameter"),
        JSON.stringify({ id: "ro", args: { key: "log.level", value: "debug" } }),
        {
            qos: 1,
        },
    );
    t.match(json(await w.next((x) => x.topic === T.response("set-parameter"))), {
        status: "error",
        error: { code: "forbidden" },
    });
    await w.client.publishAsync(T.configDesired, JSON.stringify({ version: 1, config: {} }), { qos: 1, retain: true });
    t.match(json(await w.next((x) => x.topic === T.configReported && json(x).version === 1)), {
        status: "rejected",
        code: "forbidden",
    });
    t.equal(plane.applied.length, 0);
});
