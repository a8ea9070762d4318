/** Test helper: validates XSI documents against Cisco's XSD with the real xmllint (one process per batch). */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { needTool } from "../helpers/tools.js";

/** Cisco's schema (copy of ../shared/xsd/CiscoIPPhone.xsd). */
export const XSD = fileURLToPath(new URL("../fixtures/phone/CiscoIPPhone.xsd", import.meta.url));

/** Skip reason when xmllint is missing. */
export const needXmllint = (): string | false => needTool("xmllint", "libxml2-utils");

/** Validates every document; returns the names that failed with xmllint's messages (empty: all valid). */
export function xsdFailures(docs: readonly { name: string; bytes: Uint8Array }[]): Record<string, string> {
    const dir = mkdtempSync(join(tmpdir(), "callbackd-xsi-"));
    try {
        const files = docs.map((d, i) => {
            const f = join(dir, `${i}.xml`);
            writeFileSync(f, d.bytes);
            return f;
        });
        const r = spawnSync("xmllint", ["--noout", "--schema", XSD, ...files], { encoding: "utf8" });
        const failures: Record<string, string> = {};
        docs.forEach((d, i) => {
            const f = files[i]!;
            const lines = r.stderr.split("\n").filter((l) => l.startsWith(f) && !l.endsWith(" validates"));
            if (lines.length > 0) failures[d.name] = lines.join("\n");
        });
        if (r.status !== 0 && Object.keys(failures).length === 0) failures["(xmllint)"] = r.stderr;
        return failures;
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}
