/** The SCCP tables: Wireshark's value strings (checked live against `tshark -G values`) and key constants. */
import { spawnSync } from "node:child_process";
import t from "tap";
import { CALLBACK_MODELS, DEVICE_TYPES } from "../../src/sccp/tables/deviceTypes.js";
import * as E from "../../src/sccp/tables/enums.js";
import { DISPLAY_LABELS_36, DISPLAY_LABELS_200, LABEL_CALLBACK } from "../../src/sccp/tables/labels.js";
import { SCCP_LAYOUTS } from "../../src/sccp/tables/layouts.js";
import { SCCP_MESSAGE_TABLE } from "../../src/sccp/tables/messages.js";
import { renderLabels } from "../../src/sccp/text.js";
import { needTool } from "../helpers/tools.js";

t.test("tables agree with Wireshark 4.0's value strings", { skip: needTool("tshark", "tshark") }, async (t) => {
    const out = spawnSync("tshark", ["-G", "values"], { encoding: "utf8", maxBuffer: 512 * 1024 * 1024 }).stdout;
    const ws = new Map<string, Map<number, string>>();
    for (const line of out.split("\n")) {
        const p = line.split("\t");
        if (p[0] !== "V" || !p[1]?.startsWith("skinny.")) continue;
        const field = p[1].slice(7);
        const m = ws.get(field) ?? new Map<number, string>();
        ws.set(field, m);
        m.set(Number(p[2]), p[3] as string);
    }
    const check = (field: string, table: Readonly<Record<number, string>> | Map<number, string>) => {
        const want = ws.get(field);
        if (want === undefined) return t.fail(`tshark has no skinny.${field}`);
        const have = table instanceof Map ? table : new Map(Object.entries(table).map(([k, v]) => [Number(k), v]));
        t.same(
            [...have].sort((a, b) => a[0] - b[0]),
            [...want].sort((a, b) => a[0] - b[0]),
            field,
        );
    };
    // Message names: Wireshark's list plus the two CallManager 2.x ids it lacks.
    const names = new Map(SCCP_MESSAGE_TABLE.map(([id, name]) => [id, name]));
    t.equal(names.get(0x8c), "StartMediaReception");
    t.equal(names.get(0x8d), "StopMediaReception");
    names.delete(0x8c);
    names.delete(0x8d);
    check("messageId", names);
    check("callState", E.CALL_STATES);
    check("tone", E.TONES);
    check("softKeyEvent", E.SOFTKEY_EVENTS);
    check("softKeySetIndex", E.SOFTKEY_SET_INDEXES);
    check("softKeyInfoIndex", E.SOFTKEY_INFO_INDEXES);
    check("callType", E.CALL_TYPES);
    check("stimulus", E.STIMULI);
    check("buttonDefinition", E.BUTTON_DEFINITIONS);
    check("ringMode", E.RING_MODES);
    check("lampMode", E.LAMP_MODES);
    check("deviceType", DEVICE_TYPES);
    check("kpButton", E.KEYPAD_BUTTONS);
});

t.test("key Call Back values", async (t) => {
    t.equal(DISPLAY_LABELS_200[LABEL_CALLBACK], "Callback");
    t.equal(renderLabels("\x80\x41"), "Callback");
    t.equal(renderLabels("\x80\x17321"), "From 321");
    t.equal(renderLabels("x\x80\x19"), "x Busy");
    t.equal(renderLabels("\x1e\x38 now"), "Do Not Disturb now");
    t.equal(renderLabels("\x80\x60"), "[80 60]", "unknown label keeps its code");
    t.equal(renderLabels("\x80"), "[80]", "label prefix at the end");
    t.equal(DISPLAY_LABELS_36[0x38], "Do Not Disturb");
    t.equal(E.SOFTKEY_EVENTS[65], "CallBack");
    t.equal(E.STIMULI[0x86], "CallBack");
    t.equal(E.TONES[0x23], "LineBusyTone");
    t.equal(E.TONES[0x24], "AlertingTone");
    t.equal(E.TONES[0x25], "ReorderTone");
    t.equal(E.CALL_STATES[12], "Proceed");
    t.equal(E.SOFTKEY_SET_INDEXES[8], "Ring Out");
    t.same(E.FORWARD_TYPES, { 5: "ForwardAll", 6: "ForwardBusy", 7: "ForwardNoAnswer" });
    t.equal(E.HEADER_VERSIONS[0x14], "V20");
    for (const m of CALLBACK_MODELS) for (const c of m.codes) t.ok(DEVICE_TYPES[c], `${m.model} code ${c} is known`);
    const byModel = new Map(CALLBACK_MODELS.map((m) => [m.model, m]));
    t.same(byModel.get("Cisco IP Phone 7960")?.codes, [7]);
    t.same(byModel.get("Cisco IP Phone 7912")?.codes, [30007]);
    t.equal(byModel.get("Cisco IP Phone 7905")?.role, "softkey");
    t.equal(byModel.get("CTI Route Point")?.role, "target");
    // Every layout id is a listed message.
    const ids = new Set(SCCP_MESSAGE_TABLE.map(([id]) => id));
    for (const id of Object.keys(SCCP_LAYOUTS).map(Number)) t.ok(ids.has(id), `layout 0x${id.toString(16)} is listed`);
});

t.test("enumValue gives a value by its table name, and refuses a name the table lacks", async (t) => {
    t.equal(E.enumValue(E.TONES, "ReorderTone"), 0x25);
    t.equal(E.enumValue(E.STIMULI, "CallBack"), 0x86);
    t.equal(E.enumValue(E.CALL_STATES, "Idle"), 0);
    t.throws(() => E.enumValue(E.LAMP_MODES, "Strobe"), /no Strobe/);
});
