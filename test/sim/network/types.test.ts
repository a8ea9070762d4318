/** Both transports offer the same SimNetwork: what the CallManager and the phones rely on. */
import t from "tap";
import { ManualClock } from "../../../src/sim/clock.js";
import { MemoryNetwork } from "../../../src/sim/network/memory.js";
import { TcpNetwork } from "../../../src/sim/network/tcp.js";
import type { SimNetwork } from "../../../src/sim/network/types.js";

t.test("listen, connect, settle and the tap are there on both", async (t) => {
    const nets: SimNetwork[] = [new MemoryNetwork(new ManualClock()), new TcpNetwork()];
    for (const n of nets) {
        t.type(n.listen, "function");
        t.type(n.connect, "function");
        t.type(n.settle, "function");
        t.equal(n.tap, null, "no tap until one is set");
        await n.settle();
    }
});
