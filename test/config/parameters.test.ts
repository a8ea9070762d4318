import t from "tap";
import { loadConfig } from "../../src/config/load.js";
import { findParameter, parametersJson, renderParameters, SERVICE_PARAMETERS } from "../../src/config/parameters.js";

t.test("findParameter", async (t) => {
    t.equal(findParameter("cti.port")?.name, "CTI Connecting Port");
    t.equal(findParameter("log.level"), undefined);
});

t.test("every key is <section>.<camelCase> and unique", async (t) => {
    const keys = SERVICE_PARAMETERS.map((p) => p.key);
    t.equal(new Set(keys).size, keys.length);
    for (const k of keys) t.match(k, /^[a-z]+\.[a-z][A-Za-z0-9]*$/);
});

t.test("text rendering", async (t) => {
    const text = renderParameters();
    const lines = text.trimEnd().split("\n");
    t.equal(lines.length, 2 + SERVICE_PARAMETERS.length);
    t.match(lines[0], /^Name\s+Key\s+Default\s+Unit\s+Range\s+Restart$/);
    t.match(lines[1], /^-+ {2}-+/);
    t.match(text, /CTI Connecting Port\s+cti\.port\s+2748\s+port\s+1\.\.65535\s+yes/);
    t.match(text, /Audio File Name\s+phones\.audioFileName\s+CallBack\.raw\s+-\s+-\s+yes/);
    t.match(text, /HeartBeat Interval Time Out\s+cti\.heartbeatIntervalS\s+30\s+s\s+1\.\.3600\s+yes/);
    // columns line up: "Key" starts at the same offset on every line
    const keyCol = lines[0]?.indexOf("Key");
    t.equal(lines[2]?.indexOf("cti.port"), keyCol);

    const config = loadConfig({ env: {}, overrides: { cti: { port: 2749 } } });
    const withValues = renderParameters({ config, verbose: true });
    t.match(withValues, /^Name\s+Key\s+Value\s+Default/);
    t.match(withValues, /CTI Connecting Port\s+cti\.port\s+2749\s+2748/);
    t.match(withValues, /\n {4}TCP port of Cisco CTIManager/);
    t.match(renderParameters({ config: {} }), /cti\.port\s+-\s+2748/, "missing value shows -");
});

t.test("JSON rendering", async (t) => {
    const json = parametersJson();
    t.equal(json.length, SERVICE_PARAMETERS.length);
    t.same(json[0], {
        name: "CTI Connecting Port",
        key: "cti.port",
        type: "integer",
        unit: "port",
        default: 2748,
        min: 1,
        max: 65535,
        pattern: null,
        requiresRestart: true,
        description: "TCP port of Cisco CTIManager (QBE); also the default QBE port to capture.",
    });
    const audio = json.find((p) => p.key === "phones.audioFileName");
    t.equal(audio?.min, null);
    t.type(audio?.pattern, "string");
    t.notOk("value" in (json[0] ?? {}));
    const config = loadConfig({ env: {} });
    t.equal(parametersJson(config).find((p) => p.key === "service.cbbChangeNotificationPort")?.value, 2552);
    t.same(JSON.parse(JSON.stringify(json)), json, "plain JSON");
});

t.test("text rendering of other kinds of entries", async (t) => {
    const text = renderParameters({
        parameters: [
            {
                name: "Push Enabled",
                key: "xsi.pushEnabled",
                type: "boolean",
                unit: null,
                default: false,
                requiresRestart: false,
                description: "d",
            },
            {
                name: "Min Only",
                key: "xsi.minOnly",
                type: "integer",
                unit: "count",
                default: 1,
                min: 0,
                requiresRestart: true,
                description: "d",
            },
            {
                name: "Max Only",
                key: "xsi.maxOnly",
                type: "integer",
                unit: "bytes",
                default: 1,
                max: 512,
                requiresRestart: true,
                description: "d",
            },
        ],
    });
    t.match(text, /Push Enabled\s+xsi\.pushEnabled\s+false\s+-\s+-\s+no\n/);
    t.match(text, /Min Only\s+xsi\.minOnly\s+1\s+count\s+0\.\.\s+yes\n/);
    t.match(text, /Max Only\s+xsi\.maxOnly\s+1\s+bytes\s+\.\.512\s+yes\n/);
});
