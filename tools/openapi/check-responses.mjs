#!/usr/bin/env node
// Checks recorded HTTP exchanges against the OpenAPI 3.0 document that declares them.
//
//   node check-responses.mjs OPENAPI.json EXCHANGES.json
//
// EXCHANGES.json: {"exchanges": [{"method", "route" (the document's path template), "request"
// (what was sent, for messages), "status", "content_type", "body"}], "unexercised": {"429":
// "why no route is driven to this status"}}.
//
// For each exchange: the operation exists; the status is declared (exactly, as NXX, or by
// default); the response's media type is declared for it; a JSON body validates (Ajv, strict
// mode, OpenAPI 3.0's `nullable`) against the declared schema, a text body against a string
// schema; a text/event-stream body is split into events whose `data` validate against the
// schemas the media type's `x-events` extension names. Then coverage: every operation of the
// document must have been exercised with every status it declares explicitly (the `default`
// response excepted), save the statuses listed in "unexercised" with a reason.
// Exits 0 when all holds; 1 with one line per failure otherwise; 2 on bad usage.
import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

const [docPath, exchangesPath] = process.argv.slice(2);
if (!docPath || !exchangesPath) {
  console.error('usage: check-responses.mjs OPENAPI.json EXCHANGES.json');
  process.exit(2);
}
const doc = JSON.parse(readFileSync(docPath, 'utf8'));
const { exchanges, unexercised = {} } = JSON.parse(readFileSync(exchangesPath, 'utf8'));
if (!doc.openapi?.startsWith('3.0.')) {
  console.error(`check-responses: expected an OpenAPI 3.0 document, got ${doc.openapi}`);
  process.exit(2);
}

// OpenAPI 3.0 schemas are a dialect of JSON Schema draft 5 that Ajv (draft-07 mode) reads, with
// `nullable` understood natively. Strict mode refuses unknown keywords, types that contradict
// their keywords and `required` names not in `properties`, so a sloppy schema fails here rather
// than in a generated client.
const ajv = new Ajv({ strict: true, allErrors: true, allowUnionTypes: false });
addFormats(ajv);
ajv.addFormat('binary', true);  // OpenAPI's format for raw bytes (request bodies only)

// Component references are rewritten to a schema holding the components, so every response
// schema compiles on its own.
const COMPONENTS = 'https://vcf-agent.dev/openapi/components';
function rewriteRefs(node) {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') {
      const m = value.match(/^#\/components\/schemas\/([^/]+)$/);
      if (!m) throw new Error(`unsupported $ref ${value}`);
      out.$ref = `${COMPONENTS}#/definitions/${m[1]}`;
    } else {
      out[key] = rewriteRefs(value);
    }
  }
  return out;
}
ajv.addSchema({ $id: COMPONENTS, definitions: rewriteRefs(doc.components?.schemas ?? {}) });

const failures = [];
const compiled = new Map();
function validator(schema, where) {
  const key = JSON.stringify(schema);
  if (!compiled.has(key)) {
    try {
      compiled.set(key, ajv.compile(rewriteRefs(schema)));
    } catch (e) {
      failures.push(`${where}: the schema does not compile: ${e.message}`);
      compiled.set(key, null);
    }
  }
  return compiled.get(key);
}
function check(schema, value, where, what) {
  if (schema === undefined || schema === null || (typeof schema === 'object' && Object.keys(schema).length === 0)) {
    failures.push(`${where}: no schema is declared (a client cannot type ${what})`);
    return;
  }
  const validate = validator(schema, where);
  if (validate && !validate(value)) {
    const errors = validate.errors.slice(0, 8).map((e) => `${e.instancePath || '(root)'} ${e.message}` +
      (e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''));
    failures.push(`${where}: ${what} does not match its schema: ${errors.join('; ')}`);
  }
}

function sseEvents(text) {
  const events = [];
  for (const block of text.split(/\n\n/)) {
    let event = 'message';
    const data = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (data.length) events.push({ event, data: data.join('\n') });
  }
  return events;
}

const seen = new Map();  // "METHOD route" -> Set of statuses
for (const [i, x] of exchanges.entries()) {
  const where = `${x.method} ${x.route} -> ${x.status} (${x.request ?? `exchange ${i}`})`;
  const op = doc.paths?.[x.route]?.[x.method.toLowerCase()];
  if (!op) {
    failures.push(`${where}: the document has no such operation`);
    continue;
  }
  const key = `${x.method.toUpperCase()} ${x.route}`;
  if (!seen.has(key)) seen.set(key, new Set());
  seen.get(key).add(String(x.status));
  const responses = op.responses ?? {};
  const response = responses[String(x.status)] ?? responses[`${String(x.status)[0]}XX`] ?? responses.default;
  if (!response) {
    failures.push(`${where}: status not declared`);
    continue;
  }
  const type = (x.content_type ?? '').split(';')[0].trim().toLowerCase();
  const content = response.content ?? {};
  if (!type) {
    if (x.body) failures.push(`${where}: a body without a Content-Type`);
    if (Object.keys(content).length) failures.push(`${where}: declared content ${Object.keys(content)} but none sent`);
    continue;
  }
  const media = content[type];
  if (!media) {
    failures.push(`${where}: Content-Type ${type} not declared (declared: ${Object.keys(content).join(', ') || 'none'})`);
    continue;
  }
  if (type === 'application/json' || type.endsWith('+json')) {
    let value;
    try {
      value = JSON.parse(x.body);
    } catch (e) {
      failures.push(`${where}: the body is not JSON: ${e.message}`);
      continue;
    }
    check(media.schema, value, where, 'the body');
  } else {
    check(media.schema, x.body, where, 'the body');
    if (type === 'text/event-stream') {
      const declared = media['x-events'];
      if (!declared) {
        failures.push(`${where}: text/event-stream without x-events (the events' data schemas)`);
        continue;
      }
      const events = sseEvents(x.body);
      if (!events.length) failures.push(`${where}: no events in the stream`);
      for (const [n, e] of events.entries()) {
        if (!(e.event in declared)) {
          failures.push(`${where}: event ${n} "${e.event}" is not declared in x-events`);
          continue;
        }
        let value;
        try {
          value = JSON.parse(e.data);
        } catch (err) {
          failures.push(`${where}: event ${n} "${e.event}": data is not JSON`);
          continue;
        }
        check(declared[e.event], value, `${where} event ${n} "${e.event}"`, 'the data');
      }
    }
  }
}

// Coverage: every operation, every status it declares.
let operations = 0;
for (const [route, item] of Object.entries(doc.paths ?? {})) {
  for (const [method, op] of Object.entries(item)) {
    if (!['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'].includes(method)) continue;
    ++operations;
    const key = `${method.toUpperCase()} ${route}`;
    const statuses = seen.get(key);
    if (!statuses) {
      failures.push(`${key}: no response of this operation was exercised`);
      continue;
    }
    for (const status of Object.keys(op.responses ?? {})) {
      if (status === 'default' || statuses.has(status) || status in unexercised) continue;
      failures.push(`${key}: declared status ${status} was not exercised`);
    }
    if (![...statuses].some((s) => s.startsWith('2'))) failures.push(`${key}: no success response was exercised`);
    if (![...statuses].some((s) => s >= '400')) failures.push(`${key}: no problem response was exercised`);
  }
}

if (failures.length) {
  for (const f of failures) console.log(f);
  console.log(`check-responses: ${failures.length} failure(s) in ${exchanges.length} exchanges over ${operations} operations`);
  process.exit(1);
}
console.log(`check-responses: ${exchanges.length} exchanges over ${operations} operations match the document`);
