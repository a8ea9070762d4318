/** The phone's public shapes: options with their documented defaults, calls and softkeys as the facade shows them. */
import t from "tap";
import { ManualClock } from "../../../src/sim/clock.js";
import { MemoryNetwork } from "../../../src/sim/network.js";
import type { PhoneCall, SimPhoneOptions, SoftKeyView } from "../../../src/sim/phone/types.js";
import { SimPhone } from "../../../src/sim/phone.js";

t.test("an address and a CallManager are enough; the rest has defaults", async (t) => {
    const clock = new ManualClock();
    const opts: SimPhoneOptions = { ip: "127.0.1.5", callManagers: [{ host: "127.0.0.1", port: 2000 }], clock };
    const p = new SimPhone({ ...opts, network: new MemoryNetwork(clock) });
    t.equal(p.model, "7960");
    t.equal(p.deviceName, "SEP001E4A000105");
    t.equal(p.generation, "cm4");
    t.equal(p.locale, undefined);
    const keys: SoftKeyView = p.softKeys;
    t.same(keys, { line: 0, callRef: 0, set: 0, mask: 0, labels: [] });
    const calls: PhoneCall[] = p.calls;
    t.same(calls, []);
    t.throws(() => new SimPhone({ ...opts, model: "9999" }), { code: "SIM_UNKNOWN_MODEL" });
    t.throws(() => new SimPhone({ ...opts, callManagers: [] }), { code: "SIM_NO_CALLMANAGER" });
});
