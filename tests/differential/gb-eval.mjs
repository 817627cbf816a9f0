// GrowthBook's side of the differential test: reads JSON lines
// {"condition", "attributes", "savedGroups"} on stdin and prints, one line
// each, what @growthbook/growthbook's evalCondition answers: true, false or
// "error: <message>" when it throws. Imports the package from the repo's
// node_modules (`npm ci` installs it), never from anywhere else.
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
let gb;
try {
  gb = createRequire(join(root, "package.json"))("@growthbook/growthbook");
} catch (e) {
  console.error(`gb-eval: @growthbook/growthbook is not installed in ${root}/node_modules; run \`npm ci\``);
  process.exit(3);
}
// evalCondition logs unknown operators; that is not an answer.
console.error = () => {};

const out = [];
const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of rl) {
  let answer;
  try {
    const { condition, attributes, savedGroups } = JSON.parse(line);
    answer = String(gb.evalCondition(attributes, condition, savedGroups));
  } catch (e) {
    answer = `error: ${String(e && e.message).replace(/\n/g, " ")}`;
  }
  out.push(answer);
}
process.stdout.write(out.join("\n") + (out.length ? "\n" : ""));
