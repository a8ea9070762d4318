/**
 * A capture made by the simulator, for the replay tests: 1003 calls 1002 (busy with 1001), presses
 * CallBack, hangs up; 1002 hangs up; keepalives carry the capture clock well past the guard time.
 */
import { PcapFileWriter } from "../../src/capture/pcapWriter.js";
import { configureLogging } from "../../src/logging/logger.js";
import { Branch } from "../../src/sim/branch.js";
import { ManualClock } from "../../src/sim/clock.js";
import { frameSinkOutput } from "../../src/sim/synth.js";
import { testPort } from "../helpers/ports.js";

/** A TCP port free on 127.0.0.1 right now (never a fixed one: test files run in parallel). */
export const freeLoopbackPort = (): Promise<number> => testPort();

/**
 * Records the busy Call Back into `file` (pcap); the simulated CallManager listens on `cmPort` meanwhile.
 * Returns the addresses of 1001, 1002 and 1003 as the capture has them.
 */
export async function recordBusyCallBack(file: string, cmPort: number): Promise<string[]> {
    configureLogging({ level: "silent" });
    const writer = new PcapFileWriter(file, 1, 65535, 1 << 20, { fsync: false });
    const clock = new ManualClock();
    const branch = await Branch.start({
        phones: [{ dn: "1001" }, { dn: "1002" }, { dn: "1003" }],
        clock,
        cm: { port: cmPort },
        tap: frameSinkOutput(writer.frameSink()),
    });
    try {
        const settle = async (ms: number) => {
            for (let i = 0; i < ms / 100; i++) {
                await branch.advance(100);
                await new Promise((r) => setTimeout(r, 1));
            }
        };
        await branch.call("1001", "1002");
        await branch.answer("1002");
        await branch.call("1003", "1002");
        // bounded in simulated time: a minute of office life without a busy tone is a broken simulator
        const end = clock.now() + 60_000;
        while (branch.phone("1003").tone !== 0x23) {
            if (clock.now() > end) throw new Error("1003 never heard the busy tone");
            await settle(100);
        }
        await branch.press("1003", "CallBack");
        await settle(5000);
        await branch.hangUp("1003");
        await settle(2000);
        await branch.hangUp("1002");
        // Keepalives carry the capture clock past the guard time.
        await settle(40_000);
        return ["1001", "1002", "1003"].map((dn) => branch.phone(dn).ip);
    } finally {
        await branch.stop();
        writer.close();
    }
}
