import t from "tap";
import { loadConfig } from "../../src/config/load.js";
import { CONFIG_SCHEMA, defaultConfig, type SchemaNode } from "../../src/config/schema.js";
import type {
    CaptureConfig,
    Config,
    ConfigShape,
    HttpConfig,
    LogConfig,
    ReassemblyConfig,
} from "../../src/config/types.js";

// Compile-time: the hand-written section types list exactly the schema's keys (checked at run time below),
// and the parameter-derived sections have the right value types.
const captureKeys: Record<keyof CaptureConfig, true> = {
    interface: true,
    file: true,
    sccpPorts: true,
    qbePorts: true,
    filter: true,
    bufferSizeBytes: true,
    snapLength: true,
    promiscuous: true,
};
const reassemblyKeys: Record<keyof ReassemblyConfig, true> = {
    maxConnections: true,
    maxOutOfOrderBytesPerDirection: true,
    maxOutOfOrderSegmentsPerDirection: true,
    gapTimeoutMs: true,
    idleTimeoutS: true,
    memoryCapBytes: true,
};
const logKeys: Record<keyof LogConfig, true> = { level: true, modules: true, pretty: true };
const sectionKeys: Record<keyof ConfigShape, true> = {
    capture: true,
    reassembly: true,
    log: true,
    cti: true,
    service: true,
    phones: true,
    http: true,
    locale: true,
    directory: true,
    state: true,
    callback: true,
    cluster: true,
    redundancy: true,
    mqtt: true,
    console: true,
};
const httpKeys: Record<keyof HttpConfig, true> = { listen: true, publicUrl: true };

t.test("hand-written types match the schema's keys", async (t) => {
    const keysOf = (node: SchemaNode | undefined): string[] => Object.keys(node?.properties ?? {}).sort();
    t.same(Object.keys(sectionKeys).sort(), keysOf(CONFIG_SCHEMA));
    t.same(Object.keys(captureKeys).sort(), keysOf(CONFIG_SCHEMA.properties.capture));
    t.same(Object.keys(reassemblyKeys).sort(), keysOf(CONFIG_SCHEMA.properties.reassembly));
    t.same(Object.keys(httpKeys).sort(), keysOf(CONFIG_SCHEMA.properties.http));
    t.same(Object.keys(logKeys).sort(), keysOf(CONFIG_SCHEMA.properties.log));
});

t.test("derived parameter sections carry typed values", async (t) => {
    const config: Config = loadConfig({ env: {} });
    const port: number = config.cti.port;
    const retry: number = config.service.connectionRetryTimeoutMs;
    const audio: string = config.phones.audioFileName;
    t.equal(typeof port, "number");
    t.equal(typeof retry, "number");
    t.equal(typeof audio, "string");
    const shape: ConfigShape = defaultConfig();
    const readonlyView: Config = shape;
    t.equal(readonlyView.cti.port, 2748);
    // @ts-expect-error: not a key of the cti section
    t.equal(config.cti.missing, undefined);
    t.throws(() => {
        // @ts-expect-error: Config is readonly (and frozen at run time)
        config.cti.port = 1;
    }, TypeError);
});
