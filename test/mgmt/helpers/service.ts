/** Builds a management plane against a test broker, with a fake Call Back service. */
import { loadConfig } from "../../../src/config/load.js";
import type { Config } from "../../../src/config/types.js";
import { CallbackdError } from "../../../src/errors.js";
import type { Logger } from "../../../src/logging/logger.js";
import { createMemoryLogger, type MemoryLogger } from "../../../src/logging/memory.js";
import type { ServiceApi } from "../../../src/mgmt/commands.js";
import { MqttManagement, type MqttManagementOptions } from "../../../src/mgmt/mqttManagement.js";
import { type FlashFs, MemoryFlashFs } from "../../../src/store/flashFs.js";
import { HANG_MS } from "../../helpers/wait.js";

/** The ids of the test node. */
export const SITE = "branch1";
export const NODE = "cbk1";

class FakeServiceError extends CallbackdError {}

/** A fake ServiceApi with a tiny in-memory state. */
export function fakeService(): ServiceApi & { calls: string[] } {
    const callbacks = new Map([
        ["cb1", { id: "cb1", caller: "1001", target: "1002", state: "waiting" }],
        ["cb2", { id: "cb2", caller: "1003", target: "1004", state: "notified" }],
    ]);
    const phones = [
        { name: "SEP001122334455", number: "1001", registered: true },
        { name: "SEP00AABBCCDDEE", number: "1002", registered: false },
    ];
    const calls: string[] = [];
    return {
        calls,
        async listCallbacks(q) {
            calls.push("listCallbacks");
            const all = [...callbacks.values()].filter((c) => q.state === undefined || c.state === q.state);
            return { callbacks: all.slice(0, q.limit), total: all.length };
        },
        async cancelCallback(id) {
            calls.push(`cancelCallback ${id}`);
            const c = callbacks.get(id);
            if (c === undefined) throw new FakeServiceError("CALLBACK_NOT_FOUND", `no Call Back request ${id}`, { id });
            if (c.state !== "waiting")
                throw new FakeServiceError("CALLBACK_STATE", `request ${id} is already ${c.state}`);
            c.state = "cancelled";
            return { ...c };
        },
        async showPhones(q) {
            calls.push("showPhones");
            const list = phones.filter(
                (p) => q.filter === undefined || p.name.includes(q.filter) || p.number.includes(q.filter),
            );
            return { phones: list.slice(0, q.limit), total: list.length };
        },
        async showPhone(name) {
            calls.push(`showPhone ${name}`);
            const p = phones.find((x) => x.name === name);
            if (p === undefined) throw new FakeServiceError("PHONE_NOT_FOUND", `no phone ${name}`);
            return p;
        },
        async snapshotNow() {
            calls.push("snapshotNow");
            return { generation: 12, bytes: 345 };
        },
        async status() {
            return { callbacksWaiting: [...callbacks.values()].filter((c) => c.state === "waiting").length };
        },
    };
}

/** A started management plane and what it did. */
export interface TestPlane {
    mgmt: MqttManagement;
    applied: Config[];
    restarts: number[];
    logger: MemoryLogger;
    fs: FlashFs;
    service: ReturnType<typeof fakeService>;
}

/** Starts a management plane for `url` (MQTT 5, fast reconnect, no telemetry unless told). */
export async function startPlane(
    url: string,
    overrides: Partial<MqttManagementOptions> & { logger?: Logger; wait?: boolean } = {},
): Promise<TestPlane> {
    const applied: Config[] = [];
    const restarts: number[] = [];
    const logger = createMemoryLogger({ level: "debug" });
    const fs = overrides.flash ?? new MemoryFlashFs();
    const service = fakeService();
    const { wait = true, broker, ...rest } = overrides;
    const mgmt = new MqttManagement({
        site: SITE,
        node: NODE,
        broker: { url, reconnectMs: 100, ...broker },
        flash: fs,
        config: { boot: loadConfig({ env: {} }), apply: (next) => void applied.push(next) },
        version: "0.1.0-test",
        telemetry: { intervalMs: 0 },
        service,
        restart: () => void restarts.push(Date.now()),
        logger,
        alarms: { policies: { "mqtt.broker-lost": { raiseDelayMs: 0 } } },
        ...rest,
    });
    await mgmt.start();
    if (wait) await mgmt.waitConnected(HANG_MS);
    return { mgmt, applied, restarts, logger, fs, service };
}
