import t from "tap";
import { SERVICE_PARAMETERS } from "../../src/config/parameters.js";
import {
    buildSchema,
    CONFIG_SCHEMA,
    defaultConfig,
    describeErrors,
    getValidator,
    leaves,
    requiresRestart,
    type SchemaNode,
    schemaNode,
    suggestKey,
} from "../../src/config/schema.js";
import { closest, editDistance } from "../../src/config/suggest.js";
import { ConfigError } from "../../src/errors.js";

t.test("the seven service parameters are in the schema with the seed's defaults", async (t) => {
    const seed: [string, string, number | string][] = [
        ["CTI Connecting Port", "cti.port", 2748],
        ["Provider Open Call Time Out", "cti.providerOpenTimeoutMs", 30000],
        ["HeartBeat Interval Time Out", "cti.heartbeatIntervalS", 30],
        ["Connection Retry Time Out", "service.connectionRetryTimeoutMs", 60000],
        ["Synchronous Request Time Out", "service.synchronousRequestTimeoutMs", 20000],
        ["Audio File Name", "phones.audioFileName", "CallBack.raw"],
        ["CBB Change Notification TCP Port", "service.cbbChangeNotificationPort", 2552],
    ];
    for (const [name, key, def] of seed) {
        const node = schemaNode(key);
        t.equal(node?.title, name, key);
        t.equal(node?.default, def, `${key} default`);
        t.equal(requiresRestart(key), true, `${key} requires a restart (seed: "restart the service")`);
        const p = SERVICE_PARAMETERS.find((x) => x.key === key);
        t.equal(p?.name, name);
        t.equal(p?.default, def);
        t.equal(p?.requiresRestart, true);
    }
    t.equal(schemaNode("cti.port")?.unit, "port");
    t.equal(schemaNode("cti.providerOpenTimeoutMs")?.unit, "ms");
    t.equal(schemaNode("cti.heartbeatIntervalS")?.unit, "s");
    t.equal(schemaNode("phones.audioFileName")?.unit, undefined);
});

t.test("requiresRestart answers from the schema", async (t) => {
    t.equal(requiresRestart("log.level"), false);
    t.equal(requiresRestart("log.modules"), false);
    t.equal(requiresRestart("log.modules.wire.reassembly"), false);
    t.throws(() => requiresRestart("log.modules.wire..x"), ConfigError);
    t.equal(requiresRestart("log.pretty"), false);
    t.equal(requiresRestart("log"), false, "a section with no restart key");
    t.equal(requiresRestart("capture.interface"), true);
    t.equal(requiresRestart("reassembly.memoryCapBytes"), true);
    t.equal(requiresRestart("cti"), true, "a section with a restart key");
    t.throws(() => requiresRestart("cti.prot"), {
        code: "CONFIG_INVALID",
        message: 'cti.prot: unknown key (did you mean "cti.port"?)',
    });
    t.throws(() => requiresRestart("cti..port"), ConfigError);
    t.throws(() => requiresRestart("capture.interface.x"), ConfigError);
});

t.test("every leaf has requiresRestart, a description and a default that validates", async (t) => {
    const all = leaves();
    t.ok(all.length >= 24);
    for (const { path, node } of all) {
        t.type(node.requiresRestart, "boolean", `${path} requiresRestart`);
        t.ok(node.description, `${path} description`);
        t.not(node.default, undefined, `${path} default`);
    }
    t.ok(getValidator()(defaultConfig()), "defaults validate");
    t.equal(getValidator(), getValidator(), "compiled once");
});

t.test("additionalProperties is false on every object with fixed keys", async (t) => {
    const walk = (node: SchemaNode, path: string): void => {
        if (node.properties !== undefined) {
            t.equal(node.additionalProperties, false, `${path || "(root)"} rejects unknown keys`);
            for (const [k, child] of Object.entries(node.properties)) walk(child, path ? `${path}.${k}` : k);
        }
    };
    walk(CONFIG_SCHEMA, "");
    t.same(CONFIG_SCHEMA.required, Object.keys(CONFIG_SCHEMA.properties), "every section is required");
    for (const name of [
        "capture",
        "reassembly",
        "log",
        "phones",
        "http",
        "locale",
        "directory",
        "state",
        "cti",
        "service",
    ])
        t.ok(CONFIG_SCHEMA.required?.includes(name), name);
});

t.test("the schema is generated from the parameter table (no second copy)", async (t) => {
    for (const p of SERVICE_PARAMETERS) {
        const node = schemaNode(p.key);
        t.equal(node?.type, p.type);
        t.equal(node?.minimum, "min" in p ? p.min : undefined);
        t.equal(node?.maximum, "max" in p ? p.max : undefined);
        t.equal(node?.pattern, "pattern" in p ? p.pattern : undefined);
        t.equal(node?.description, p.description);
    }
});

t.test("audio file name must be a plain file name", async (t) => {
    const v = getValidator();
    const withName = (audioFileName: unknown): unknown => ({ ...defaultConfig(), phones: { audioFileName } });
    for (const ok of ["CallBack.raw", "Ring 2.raw", "x", "..raw", "a".repeat(255)]) t.ok(v(withName(ok)), ok);
    for (const bad of [
        "",
        "a/b",
        "a\\b",
        "/etc/passwd",
        "..",
        ".",
        "C:\\TFTPPath\\CallBack.raw",
        "a\u0000b",
        "a".repeat(256),
    ]) {
        t.notOk(v(withName(bad)), JSON.stringify(bad));
    }
});

t.test("suggestions", async (t) => {
    t.equal(editDistance("port", "prot"), 2);
    t.equal(editDistance("", "abc"), 3);
    t.equal(editDistance("kitten", "sitting"), 3);
    t.equal(editDistance("abc", "abcdef", 1), 2, "bounded by length difference");
    t.equal(editDistance("abcdef", "uvwxyz", 1), 2, "bounded by row minimum");
    t.equal(closest("PORT", ["port", "ports"]), "port");
    t.equal(closest("zzzz", ["port"]), undefined);
    t.equal(suggestKey("capture.interfac"), "capture.interface");
    t.equal(suggestKey("capture.sccpPort"), "capture.sccpPorts");
    t.equal(suggestKey("snapLength"), "capture.snapLength", "found in another section");
    t.equal(suggestKey("lgo"), "log");
    t.equal(suggestKey("nothing.close"), undefined);
    t.equal(suggestKey("cti.zzzzzz"), undefined);
});

t.test("describeErrors handles paths with escaped characters and dedups", async (t) => {
    const data = { log: { modules: { "a/b": 1 } } };
    const problems = describeErrors(
        [
            { keyword: "type", instancePath: "/log/modules/a~1b", schemaPath: "", params: { type: "string" } },
            { keyword: "type", instancePath: "/log/modules/a~1b", schemaPath: "", params: { type: "string" } },
            { keyword: "required", instancePath: "", schemaPath: "", params: { missingProperty: "cti" } },
            { keyword: "custom", instancePath: "/x~0y", schemaPath: "", params: {} },
            { keyword: "type", instancePath: "", schemaPath: "", params: { type: "object" } },
        ],
        data,
    );
    t.same(problems, [
        { key: "log.modules.a/b", reason: "must be string (got 1)" },
        { key: "cti", reason: "is required" },
        { key: "x~y", reason: "custom (got nothing)" },
        { key: "(root)", reason: 'must be object (got {"log":{"modules":{"a/b":1}}})' },
    ]);
    const secret = describeErrors(
        [
            {
                keyword: "minLength",
                instancePath: "/phones/pushPassword",
                schemaPath: "",
                params: {},
                message: "must NOT have fewer than 8 characters",
            },
        ],
        { phones: { pushPassword: "abc" } },
    );
    t.same(
        secret,
        [{ key: "phones.pushPassword", reason: "must NOT have fewer than 8 characters" }],
        "secret values are not echoed",
    );
    const long = describeErrors(
        [{ keyword: "maxLength", instancePath: "/capture/filter", schemaPath: "", params: {}, message: "too long" }],
        { capture: { filter: "x".repeat(100) } },
    );
    t.match(long[0]?.reason, /^too long \(got "x{56}\.\.\.\)$/);
});

t.test("adding a parameter is one table entry: new sections appear, mistakes are caught", async (t) => {
    const extra = [
        ...SERVICE_PARAMETERS,
        {
            name: "Push Enabled",
            key: "xsi.pushEnabled",
            type: "boolean",
            unit: null,
            default: true,
            requiresRestart: false,
            description: "Push alerts to phones.",
        },
        {
            name: "Capture Retry",
            key: "capture.retryCount",
            type: "integer",
            unit: "count",
            default: 3,
            min: 0,
            requiresRestart: false,
            description: "Retries.",
        },
    ] as const;
    const schema = buildSchema(extra);
    t.match(schema.properties.xsi, {
        type: "object",
        additionalProperties: false,
        properties: { pushEnabled: { type: "boolean", default: true, requiresRestart: false } },
    });
    t.match(schema.properties.capture?.properties?.retryCount, { type: "integer", minimum: 0, unit: "count" });
    t.ok(schema.required?.includes("xsi"));
    t.same(buildSchema(), CONFIG_SCHEMA, "deterministic");
    const one = (key: string) =>
        ({ name: "X", key, type: "integer", unit: null, default: 1, requiresRestart: true, description: "x" }) as const;
    t.throws(() => buildSchema([one("flat")]), /must be <section>\.<key>: flat/);
    t.throws(() => buildSchema([one("a.b.c")]), /must be <section>\.<key>: a\.b\.c/);
    t.throws(() => buildSchema([one("cti.port"), one("cti.port")]), /duplicate config key: cti\.port/);
    t.throws(() => buildSchema([one("capture.interface")]), /duplicate config key: capture\.interface/);
});
