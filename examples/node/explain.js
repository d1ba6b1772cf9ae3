#!/usr/bin/env node
// Explains image files with a maskserve server, from Node.js.
//
// Usage (after `npm ci` in this directory):
//   node examples/node/explain.js --server localhost:50051 --model resnet20 IMAGE...
//
// Loads the contract from ../../proto at run time with @grpc/proto-loader (google/rpc/status.proto
// comes from ../third_party/googleapis). For every image it prints the top-1 label, its probability
// and the mask's keep fraction, unpacks the mask bits (row-major, MSB first: pixel i is bit
// 7 - i % 8 of byte i / 8) and checks that they agree with keep_fraction. Exits 1 if any call
// fails or any check does not hold.
'use strict';

const fs = require('fs');
const path = require('path');
const { parseArgs } = require('util');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const ROOT = path.resolve(__dirname, '..', '..');
const PROTO_DIR = path.join(ROOT, 'proto', 'src', 'main', 'proto');
const THIRD_PARTY = path.join(ROOT, 'examples', 'third_party', 'googleapis');

function usage(message) {
  if (message) {
    console.error(`explain.js: ${message}`);
  }
  console.error('usage: explain.js --server HOST:PORT --model NAME [--version V] [--timeout SECONDS] [--show-mask] IMAGE...');
  process.exit(2);
}

function loadExplainService() {
  const definition = protoLoader.loadSync('maskserve/v1/explain.proto', {
    includeDirs: [PROTO_DIR, THIRD_PARTY],
    keepCase: true, // field names exactly as in the .proto (request_id, keep_fraction, ...)
    longs: String, // uint64 seed as a decimal string
    enums: String,
    defaults: true,
    oneofs: true,
  });
  return grpc.loadPackageDefinition(definition).maskserve.v1.ExplainService;
}

/** The mask as an array of rows of booleans (true = pixel kept). */
function unpackMask(mask) {
  const { height: h, width: w, bits } = mask;
  if (bits.length < Math.ceil((h * w) / 8)) {
    throw new Error(`mask ${h}x${w} needs ${Math.ceil((h * w) / 8)} bytes, got ${bits.length}`);
  }
  const rows = [];
  for (let y = 0; y < h; y++) {
    const row = new Array(w);
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      row[x] = ((bits[i >> 3] >> (7 - (i & 7))) & 1) === 1;
    }
    rows.push(row);
  }
  return rows;
}

function explainOne(client, request, timeoutSeconds) {
  return new Promise((resolve, reject) => {
    const deadline = new Date(Date.now() + timeoutSeconds * 1000);
    client.Explain(request, { deadline }, (err, response) => (err ? reject(err) : resolve(response)));
  });
}

async function main() {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        server: { type: 'string' },
        model: { type: 'string' },
        version: { type: 'string', default: '' },
        timeout: { type: 'string', default: '30' },
        'show-mask': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    usage(e.message);
  }
  const { values: opts, positionals: images } = parsed;
  if (opts.help) {
    usage();
  }
  if (!opts.server || !opts.model || images.length === 0) {
    usage('--server, --model and at least one IMAGE are required');
  }
  const timeout = Number(opts.timeout);
  if (!(timeout > 0)) {
    usage(`--timeout must be a positive number of seconds, got '${opts.timeout}'`);
  }

  const ExplainService = loadExplainService();
  const client = new ExplainService(opts.server, grpc.credentials.createInsecure());
  let failures = 0;
  try {
    for (const image of images) {
      let encoded;
      try {
        encoded = fs.readFileSync(image);
      } catch (e) {
        console.error(`explain.js: ${image}: ${e.message}`);
        failures++;
        continue;
      }
      const request = {
        model: opts.model,
        version: opts.version,
        encoded,
        request_id: path.basename(image),
      };
      let r;
      try {
        r = await explainOne(client, request, timeout);
      } catch (e) {
        const code = Object.keys(grpc.status).find((k) => grpc.status[k] === e.code) || e.code;
        console.error(`explain.js: ${image}: ${code}: ${e.details || e.message}`);
        failures++;
        continue;
      }
      const top = r.predictions[0];
      const kept = unpackMask(r.mask);
      const n = r.mask.height * r.mask.width;
      const counted = kept.reduce((sum, row) => sum + row.filter(Boolean).length, 0) / n;
      const consistent = Math.abs(counted - r.mask.keep_fraction) <= 1 / n;
      console.log(
        `${image}: top-1 ${top.label} (p=${top.probability.toFixed(3)}), keep fraction ` +
          `${r.mask.keep_fraction.toFixed(3)} (bits: ${counted.toFixed(3)}, ` +
          `${consistent ? 'consistent' : 'INCONSISTENT'}), ${r.target_label} p on mask ` +
          `${r.mask.target_probability.toFixed(3)}, version ${r.version}`,
      );
      if (opts['show-mask']) {
        for (const row of kept) {
          console.log(row.map((k) => (k ? '#' : '.')).join(''));
        }
      }
      if (!consistent || r.request_id !== request.request_id) {
        console.error(`explain.js: ${image}: response failed its checks`);
        failures++;
      }
    }
  } finally {
    client.close();
  }
  return failures === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    console.error(`explain.js: ${e.message}`);
    process.exitCode = 1;
  },
);
