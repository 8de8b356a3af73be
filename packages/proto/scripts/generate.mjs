// Generates TypeScript (ts-proto, grpc-js services) from the upstream Temporal API protos that ship inside the
// pinned @temporalio/core-bridge package, plus Tempora's own protos in <repo>/proto. Output is not committed.
// buf (binary inside its npm package) is the compiler; it supplies the well-known types itself, so the partial
// google/protobuf copy bundled with core-bridge is left out.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = join(pkgDir, '..', '..');
const staging = join(pkgDir, '.staging');
const outDir = join(pkgDir, 'src', 'generated');

const bridgeDir = dirname(require.resolve('@temporalio/core-bridge/package.json'));
const protosRoot = join(bridgeDir, 'sdk-core', 'crates', 'protos', 'protos');
const upstream = join(protosRoot, 'api_upstream');
if (!existsSync(upstream)) throw new Error(`upstream protos not found under ${upstream}`);

rmSync(staging, { recursive: true, force: true });
rmSync(outDir, { recursive: true, force: true });
mkdirSync(staging, { recursive: true });
cpSync(join(upstream, 'temporal'), join(staging, 'temporal'), { recursive: true });
cpSync(join(upstream, 'google', 'api'), join(staging, 'google', 'api'), { recursive: true });
cpSync(join(upstream, 'nexusannotations'), join(staging, 'nexusannotations'), { recursive: true });
cpSync(join(protosRoot, 'google', 'rpc'), join(staging, 'google', 'rpc'), { recursive: true });
// grpc.health.v1, which every port serves (@tempora/rpc's health.ts).
cpSync(join(protosRoot, 'grpc', 'health'), join(staging, 'grpc', 'health'), { recursive: true });
cpSync(join(repoRoot, 'proto', 'tempora'), join(staging, 'tempora'), { recursive: true });
writeFileSync(join(staging, 'buf.yaml'), 'version: v2\n');

const tsProtoPlugin = join(dirname(require.resolve('ts-proto/package.json')), 'protoc-gen-ts_proto');
const options = [
  'outputServices=grpc-js',
  'env=node',
  'esModuleInterop=true',
  'importSuffix=.js',
  'forceLong=number',
  'useDate=true',
  'outputJsonMethods=false',
  'outputPartialMethods=true',
  'useExactTypes=false',
  'exportCommonSymbols=false',
];
writeFileSync(
  join(staging, 'buf.gen.yaml'),
  [
    'version: v2',
    'plugins:',
    `  - local: ["node", ${JSON.stringify(tsProtoPlugin)}]`,
    `    out: ${JSON.stringify(outDir)}`,
    '    include_imports: true',
    '    include_wkt: true',
    '    strategy: all',
    `    opt: ${JSON.stringify(options)}`,
    '',
  ].join('\n'),
);

const bufBin = join(dirname(require.resolve('@bufbuild/buf/package.json')), 'bin', 'buf');
execFileSync(bufBin, ['generate', '--template', 'buf.gen.yaml', '.'], { cwd: staging, stdio: 'inherit' });

// forceLong=number makes every int64 beyond 2^53 a decode error. Upstream accepts any Duration and caps it at 100
// years (timestamp.ValidateAndCapProtoDuration), so Duration.seconds saturates instead; @tempora/common's duration
// helpers then cap it. Other int64 fields keep the error, which the server answers as INVALID_ARGUMENT.
const durationFile = join(outDir, 'google', 'protobuf', 'duration.ts');
const durationDecode = 'message.seconds = longToNumber(reader.int64());';
const durationSource = readFileSync(durationFile, 'utf8');
if (!durationSource.includes(durationDecode)) throw new Error(`${durationFile}: no "${durationDecode}" to patch`);
writeFileSync(
  durationFile,
  durationSource.replace(
    durationDecode,
    'message.seconds = globalThis.Math.max(globalThis.Math.min(globalThis.Number(reader.int64().toString()), ' +
      'globalThis.Number.MAX_SAFE_INTEGER), globalThis.Number.MIN_SAFE_INTEGER);',
  ),
);

// ts-proto stops decoding at 100 levels of nesting, which a failure with 99 causes inside a request reaches.
// Upstream's decoder goes much deeper (Go protobuf allows 10,000); 1,100 levels keep a JS stack safe for the
// encodes and walks that follow. Served requests get 50 levels less (src/wire.ts), so whatever a request carries
// still decodes when it is stored inside a few more messages (an event in a history, a failure in an activity).
const DECODE_DEPTH_CHECK = 'previousRecursionDepth >= 100)';
writeHttpApiModule();

let files = 0;
let depthChecks = 0;
const walk = (d) => {
  for (const f of readdirSync(d)) {
    const p = join(d, f);
    if (statSync(p).isDirectory()) walk(p);
    else {
      files++;
      const source = readFileSync(p, 'utf8');
      if (source.includes(DECODE_DEPTH_CHECK)) {
        depthChecks++;
        writeFileSync(p, source.replaceAll(DECODE_DEPTH_CHECK, 'previousRecursionDepth >= 1100)'));
      }
    }
  }
};
walk(outDir);
// src/wire.ts presets the same counter (__tsProtoDecodeDepth) on the readers it makes.
if (depthChecks === 0) throw new Error(`no "${DECODE_DEPTH_CHECK}" found to raise: did ts-proto change?`);
console.log(`generated ${files} TypeScript files into ${relative(repoRoot, outDir)}`);

// The HTTP API (grpc-gateway upstream) is driven by the `google.api.http` annotations of the public services: buf
// builds a descriptor set of the Temporal API (no source info), and its rules become a route table module, so no
// route is written by hand. The same descriptor set (base64) is what the HTTP API's proto3 JSON codec reads at run
// time, since ts-proto is built without JSON methods.
function writeHttpApiModule() {
  const image = join(staging, 'temporal-api.binpb');
  execFileSync(
    bufBin,
    ['build', '--exclude-source-info', '--path', 'temporal/api', '--path', 'google/rpc', '-o', image, '.'],
    { cwd: staging, stdio: 'inherit' },
  );
  const bytes = readFileSync(image);
  const { createFileRegistry, fromBinary, getOption, hasOption } = require('@bufbuild/protobuf');
  const { FileDescriptorSetSchema } = require('@bufbuild/protobuf/wkt');
  const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, bytes));
  const http = registry.getExtension('google.api.http');
  if (!http) throw new Error('google.api.http extension not found in the descriptor set');
  const rules = [];
  for (const serviceName of [
    'temporal.api.workflowservice.v1.WorkflowService',
    'temporal.api.operatorservice.v1.OperatorService',
  ]) {
    const service = registry.getService(serviceName);
    if (!service) throw new Error(`service ${serviceName} not found`);
    for (const method of service.methods) {
      if (!hasOption(method, http)) continue;
      const rule = getOption(method, http);
      for (const binding of [rule, ...rule.additionalBindings]) {
        const { case: verb, value } = binding.pattern;
        if (verb === undefined) continue;
        if (verb === 'custom') throw new Error(`${method.name}: custom HTTP verbs are not supported`);
        rules.push({
          service: service.name,
          method: method.name,
          httpMethod: verb.toUpperCase(),
          path: value,
          body: binding.body,
          requestType: method.input.typeName,
          responseType: method.output.typeName,
        });
      }
    }
  }
  writeFileSync(
    join(outDir, 'http-api.ts'),
    [
      '// Generated by packages/proto/scripts/generate.mjs from the google.api.http annotations. Do not edit.',
      'export interface HttpRule {',
      '  service: string;',
      '  method: string;',
      '  httpMethod: string;',
      '  path: string;',
      '  body: string;',
      '  requestType: string;',
      '  responseType: string;',
      '}',
      `export const HTTP_RULES: readonly HttpRule[] = ${JSON.stringify(rules, null, 2)};`,
      '/** FileDescriptorSet of temporal/api and google/rpc (with their imports), base64. */',
      `export const TEMPORAL_API_DESCRIPTORS = ${JSON.stringify(bytes.toString('base64'))};`,
      '',
    ].join('\n'),
  );
  console.log(`HTTP API: ${rules.length} routes`);
}
