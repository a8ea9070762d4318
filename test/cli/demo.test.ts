import { PassThrough } from "node:stream";
import t from "tap";
import { runDemo } from "../../src/cli/demo.js";
import { needTool } from "../helpers/tools.js";

t.test(
    "the built-in demo serves a call-back end to end and says so",
    { skip: needTool("xmllint", "libxml2-utils") },
    async (t) => {
        const out = new PassThrough();
        const chunks: Buffer[] = [];
        out.on("data", (c: Buffer) => chunks.push(c));
        const code = await runDemo({ out, capture: "mirror" });
        const text = Buffer.concat(chunks).toString();
        t.equal(code, 0, text);
        t.match(text, /registered with the CallManager/);
        // docs/MQTT-API.md "Embedded broker (demo)": a free loopback port, printed with the watch command
        const port =
            /embedded broker at mqtt:\/\/127\.0\.0\.1:(\d+); watch it with: mosquitto_sub -h 127\.0\.0\.1 -p (\d+) -t 'callbackd\/#' -v/.exec(
                text,
            );
        t.ok(port !== null && port[1] === port[2], "the broker's port is printed");
        t.match(text, /1003 pressed CallBack while calling 1002 \(busy\)/);
        t.match(text, /\[1003's screen\] .*Call Back is activated on 1002\. Press Cancel to deactivate\./);
        t.match(text, /\[1003 plays CallBack\.raw\]/);
        t.match(text, /1002 has become available Time \d\d:\d\d/);
        t.match(text, /the call-back ended: completed/);
        t.match(text, /The call-back was served end to end\./);
        t.notMatch(text, /demo-only-password/, "the push password is never shown");
    },
);
