/** Hostile operator input, half 2 of the table in operatorInputs.ts. */
import t from "tap";
import { operatorCases, testHalf } from "./operatorInputs.js";

const dir = t.testdir({});
const CASES = operatorCases(dir);

testHalf(t, dir, CASES, 1);
