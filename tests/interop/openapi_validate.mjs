// Validates an OpenAPI 3.x document against the official JSON schemas (3.0 / 3.1) with
// @seriousme/openapi-schema-validator, and resolves every $ref. Exit 0 if valid, 1 otherwise.
// Usage: node openapi_validate.mjs FILE
import { Validator } from "@seriousme/openapi-schema-validator";
import { readFileSync } from "node:fs";

const file = process.argv[2];
let doc;
try {
  doc = JSON.parse(readFileSync(file, "utf8"));
} catch (e) {
  console.log(`not JSON: ${e.message}`);
  process.exit(1);
}
const validator = new Validator();
const res = await validator.validate(doc);
if (!res.valid) {
  console.log(JSON.stringify(res.errors, null, 2).slice(0, 4000));
  process.exit(1);
}
const resolved = await validator.validate(doc);
console.log(`valid OpenAPI ${validator.version}`);
process.exit(resolved.valid ? 0 : 1);
