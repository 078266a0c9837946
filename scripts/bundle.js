#!/usr/bin/env node
/**
 * Bundles the built service (dist/apps/nomad-mcp and dist/libs, as `nest build` leaves them) with the packages
 * it loads at start-up into one file, dist/bundle/nomad-mcp.js, which bin/nomad-mcp.js runs (through a V8 code
 * cache: bin/run-bundle.js). Why: loading some 2,000 module files one by one, each resolved, read, wrapped and
 * compiled, was most of the service's start-up; one file, compiled from its cache, takes well under half of that.
 *
 * Left out (required from node_modules at run time, as before): native modules, packages that find files of
 * their own on disk or start workers, and those the service loads only when a feature is used (the MCP SDK on
 * the first MCP request, Postgres, Redis, OpenTelemetry's exporter...), whose load would only lengthen the file.
 */
const { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } = require('node:fs');
const { dirname, join, relative, sep } = require('node:path');

const root = join(__dirname, '..');
const DIST = join(root, 'dist');
const ENTRY = join(DIST, 'apps', 'nomad-mcp', 'src', 'main.js');
const OUT = join(DIST, 'bundle', 'nomad-mcp.js');
const OPERATIONS = join(DIST, 'apps', 'nomad-mcp', 'src', 'operations');
const LOADER = join(OPERATIONS, 'core', 'operation-loader.js');

const EXTERNAL = [
  // native, or finding files and workers of their own beside them
  'better-sqlite3', 'pg', 'pg-native', '@cdktf/hcl2json', 'pino-pretty', 'thread-stream', 'swagger-ui-dist',
  // loaded when a feature is first used
  '@modelcontextprotocol/sdk', 'zod', 'ajv', 'ajv-formats', 'ioredis',
  '@opentelemetry/exporter-trace-otlp-http', '@opentelemetry/sdk-trace-base', '@opentelemetry/resources',
  // optional packages Nest, Terminus and Swagger ask for only when an app uses them (this one does not)
  '@nestjs/microservices', '@nestjs/websockets', '@nestjs/platform-express', '@fastify/static', '@fastify/view',
  'class-transformer/storage', '@grpc/grpc-js', '@grpc/proto-loader', '@nestjs/sequelize', '@nestjs/typeorm', '@nestjs/mongoose',
  'typeorm', 'sequelize', 'mongoose', '@mikro-orm/core', '@nestjs/axios', '@prisma/client', 'fastify-swagger', '@fastify/swagger',
];

/** Every *.op.js below the operations folder, relative to it (what operation-loader.js would have found). */
function operationFiles(dir = OPERATIONS) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? operationFiles(join(dir, e.name)) : /\.op\.js$/.test(e.name) ? [relative(OPERATIONS, join(dir, e.name))] : [],
  );
}

/**
 * The two things a bundle changes for the service's own files: `__dirname` is the bundle's folder (so each file
 * gets its own, as if it still lay in dist/), and the operation loader gets its files as a list, not a folder.
 */
const ownFiles = {
  name: 'own-files',
  setup(build) {
    const escaped = (DIST + sep).replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
    build.onLoad({ filter: new RegExp(`^${escaped}.*\\.js$`) }, (args) => {
      let code = readFileSync(args.path, 'utf8');
      if (args.path === LOADER) {
        const list = operationFiles().sort();
        const map = list.map((rel) => `${JSON.stringify(rel)}: () => require(${JSON.stringify('../' + rel.split('\\').join('/'))})`);
        const marker = 'const BUNDLED = undefined;';
        if (!code.includes(marker)) throw new Error(`${LOADER} no longer holds "${marker}": scripts/bundle.js must follow it`);
        code = code.replace(marker, `const BUNDLED = {\n${map.join(',\n')}\n};`);
      }
      if (code.includes('__dirname')) {
        const rel = relative(dirname(OUT), dirname(args.path)).split('\\').join('/');
        code = code.replace(/\b__dirname\b/g, `require('node:path').join(__dirname, ${JSON.stringify(rel)})`);
      }
      return { contents: code, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

/**
 * Two packages the service loads at start-up whole, for a few functions or none: @nestjs/swagger's decorators use
 * some 30 of lodash's 300 functions (lodash.js defines all 300 as it loads), and class-validator loads
 * libphonenumber-js for @IsPhoneNumber, which no DTO here uses. In the bundle, `lodash` is an object whose
 * functions are lodash's own per-function modules (the same code, in the same package), each loaded when first
 * used, and libphonenumber-js loads on its first use. Their modules are in the bundle all the same. Only Swagger
 * imports lodash here, and only its functions (never lodash itself as a function, `_(x)`), which is what this serves.
 */
const lazyPackages = {
  name: 'lazy-packages',
  setup(build) {
    // the stand-ins below require the packages by absolute path, which this filter does not match
    build.onResolve({ filter: /^(lodash|libphonenumber-js\/max)$/ }, (args) => ({ path: args.path, namespace: 'lazy', pluginData: { resolveDir: args.resolveDir } }));
    build.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => {
      const dir = args.pluginData.resolveDir;
      const real = require.resolve(args.path, { paths: [dir] });
      let contents;
      if (args.path === 'lodash') {
        const lodash = require(real);
        const getters = Object.keys(lodash).map((name) => {
          const file = join(dirname(real), `${name}.js`);
          // noConflict, runInContext, VERSION and _ have no file of their own: they come from lodash.js, loaded then
          const get = existsSync(file) ? `require(${JSON.stringify(file)})` : `require(${JSON.stringify(real)})[${JSON.stringify(name)}]`;
          return `${JSON.stringify(name)}: { enumerable: true, get: () => ${get} }`;
        });
        contents = `Object.defineProperties(module.exports, {\n${getters.join(',\n')}\n});`;
      } else {
        contents = `let real;\nconst load = () => (real ??= require(${JSON.stringify(real)}));\n` +
          'module.exports = new Proxy({}, { get: (_, k) => load()[k], has: (_, k) => k in load(), ownKeys: () => Reflect.ownKeys(load()),\n' +
          '  getOwnPropertyDescriptor: (_, k) => { const d = Object.getOwnPropertyDescriptor(load(), k); return d && { ...d, configurable: true }; } });';
      }
      return { contents, loader: 'js', resolveDir: dir };
    });
  },
};

/**
 * The bundle with each UTF-16 unit over 0x7f written as \uXXXX (esbuild's ASCII output leaves regular expression
 * literals as they are). Strings, identifiers and regular expressions (with or without the u flag) read such
 * escapes as the characters they stand for; an ASCII file is what bin/run-bundle.js reads without decoding.
 */
function asciiOnly(code) {
  // "\é" (an escaped é) would become "\\u00e9", a backslash and five letters: there is none; fail if one comes
  const escaped = /\\[^\x00-\x7f]/.exec(code);
  if (escaped) throw new Error(`the bundle holds ${JSON.stringify(escaped[0])}, which asciiOnly() cannot rewrite`);
  return code.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

async function main() {
  if (!existsSync(ENTRY)) throw new Error(`${relative(root, ENTRY)} not found: build first (npx nest build nomad-mcp)`);
  mkdirSync(dirname(OUT), { recursive: true });
  const esbuild = require('esbuild');
  const result = await esbuild.build({
    entryPoints: [ENTRY],
    outfile: OUT,
    bundle: true,
    platform: 'node',
    target: `node${process.versions.node.split('.')[0]}`,
    format: 'cjs',
    external: EXTERNAL,
    plugins: [ownFiles, lazyPackages],
    // names stay: Nest's DI and error messages, and class-validator's, use class and function names
    keepNames: true,
    charset: 'ascii',
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
    write: false,
  });
  writeFileSync(OUT, asciiOnly(result.outputFiles[0].text), 'latin1');
  const inputs = Object.keys(result.metafile.inputs).length;
  process.stderr.write(`bundled ${inputs} files into ${relative(root, OUT)} (${(statSync(OUT).size / 1e6).toFixed(1)} MB)\n`);
}

main().catch((err) => {
  process.stderr.write(`bundle: ${err.message}\n`);
  process.exit(1);
});
