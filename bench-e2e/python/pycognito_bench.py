"""The pycognito + boto3 comparator of the end-to-end benchmark. Benchmark code only.

Run by `auth-bench-e2e run` with the peers' Python (target/peers/venv, which has pycognito and
boto3), one scenario per process:

    python pycognito_bench.py srp-sign-in|password-credentials|fetch-1000|expired-100

The runner sets BENCH_* (pools, user, the counting proxy's URL), AWS_ENDPOINT_URL (boto3 sends
every call to the proxy) and COGNITO_JWKS (the pool's JWKS, which pycognito reads instead of
fetching it from AWS). Prints one JSON line: wall and CPU time of the measured phase, and what
the check saw; exits non-zero when the result is not real.

What each scenario uses, as a Python user would:
- (a) `Cognito.authenticate` (pycognito's SRP, which also verifies both tokens' signatures);
- (b) boto3 `initiate_auth` USER_PASSWORD_AUTH (pycognito has no helper for it), `get_id`,
  `get_credentials_for_identity`;
- (c), (d) a small session object: `Cognito.check_token(renew=True)` (decodes the access token,
  refreshes with REFRESH_TOKEN_AUTH when expired) and credentials cached until 10 s before they
  expire, behind one `threading.Lock` so that concurrent callers refresh once (pycognito has no
  single flight of its own: without the lock, each expired caller would refresh).
(d) ages the stored tokens exactly as the Rust children do (iat and exp two hours back).
"""

import base64
import json
import os
import sys
import threading
import time
import urllib.request

import boto3
from pycognito import Cognito

SEQUENTIAL_FETCHES = 1000
CONCURRENT_CALLERS = 100
TOKEN_AGE_SECS = 2 * 3600

ENDPOINT = os.environ["BENCH_ENDPOINT"]
REGION = os.environ["BENCH_REGION"]
USER_POOL_ID = os.environ["BENCH_USER_POOL_ID"]
CLIENT_ID = os.environ["BENCH_CLIENT_ID"]
IDENTITY_POOL_ID = os.environ["BENCH_IDENTITY_POOL_ID"]
USERNAME = os.environ["BENCH_USERNAME"]
PASSWORD = os.environ["BENCH_PASSWORD"]
PROVIDER = f"cognito-idp.{REGION}.amazonaws.com/{USER_POOL_ID}"


class BenchFailure(Exception):
    """The scenario's result is not real."""


def mark(which):
    """Tells the counting proxy where the measured phase begins and ends."""
    request = urllib.request.Request(
        ENDPOINT + "/__bench/mark", data=which.encode(), method="POST"
    )
    with urllib.request.urlopen(request) as response:
        response.read()


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def claims(token):
    return json.loads(b64url_decode(token.split(".")[1]))


def age(token):
    """The token with its iat and exp claims TOKEN_AGE_SECS earlier (signature unchanged)."""
    header, payload, signature = token.split(".")
    body = json.loads(b64url_decode(payload))
    body["iat"] -= TOKEN_AGE_SECS
    body["exp"] -= TOKEN_AGE_SECS
    encoded = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
    return f"{header}.{encoded}.{signature}"


class Timer:
    def __init__(self):
        self.cpu = time.process_time_ns()
        self.wall = time.perf_counter_ns()

    def stop(self, check):
        return {
            "wall_ns": time.perf_counter_ns() - self.wall,
            "cpu_ns": time.process_time_ns() - self.cpu,
            "check": check,
        }


class PySession:
    """pycognito's user plus boto3's identity client, cached credentials, one lock."""

    def __init__(self, with_identity):
        self.user = Cognito(USER_POOL_ID, CLIENT_ID, username=USERNAME)
        self.identity = boto3.client("cognito-identity") if with_identity else None
        self.lock = threading.Lock()
        self.identity_id = None
        self.credentials = None

    def sign_in_password(self):
        result = self.user.client.initiate_auth(
            ClientId=CLIENT_ID,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": USERNAME, "PASSWORD": PASSWORD},
        )["AuthenticationResult"]
        self.user.access_token = result["AccessToken"]
        self.user.id_token = result["IdToken"]
        self.user.refresh_token = result["RefreshToken"]
        self.user.verify_tokens()

    def fetch(self):
        with self.lock:
            self.user.check_token(renew=True)
            if self.identity is not None:
                fresh = self.credentials is not None and (
                    time.time() + 10 < self.credentials["Expiration"].timestamp()
                )
                if not fresh:
                    logins = {PROVIDER: self.user.id_token}
                    if self.identity_id is None:
                        self.identity_id = self.identity.get_id(
                            IdentityPoolId=IDENTITY_POOL_ID, Logins=logins
                        )["IdentityId"]
                    self.credentials = self.identity.get_credentials_for_identity(
                        IdentityId=self.identity_id, Logins=logins
                    )["Credentials"]
            return self.user.access_token, self.user.id_token, self.credentials


def srp_sign_in():
    user = Cognito(USER_POOL_ID, CLIENT_ID, username=USERNAME)
    mark("begin")
    timer = Timer()
    user.authenticate(password=PASSWORD)
    report = timer.stop("")
    mark("end")
    if not (user.access_token and user.id_token and user.refresh_token):
        raise BenchFailure("no tokens after authenticate")
    if user.check_token(renew=False):
        raise BenchFailure("expired tokens after authenticate")
    report["check"] = f"tokens for {claims(user.access_token)['username']}"
    return report


def password_credentials():
    idp = boto3.client("cognito-idp")
    identity = boto3.client("cognito-identity")
    mark("begin")
    timer = Timer()
    result = idp.initiate_auth(
        ClientId=CLIENT_ID,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": USERNAME, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    logins = {PROVIDER: result["IdToken"]}
    identity_id = identity.get_id(IdentityPoolId=IDENTITY_POOL_ID, Logins=logins)["IdentityId"]
    credentials = identity.get_credentials_for_identity(IdentityId=identity_id, Logins=logins)[
        "Credentials"
    ]
    report = timer.stop("")
    mark("end")
    if not all(credentials.get(k) for k in ("AccessKeyId", "SecretKey", "SessionToken")):
        raise BenchFailure("empty credentials")
    report["check"] = f"credentials for {identity_id}"
    return report


def fetch_1000():
    session = PySession(with_identity=True)
    session.sign_in_password()
    session.fetch()
    mark("begin")
    timer = Timer()
    for _ in range(SEQUENTIAL_FETCHES):
        access, _, credentials = session.fetch()
        if not access or credentials is None:
            raise BenchFailure("a session without tokens or credentials")
    report = timer.stop(f"{SEQUENTIAL_FETCHES} sessions with credentials")
    mark("end")
    return report


def expired_100():
    session = PySession(with_identity=False)
    session.sign_in_password()
    session.user.access_token = age(session.user.access_token)
    session.user.id_token = age(session.user.id_token)
    aged = session.user.access_token
    results = []
    errors = []

    def caller():
        try:
            results.append(session.fetch())
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    mark("begin")
    timer = Timer()
    threads = [threading.Thread(target=caller) for _ in range(CONCURRENT_CALLERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    now = time.time()
    if errors:
        raise BenchFailure(f"{len(errors)} callers failed: {errors[0]!r}")
    if len(results) != CONCURRENT_CALLERS or any(
        access == aged or claims(access)["exp"] <= now for access, _, _ in results
    ):
        raise BenchFailure("a caller got expired tokens")
    report = timer.stop(f"{CONCURRENT_CALLERS} callers got fresh tokens")
    mark("end")
    return report


SCENARIOS = {
    "srp-sign-in": srp_sign_in,
    "password-credentials": password_credentials,
    "fetch-1000": fetch_1000,
    "expired-100": expired_100,
}


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in SCENARIOS:
        print(f"usage: pycognito_bench.py {'|'.join(SCENARIOS)}", file=sys.stderr)
        return 2
    try:
        report = SCENARIOS[sys.argv[1]]()
    except Exception as error:  # noqa: BLE001 - any failure fails the run
        print(f"pycognito_bench {sys.argv[1]}: {error!r}", file=sys.stderr)
        return 1
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
