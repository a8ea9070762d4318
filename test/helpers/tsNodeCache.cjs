// ts-node transpiler with a disk cache, named in tsconfig.json ("ts-node": {"transpiler": ...}).
//
// Every test file is its own process, and each used to transpile the whole source tree it imports again
// (ts-node's transpileOnly, ~40 ms a file): 3-4 s of CPU for a test that loads the service, most of the
// suite's CPU on a 2-core machine. This transpiles exactly as ts-node does (its own transpileModule, the
// project's compiler options, the module kind it asks for) and keeps the output, keyed by everything that
// goes into it, under node_modules/.cache/callbackd-ts/; the first process to need a file writes it, the
// others read it. A changed file, option, TypeScript or ts-node version is a different key.
"use strict";
const { createHash } = require("node:crypto");
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require("node:fs");
const { basename, dirname, join } = require("node:path");

const CACHE = join(__dirname, "../../node_modules/.cache/callbackd-ts");
const FORMAT = "2";

exports.create = function create(options) {
    const ts = options.service.projectLocalResolveHelper("typescript", true);
    const typescript = require(ts);
    const tsNodeMain = require.resolve("@isaacs/ts-node-temp-fork-for-pr-2009");
    const tsNodeVersion = require(join(dirname(tsNodeMain), "../package.json")).version;
    const { createTsTranspileModule } = require(join(dirname(tsNodeMain), "ts-transpile-module.js"));
    const compilerOptions = options.service.config.options;
    const kind = options.nodeModuleEmitKind === "nodeesm" ? "module" : "commonjs";
    let transpile = null;
    const salt = JSON.stringify([FORMAT, typescript.version, tsNodeVersion, kind, compilerOptions]);
    mkdirSync(CACHE, { recursive: true });
    return {
        transpile(input, { fileName }) {
            // The output depends on the file's name only through the source map comment's basename (ts-node
            // then rewrites the map's paths to the file's own): a clone elsewhere shares the cache.
            const key = createHash("sha256").update(salt).update("\0").update(basename(fileName)).update("\0");
            key.update(input);
            const file = join(CACHE, `${key.digest("hex")}.json`);
            try {
                return JSON.parse(readFileSync(file, "utf8"));
            } catch {
                // not cached yet (or a torn file from an interrupted run): transpile and keep it
            }
            transpile ??= createTsTranspileModule(typescript, { compilerOptions, reportDiagnostics: true });
            const result = transpile(input, { fileName }, kind);
            const out = { outputText: result.outputText, sourceMapText: result.sourceMapText, diagnostics: [] };
            if ((result.diagnostics ?? []).length > 0) return { ...out, diagnostics: result.diagnostics };
            const tmp = `${file}.${process.pid}.tmp`;
            try {
                writeFileSync(tmp, JSON.stringify(out));
                renameSync(tmp, file);
            } catch {
                // a read-only node_modules: no cache, same output
            }
            return out;
        },
    };
};
