/**
 * Security: text from the wire (display names, numbers) reaches the diagnostic console's terminal, which
 * interprets escape sequences. A phone (or a forged SCCP stream on the mirror) that names its line
 * "\x1b]0;…\x07\x1b[2J" must not be able to retitle, clear or reprogram the operator's terminal: no raw
 * ESC or other control byte from wire data may reach the output, only the console's own sequences.
 */
import t from "tap";
import { hashPassword, startConsoles } from "../../src/console/index.js";
import { printable } from "../../src/console/session.js";
import { Terminal } from "../console/helpers.js";
import { startOffice } from "../e2e/helpers.js";
import { needTool } from "../helpers/tools.js";

const PASSWORD = "console-test-password";
/** Control bytes, an OSC title change with BEL, a screen clear, a CSI colour, C1 CSI, DEL, and XML specials. */
const HOSTILE = "\x1b]0;pwned\x07\x1b[2J\x1b[31m<&\">'\x9b1m\x7f\x08\x00E";

/** The console's own sequences: erase line, clear screen and home (the Ctrl-L redraw). */
function withoutOwnSequences(s: string): string {
    return s.split("\x1b[2J\x1b[H").join("").split("\x1b[K").join("");
}

t.test(
    "wire text in show commands and debug traces carries no control bytes",
    { skip: needTool("xmllint", "libxml2-utils") },
    async (t) => {
        const o = await startOffice([
            { dn: "1001", name: HOSTILE },
            { dn: "1002", name: `Bob${HOSTILE}` },
            { dn: "1003", mac: "\x1b[2J\x1b]0;x\x07\x1b[m" },
        ]);
        t.teardown(() => o.stop());
        const consoles = await startConsoles(o.service, {
            tcpPort: 0,
            device: null,
            passwordHash: hashPassword(PASSWORD, 1024),
        });
        t.teardown(() => consoles.close());
        // As `callbackd run` wires it: every service event also goes to the console hub (debug traces, show log).
        const push = o.seen.push.bind(o.seen);
        o.seen.push = (...e) => {
            for (const x of e) consoles.hub.onEvent(x);
            return push(...e);
        };
        const term = await Terminal.tcp(consoles.tcpPort!);
        t.teardown(() => term.close());
        let transcript = "";
        const run = async (line: string) => {
            transcript += await term.run(line);
        };
        await term.send("\r");
        transcript += await term.expect(/Password: $/);
        await term.send(`${PASSWORD}\r`);
        transcript += await term.expect(/[>#]$/);
        await run("terminal length 0");
        await run("debug all");
        // A call between the hostile names: CallInfo carries them, the debug trace prints the events.
        await o.branch.call("1001", "1002");
        await o.branch.answer("1002");
        await o.branch.call("1003", "1002");
        await o.until(() => o.branch.phone("1003").tone === 0x23, "the busy tone");
        await o.branch.press("1003", "CallBack");
        await o.until(() => o.service.state.requests.length === 1, "the request");
        for (const cmd of ["show phones", "show lines", "show calls", "show callbacks", "show log"]) await run(cmd);
        transcript += term.out;
        const out = withoutOwnSequences(transcript);
        t.ok(out.includes("SEP?[2J?]0;X??[M "), "the hostile device name was printed, neutralised");
        t.match(out, /CallBackPressed device=SEP\?\[2J/, "also in the debug trace");
        const bad = [...out].filter((c) => {
            const n = c.codePointAt(0)!;
            return (n < 0x20 && c !== "\r" && c !== "\n") || (n >= 0x7f && n <= 0x9f);
        });
        t.same(
            bad.map((c) => c.codePointAt(0)!.toString(16)),
            [],
            "no control bytes but CR and LF outside the console's own sequences",
        );
    },
);

t.test("printable() keeps text and replaces C0, DEL and C1 controls", async (t) => {
    t.equal(printable("plain text <&>'\" äöü"), "plain text <&>'\" äöü");
    t.equal(printable(HOSTILE), "?]0;pwned??[2J?[31m<&\">'?1m???E");
    t.equal(printable("\t\r\n"), "???");
});
