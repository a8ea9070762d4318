/**
 * Deterministic property tests: imported for its effect by every test file that runs fast-check, it fixes
 * the seed of every property in the process (the same cases on every machine and every run), prints it, and
 * lets FC_SEED replace it to explore other cases or replay a reported failure. (The fuzz targets have their
 * own seed, FUZZ_SEED: test/fuzz/lib.ts.)
 */
import fc from "fast-check";
import t from "tap";

export const FC_SEED = Number(process.env.FC_SEED ?? 0x5eed);
fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: FC_SEED });
t.comment(`fast-check seed ${FC_SEED} (FC_SEED=${FC_SEED} replays it)`);
