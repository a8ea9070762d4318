/** The command tree matcher and the event formatting, without a service. */
import t from "tap";
import {
    type ConsoleEvent,
    commandTree,
    eventChannel,
    eventDevice,
    formatEvent,
    keyValues,
    table,
} from "../../src/console/commands.js";
import { type CommandNode, complete, help, resolve } from "../../src/console/commandTree.js";
import { CONSOLE_DEFAULTS } from "../../src/console/config.js";
import { ConsoleHub, consoleOptionsFromSection } from "../../src/console/index.js";

const tree: CommandNode<null>[] = [
    {
        word: "show",
        help: "Show",
        children: [
            { word: "phones", help: "all", preferred: true, run: () => ["phones"] },
            { word: "phone", help: "one", children: [{ word: "<name>", help: "", run: () => ["one"] }] },
            { word: "calls", help: "calls", run: () => [] },
            { word: "callbacks", help: "cbs", run: () => [] },
        ],
    },
    {
        word: "set",
        help: "Set",
        privileged: true,
        children: [{ word: "<k>", help: "key", children: [{ word: "<v>", help: "value", run: () => [] }] }],
    },
];

t.test("resolve: prefixes, preferred keywords, arguments, errors", async (t) => {
    t.match(resolve(tree, "sh ph"), { kind: "ok", path: ["show", "phones"] });
    t.match(resolve(tree, "sh phone SEP1"), { kind: "ok", path: ["show", "phone", "SEP1"], args: { name: "SEP1" } });
    t.match(resolve(tree, "SHOW CALLS"), { kind: "ok", path: ["show", "calls"] }, "keywords are case-insensitive");
    t.match(resolve(tree, "sh phone"), { kind: "incomplete" }, "an exact keyword beats a preferred longer one");
    t.match(resolve(tree, "sh ca"), { kind: "ambiguous", word: "ca", at: 3 });
    t.match(resolve(tree, "show x"), { kind: "invalid", at: 5 });
    t.match(resolve(tree, "  "), { kind: "empty" });
    t.match(resolve(tree, "show"), { kind: "incomplete" });
    t.match(resolve(tree, "set a b"), { kind: "ok", privileged: true, args: { k: "a", v: "b" } });
    t.match(resolve(tree, "set a b c"), { kind: "invalid", at: 8 });
});

t.test("help and completion", async (t) => {
    t.same(help(tree, "", null), ["  show  Show", "  set   Set"]);
    t.same(help(tree, "show phone ", null), ["  <name>"]);
    t.same(help(tree, "show phones ", null), ["  <cr>"]);
    t.equal(help(tree, "show x ", null), null);
    t.same(complete(tree, "show ph", null), { candidates: ["phone", "phones"] });
    t.same(complete(tree, "sh ca", null), { candidates: ["callbacks", "calls"] });
    t.same(complete(tree, "show callb", null), { line: "show callbacks " });
    t.same(complete(tree, "show x y", null), { candidates: [] });
    t.same(complete(tree, "set ", null), { candidates: [] }, "an argument without candidates");
});

t.test("every show command has help text; the real tree resolves its own words", async (t) => {
    const real = commandTree();
    const walk = (nodes: CommandNode<unknown>[], path: string): void => {
        for (const n of nodes) {
            const p = `${path} ${n.word}`.trim();
            if (!n.word.startsWith("<")) t.ok(n.help.length > 0, `${p} has help`);
            if (n.children) walk(n.children as CommandNode<unknown>[], p);
        }
    };
    walk(real as CommandNode<unknown>[], "");
    t.match(resolve(real, "sh ph"), { kind: "ok", path: ["show", "phones"] });
    t.match(resolve(real, "clear callback cb-1"), { kind: "ok", privileged: true });
    t.match(resolve(real, "reload"), { kind: "ok", privileged: true });
    t.match(resolve(real, "show callbacks"), { kind: "ok", privileged: false });
});

t.test("formatting helpers", async (t) => {
    t.same(
        table(
            ["A", "Bb"],
            [
                ["x", "yyy"],
                ["long", ""],
            ],
        ),
        ["A     Bb", "----  ---", "x     yyy", "long"],
    );
    t.same(keyValues({ a: 1, b: { password: "p", list: [1, 2] } }, "  "), [
        "  a: 1",
        "  b.password: [Redacted]",
        "  b.list: 1, 2",
    ]);
    const reg = {
        type: "DeviceRegistered",
        t: 1,
        device: "SEP1",
        name: "SEP1",
        ip: "10.0.0.1",
        model: null,
        deviceType: 7,
        cm: "cm",
        inferred: false,
    } as ConsoleEvent;
    t.equal(eventChannel(reg), "sccp");
    t.equal(eventDevice(reg), "SEP1");
    t.match(
        formatEvent(reg, Date.UTC(2026, 0, 1, 9, 0, 0)),
        /^09:00:00 SCCP DeviceRegistered device=SEP1 name=SEP1 ip=10\.0\.0\.1 deviceType=7 cm=cm inferred=false$/,
    );
    const cti = {
        type: "CtiLinkChanged",
        t: 1,
        session: "s",
        from: null,
        to: "up",
        reason: null,
        statusFrom: "unknown",
        status: "up",
    } as ConsoleEvent;
    t.equal(eventChannel(cti), "qbe");
    t.equal(eventDevice(cti), null);
    t.equal(eventChannel({ type: "RevokeTickets", ref: "cb-1" } as ConsoleEvent), "xsi");
    t.equal(eventChannel({ type: "Persist", generation: 1 } as ConsoleEvent), "callback");
    const ended = {
        type: "RequestEnded",
        id: "cb-1",
        reason: "expired",
        detail: { password: "x" },
        request: { caller: { device: "SEP2" } },
    } as unknown as ConsoleEvent;
    t.equal(eventDevice(ended), "SEP2");
    t.match(formatEvent(ended, 0), /detail=\{"password":"\[Redacted\]"\}/);
});

t.test("console section to options", async (t) => {
    t.same(consoleOptionsFromSection(CONSOLE_DEFAULTS).tcpPort, undefined);
    t.equal(consoleOptionsFromSection({ ...CONSOLE_DEFAULTS, tcpEnabled: false }).tcpPort, null);
    t.equal(consoleOptionsFromSection(CONSOLE_DEFAULTS).device, "/dev/serial0");
});

t.test("the hub keeps bounded histories and records alarm effects", async (t) => {
    const hub = new ConsoleHub();
    for (let i = 0; i < 600; i++) hub.onEvent({ type: "Persist", generation: i } as ConsoleEvent);
    hub.onEvent({ type: "Alarm", id: "cti.down", action: "clear", details: "back" } as ConsoleEvent);
    for (let i = 0; i < 250; i++) hub.onAlarm("x", "raise", String(i));
    const h = hub.history();
    t.equal(h.events.length, 500);
    t.equal(h.alarms.length, 200);
    t.equal(hub.sessionCount, 0);
    const fresh = new ConsoleHub();
    fresh.onEvent({ type: "Alarm", id: "cti.down", action: "clear", details: "back" } as ConsoleEvent);
    t.match(fresh.history().alarms, [/CLEARED cti\.down back/]);
});
