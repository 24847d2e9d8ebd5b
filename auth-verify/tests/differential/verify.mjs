// The other side of auth-verify/tests/peer_differential.rs: awslabs' aws-jwt-verify gives
// its verdict on every token of a corpus the Rust test generated.
//
//   node verify.mjs <dir>
//
// <dir>/config.json  {"nodeModules": "...", "userPoolId": "...", "clientId": "..."}
// <dir>/jwks.json    the pool's JWKS, loaded with cacheJwks (no network)
// <dir>/corpus.txt   one "<id|access> <token>" per line
//
// Prints one line per token, in order: "accept" or "reject <error class>".
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
const require = createRequire(join(config.nodeModules, 'package.json'));
const { CognitoJwtVerifier } = require('aws-jwt-verify');

const jwks = JSON.parse(readFileSync(join(dir, 'jwks.json'), 'utf8'));
const verifiers = {};
for (const tokenUse of ['id', 'access']) {
  const verifier = CognitoJwtVerifier.create({
    userPoolId: config.userPoolId,
    tokenUse,
    clientId: config.clientId,
  });
  verifier.cacheJwks(jwks);
  verifiers[tokenUse] = verifier;
}

const out = [];
for (const line of readFileSync(join(dir, 'corpus.txt'), 'utf8').split('\n')) {
  if (!line) continue;
  const space = line.indexOf(' ');
  const tokenUse = line.slice(0, space);
  const token = line.slice(space + 1);
  try {
    verifiers[tokenUse].verifySync(token);
    out.push('accept');
  } catch (error) {
    out.push(`reject ${error?.constructor?.name ?? 'Error'}`);
  }
}
process.stdout.write(`${out.join('\n')}\n`);
