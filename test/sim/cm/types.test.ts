/** The CallManager's public shapes: every option has a default, and the facade takes them as they are. */
import t from "tap";
import { SimCallManager } from "../../../src/sim/callManager.js";
import { resolveOptions } from "../../../src/sim/cm/state.js";
import type { SimCallManagerOptions, SimDeviceConfig, SimLineConfig } from "../../../src/sim/cm/types.js";

t.test("every option but the injected ones resolves to a value", async (t) => {
    const resolved = resolveOptions({});
    const keys: (keyof SimCallManagerOptions)[] = [
        "host",
        "port",
        "generation",
        "keepAliveInterval",
        "secondaryKeepAliveInterval",
        "keepAliveTimeoutMs",
        "noAnswerTimeoutMs",
        "interDigitTimeoutMs",
        "busySignal",
        "callBackEvent",
        "media",
        "serverName",
        "autoRegister",
        "callRefBase",
    ];
    t.same(Object.keys(resolved).sort(), [...keys].sort());
    for (const k of keys) t.not(resolved[k as keyof typeof resolved], undefined, k);
});

t.test("a device is a name and lines, as numbers or line settings", async (t) => {
    const line: SimLineConfig = { dn: "1002", name: "Desk", busyTrigger: 2, forward: { noAnswer: "1001" } };
    const device: SimDeviceConfig = { deviceName: "SEP001E4A000001", lines: ["1001", line] };
    const cm = new SimCallManager({ devices: [device] });
    t.same(cm.linesOf("SEP001E4A000001"), ["1001", "1002"]);
    t.same(cm.forwarding("1002"), { all: "", busy: "", noAnswer: "1001" });
});
