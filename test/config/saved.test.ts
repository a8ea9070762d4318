/**
 * The saved running configuration and the kept desired configuration (issue T item 4): saved atomically
 * with mode 0600 in the state directory, loaded at start with the documented precedence, restart-only
 * changes in effect after a restart, and a retained desired document with a restart-only key no longer
 * pending forever.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import t, { type Test } from "tap";
import { loadConfig } from "../../src/config/load.js";
import { DESIRED_CONFIG_FILE, SAVED_CONFIG_FILE, SavedConfig } from "../../src/config/saved.js";
import type { Config } from "../../src/config/types.js";
import { ConfigControl } from "../../src/mgmt/configControl.js";
import { builtInHandlers } from "../../src/mgmt/handlers.js";

function box(t: Test, file: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}) {
    const dir = t.testdir({});
    const state = join(dir, "state");
    mkdirSync(state);
    const cfg = join(dir, "config.json");
    writeFileSync(cfg, JSON.stringify({ state: { dir: state }, ...file }));
    /** A start: the files as they are now. */
    const start = () => {
        const saved = SavedConfig.locate({ file: cfg, env });
        const boot = loadConfig(saved.loadOptions());
        const base = loadConfig(saved.loadOptions({ desired: null }));
        const applied: Config[] = [];
        const control = new ConfigControl({
            boot,
            base,
            applied: saved.desired(),
            store: saved,
            apply: (next) => void applied.push(next),
        });
        return { saved, boot, control, applied };
    };
    return { dir, state, cfg, start };
}

t.test("precedence: defaults < file < saved < environment < desired", async (t) => {
    const b = box(
        t,
        { cti: { port: 2001 }, callback: { guardTimeMs: 1000 } },
        { CALLBACKD_CALLBACK_GUARD_TIME_MS: "4000" },
    );
    writeFileSync(
        join(b.state, SAVED_CONFIG_FILE),
        JSON.stringify({ cti: { port: 2002 }, callback: { guardTimeMs: 2000 } }),
    );
    let s = b.start();
    t.equal(s.boot.cti.port, 2002, "saved over the file");
    t.equal(s.boot.callback.guardTimeMs, 4000, "the environment over saved");
    writeFileSync(
        join(b.state, DESIRED_CONFIG_FILE),
        JSON.stringify({ version: 3, config: { callback: { guardTimeMs: 3000 } } }),
    );
    s = b.start();
    t.equal(s.boot.callback.guardTimeMs, 3000, "the applied desired document over the environment");
    t.equal(s.control.appliedVersion, 3);
    writeFileSync(join(b.state, SAVED_CONFIG_FILE), '{"cti": {"port": 70000}}');
    t.throws(() => b.start(), {
        code: "CONFIG_INVALID",
        message: /cti\.port: .*\(from saved configuration .*saved-config\.json\)/,
    });
    writeFileSync(join(b.state, SAVED_CONFIG_FILE), "{");
    t.throws(() => b.start(), { code: "CONFIG_PARSE", message: /remove .*saved-config\.json to start without it/ });
});

t.test("save: only what differs, atomically, 0600; nothing to save removes the file", async (t) => {
    const b = box(t, { log: { level: "warn" } });
    const s = b.start();
    const unsetResult = await s.control.saveConfig();
    t.same(unsetResult.saved, []);
    await s.control.setParameter("cti.port", 2749);
    await s.control.setParameter("log.level", "debug");
    await s.control.setParameter("state.dir", join(b.dir, "elsewhere"));
    t.same(s.control.unsaved().sort(), ["cti.port", "log.level", "state.dir"]);
    const r = await s.control.saveConfig();
    t.same(r.saved.sort(), ["cti.port", "log.level"]);
    t.match(r.notSaved, [{ key: "state.dir", reason: /set state\.dir in the config file/ }]);
    const file = join(b.state, SAVED_CONFIG_FILE);
    t.same(JSON.parse(readFileSync(file, "utf8")), { cti: { port: 2749 }, log: { level: "debug" } });
    t.equal(statSync(file).mode & 0o777, 0o600);
    t.same(
        readdirSync(b.state).filter((f) => f.endsWith(".tmp")),
        [],
        "no temporary file left",
    );
    t.same(s.control.unsaved(), ["state.dir"]);
    // back to the file's values: the saved file goes away
    const again = b.start();
    t.equal(again.boot.cti.port, 2749, "in effect at the next start");
    t.same(again.control.pending(), [], "nothing pending after the restart");
    await again.control.setParameter("cti.port", 2748);
    await again.control.setParameter("log.level", "warn");
    t.same((await again.control.saveConfig()).saved, []);
    t.same(readdirSync(b.state), [], "removed");
});

t.test("a retained desired document with a restart-only key is pending once, not forever", async (t) => {
    const b = box(t);
    const doc = { version: 5, config: { cti: { heartbeatIntervalS: 45 }, log: { level: "debug" } } };
    const first = b.start();
    const report = await first.control.applyDesired(doc);
    t.match(report, { status: "applied", pending: [{ key: "cti.heartbeatIntervalS", running: 30, configured: 45 }] });
    t.same(JSON.parse(readFileSync(join(b.state, DESIRED_CONFIG_FILE), "utf8")), doc, "kept on flash");
    // the restart: the broker delivers the retained document again
    const second = b.start();
    t.equal(second.boot.cti.heartbeatIntervalS, 45, "in effect");
    t.equal(await second.control.applyDesired(doc), null, "the redelivery is not applied again");
    t.same(second.control.pending(), []);
    t.same(second.control.reported.pending, []);
    t.match(second.control.reported, { version: 5, appliedVersion: 5, status: "applied" });
    // a later version that drops the key: back to the start value without the desired document
    const r6 = await second.control.applyDesired({ version: 6, config: { log: { level: "debug" } } });
    t.match(r6, { status: "applied", pending: [{ key: "cti.heartbeatIntervalS", running: 45, configured: 30 }] });
    // a local change to a key the desired document sets is not saved to no effect
    await second.control.setParameter("log.level", "info");
    const saved = await second.control.saveConfig();
    t.match(saved.notSaved, [{ key: "log.level", reason: /desired configuration version 6/ }]);
});

t.test("MQTT save-config is the same operation", async (t) => {
    const b = box(t);
    const s = b.start();
    await s.control.setParameter("callback.guardTimeMs", 7000);
    const handlers = builtInHandlers({ status: async () => ({}), config: s.control, resync: async () => ({}) });
    t.equal(handlers["save-config"]?.mutating, true);
    const r = await handlers["save-config"]!.run({});
    t.match(r.data, { file: join(b.state, SAVED_CONFIG_FILE), saved: ["callback.guardTimeMs"], notSaved: [] });
    t.match(s.control.describe(), { unsaved: [] });
    const ro = new ConfigControl({ boot: s.boot, apply: () => {}, store: s.saved, readOnly: () => true });
    await t.rejects(ro.saveConfig(), { code: "forbidden" });
    const none = new ConfigControl({ boot: s.boot, apply: () => {} });
    await t.rejects(none.saveConfig(), { code: "internal", message: /no state directory/ });
});
