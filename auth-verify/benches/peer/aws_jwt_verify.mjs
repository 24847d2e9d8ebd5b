// The Node.js side of `auth-verify/benches/verify_peer.rs`: awslabs' aws-jwt-verify verifying
// one Cognito access token with its keys already cached (cacheJwks: no network), on one
// thread, timed the same way as the Rust side (warm-up, then N verifications in a loop).
//
//   node aws_jwt_verify.mjs <config.json>
//
// config.json: {"nodeModules", "userPoolId", "clientId", "jwks", "token", "warmup", "iterations"}
// Prints one JSON line: {"iterations", "elapsed_ns", "signature_only_ns", "node",
// "aws_jwt_verify"}; signature_only_ns is Node's own floor, timed the same way: the bare
// RS256 check of the same token (crypto.verify on a KeyObject made once from the JWK), what
// aws-jwt-verify spends on the signature.
import { createPublicKey, verify as verifySignature } from 'node:crypto';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const require = createRequire(join(config.nodeModules, 'package.json'));
const { CognitoJwtVerifier } = require('aws-jwt-verify');
const version = JSON.parse(
  readFileSync(join(config.nodeModules, 'node_modules/aws-jwt-verify/package.json'), 'utf8'),
).version;

const verifier = CognitoJwtVerifier.create({
  userPoolId: config.userPoolId,
  tokenUse: 'access',
  clientId: config.clientId,
});
verifier.cacheJwks(config.jwks);

// Check once that the token verifies: a benchmark of refusals would measure nothing.
const payload = verifier.verifySync(config.token);
if (payload.sub !== config.expectSub) {
  throw new Error(`unexpected sub ${payload.sub}`);
}
let sink = 0;
for (let i = 0; i < config.warmup; i++) {
  sink += verifier.verifySync(config.token).exp & 1;
}
const start = process.hrtime.bigint();
for (let i = 0; i < config.iterations; i++) {
  sink += verifier.verifySync(config.token).exp & 1;
}
const elapsed = process.hrtime.bigint() - start;

const [header, body, signature] = config.token.split('.');
const input = Buffer.from(`${header}.${body}`);
const signatureBytes = Buffer.from(signature, 'base64url');
const key = createPublicKey({ key: config.jwks.keys[0], format: 'jwk' });
const check = () => verifySignature('RSA-SHA256', input, key, signatureBytes);
if (!check()) {
  throw new Error('the bare signature check refused the token');
}
for (let i = 0; i < config.warmup; i++) {
  sink += check() ? 1 : 0;
}
const floorStart = process.hrtime.bigint();
for (let i = 0; i < config.iterations; i++) {
  sink += check() ? 1 : 0;
}
const floorElapsed = process.hrtime.bigint() - floorStart;
console.log(JSON.stringify({
  iterations: config.iterations,
  elapsed_ns: Number(elapsed),
  signature_only_ns: Number(floorElapsed),
  node: process.version,
  aws_jwt_verify: version,
  sink,
}));
