/**
 * `show dn NUMBER` on the console: whether the box can observe a number (its phones on the mirror port, or
 * CTI line events of it), the condition for activating Call Back on it.
 */
import t from "tap";
import { hashPassword } from "../../src/console/config.js";
import { startConsoles } from "../../src/console/index.js";
import { needOffice, startOffice } from "../e2e/helpers.js";
import { Terminal } from "./helpers.js";

t.test(
    "show dn: seen on SCCP, only in CTI line events, only in the directory, unknown",
    { skip: needOffice() },
    async (t) => {
        const o = await startOffice(
            [{ dn: "1001" }, { dn: "1002" }, { dn: "1003" }],
            { directory: [{ dn: "2002", deviceName: "SEP00AA00BB00CC", model: "Cisco IP Phone 7940" }] },
            undefined,
            false,
            { unmirrored: ["1002"], cti: { lines: ["1002"], heartbeatS: 10 } },
        );
        t.teardown(() => o.stop());
        const consoles = await startConsoles(o.service, {
            device: null,
            tcpPort: 0,
            passwordHash: hashPassword("pw", 1024),
        });
        t.teardown(() => consoles.close());
        const term = await Terminal.tcp(consoles.tcpPort!);
        t.teardown(() => term.close());
        await term.expect(/Password: $/);
        await term.send("pw\r");
        await term.expect(/>$/);
        await term.run("terminal length 0");

        await o.branch.call("1003", "1002");
        await o.branch.answer("1002");
        const sccp = await term.run("show dn 1003");
        t.match(sccp, /DN 1003: observable: Call Back can be activated on it/);
        t.match(sccp, /SCCP {7}: SEP\S+ line 1, registered, busy/);
        const cti = await term.run("sh dn 1002");
        t.match(cti, /DN 1002: observable/);
        t.match(cti, /State {6}: busy \(from cti\)/);
        t.match(cti, /SCCP {7}: no phone with this number seen on the mirror port/);
        t.match(cti, /CTI {8}: busy/);
        const directory = await term.run("show dn 2002");
        t.match(directory, /DN 2002: NOT observable: presses get "CallBack cannot be activated"/);
        t.match(directory, /Directory {2}: SEP00AA00BB00CC \(Cisco IP Phone 7940\) \(static entry\)/);
        t.match(directory, /To watch it: mirror its phones' SCCP/);
        t.match(await term.run("show dn 4711"), /DN 4711: unknown to the box/);
        t.match(await term.run("show dn"), /% Incomplete command/);
    },
);
