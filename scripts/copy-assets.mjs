#!/usr/bin/env node
// After tsc: copies the non-TypeScript files the modules load at run time (protobuf schemas, the generated
// config validator) from src/ into dist/ beside their modules, so `new URL("./x.proto", import.meta.url)`
// and `require("./x.generated.cjs")` work in both trees.
import { copyFileSync, mkdirSync, readdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const src = join(root, "src");
const dist = join(root, "dist");
function walk(dir) {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith(".proto") || e.name.endsWith(".generated.cjs")) {
            const to = join(dist, relative(src, p));
            mkdirSync(dirname(to), { recursive: true });
            copyFileSync(p, to);
        }
    }
}
walk(src);
