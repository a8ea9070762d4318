/**
 * The console over a real serial line: a socat pty pair, the console on one end (opened by the service
 * with the serialport binding), an operator terminal on the other (serialport too), against a Call Back
 * service fed by the simulated branch office.
 */
import t from "tap";
import { hashPassword } from "../../src/console/config.js";
import { type Consoles, startConsoles } from "../../src/console/index.js";
import { type Office, startOffice } from "../e2e/helpers.js";
import { needTool } from "../helpers/tools.js";
import { HANG_MS } from "../helpers/wait.js";
import { needSerial, type PtyPair, ptyPair, Terminal } from "./helpers.js";

const skip = (await needSerial()) || needTool("xmllint", "libxml2-utils");
const HASH = hashPassword("letmein", 1024);
const ENABLE = hashPassword("enable-me", 1024);

t.test("serial console session against the simulated office", { skip }, async (t) => {
    const o: Office = await startOffice([{ dn: "1001" }, { dn: "1002" }, { dn: "1003" }]);
    t.teardown(() => o.stop());
    const pty: PtyPair = await ptyPair();
    t.teardown(() => pty.stop());
    const consoles: Consoles = await startConsoles(o.service, {
        device: pty.a,
        baudRate: 115200,
        tcpPort: null,
        passwordHash: HASH,
        enablePasswordHash: ENABLE,
        maxFailures: 2,
        // long enough that the password typed during the lockout surely arrives within it, even when loaded
        lockoutS: 3,
        providers: { version: "9.9.9", hostname: "branch1" },
    });
    t.teardown(() => consoles.close());
    await consoles.serialReady;
    const term = await Terminal.serial(pty.b);
    t.teardown(() => term.close());

    // Login: wrong twice → lockout, then the right password.
    await term.send("\r");
    await term.expect(/Password: $/);
    await term.send("nope\r");
    // (a prompt printed for the first CR may still be on its way: wait for the answer to this password)
    t.match(await term.expect(/% Login invalid[\s\S]*Password: $/), /% Login invalid/);
    await term.send("nope again\r");
    t.match(await term.expect(/locked for 3 seconds/), /Too many failures/);
    await term.send("letmein\r");
    await term.expect(/Password: $/);
    await term.send("letmein\r");
    const banner = await term.expect(/branch1>$/);
    t.notMatch(banner, /letmein/, "the password is never echoed");

    // A call-back request made through the phones: 1003 calls busy 1002 and presses CallBack.
    await o.branch.call("1001", "1002");
    await o.branch.answer("1002");
    await o.branch.call("1003", "1002");
    await o.until(() => o.branch.phone("1003").tone === 0x23, "the busy tone");
    await o.branch.press("1003", "CallBack");
    await o.until(() => o.service.state.requests.some((r) => r.phase !== "pending"), "the request");

    const cbs = await term.run("sh callb");
    t.match(cbs, /cb-\d+\s+\S+\s+1003\s+1002\s+busy/, "show callbacks lists the request (prefixes accepted)");
    t.match(await term.run("show version"), /callbackd version 9\.9\.9/);
    t.match(await term.run("show phones 1002"), /1 of 3 phones/);
    const name = o.service.model.allDevices().find((d) => d.lines.some((l) => l.dn === "1003"))?.name ?? "";
    t.match(await term.run(`show phone ${name}`), /Call-back cb-\d+ to 1002/);

    // ? without Enter, Tab completion.
    term.out = "";
    await term.send("show ?");
    t.match(await term.expect(/branch1>show $/), /callbacks\s+Call-back requests/);
    await term.send("\x15sh redu\t");
    await term.expect(/branch1>sh redundancy $/);
    t.match(await term.run(""), /CallManager/);

    // Bad command with the caret; Ctrl-C cancels a line.
    t.match(await term.run("show bogus"), /\r\n {13}\^\r\n% Invalid input detected at '\^' marker\./);
    term.out = "";
    await term.send("show version\x03");
    t.match(await term.expect(/\^C\r\nbranch1>$/), /show version/);

    // Paging on a long output.
    await term.run("terminal length 10");
    t.match(await term.run("show parameters", / --More-- $/), /Parameter/);
    await term.send(" ");
    t.match(await term.expect(/ --More-- $/), /callback\.guardTimeMs/, "space: the next page");
    await term.send("q");
    await term.expect(/branch1>$/);
    await term.run("terminal length 0");

    // Privileged: clear callback needs enable.
    t.match(await term.run("clear callback 1003"), /% Privileged command/);
    await term.send("enable\r");
    await term.expect(/Password: $/);
    await term.send("enable-me\r");
    await term.expect(/branch1#$/);
    t.match(await term.run("clear callback 1003"), /Call-back cb-\d+ cancelled/);
    await o.until(() => o.service.state.requests.length === 0, "the request to go");

    // 64 KiB of random bytes: the console survives and still answers. (Less than the session's 1 MiB input
    // queue, so the command typed after it is never dropped however far behind a loaded machine falls; what
    // lies beyond the queue is dropped by design: session.test.ts. 768 KiB took the console over a minute of
    // echo and error lines on a machine loaded 8-fold, past the suite's hang deadline, and 192 KiB once on a
    // quiet one running other suites. The console's own work is linear in the junk: session.test.ts.)
    const junk = Buffer.alloc(64 * 1024);
    let x = 7;
    for (let i = 0; i < junk.length; i++) {
        x = (x * 1103515245 + 12345) >>> 0;
        junk[i] = x >>> 24;
    }
    // Keep the junk away from the privileged commands: back to user mode first.
    await term.run("disable");
    term.out = "";
    for (let i = 0; i < junk.length; i += 64 * 1024) await term.send(junk.subarray(i, i + 64 * 1024));
    // Ctrl-C, Ctrl-U, then a command with an answer of its own: the console handles its input in order, so
    // once that answer is there every byte of junk before it was handled (a loaded machine takes seconds
    // over it; a fixed pause of 300 ms let the junk's own prompts answer the next command).
    await term.send("\x03\x15show version\r");
    const state = await term.expect(/callbackd version 9\.9\.9[\s\S]*\r\nbranch1[>#]$|Password: $/, 3 * HANG_MS);
    // The junk may have logged the session out (exit/logout typed by chance): log in again if so.
    if (/Password: $/.test(state)) {
        await term.send("letmein\r");
        await term.expect(/branch1>$/);
    }
    t.match(
        await term.run("show status", /\r\nbranch1[>#]$/),
        /Call-back requests : 0/,
        "still answers after 64 KiB of garbage",
    );
});
