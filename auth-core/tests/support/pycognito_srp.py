"""Drive pycognito's AWSSRP with fixed inputs, for auth-core's cross-check test.

Reads one JSON object per line on stdin and writes one JSON object per line on stdout.
Input keys: kind ("user" or "device"), a_hex (the private value, big-endian hex), pool_id,
username, password, user_id_for_srp, device_group_key, device_key, salt_hex, srp_b_hex,
secret_block_b64, epoch_seconds (the fixed clock).
Output keys: srp_a, hkdf_hex, signature, timestamp, username.

pycognito draws `a` from `get_random(128)` and reads the clock through
`datetime.datetime.utcnow()`; both are replaced here so the run is deterministic.
"""

import datetime
import json
import sys

from pycognito import aws_srp

_fixed = {"a": 0, "now": None}


class _FixedDatetime(datetime.datetime):
    @classmethod
    def utcnow(cls):
        return _fixed["now"]


class _DatetimeModule:
    datetime = _FixedDatetime


aws_srp.get_random = lambda nbytes: _fixed["a"]
aws_srp.datetime = _DatetimeModule


def run(case):
    _fixed["a"] = int(case["a_hex"], 16)
    _fixed["now"] = datetime.datetime(1970, 1, 1) + datetime.timedelta(
        seconds=case["epoch_seconds"]
    )
    params = {
        "SALT": case["salt_hex"],
        "SRP_B": case["srp_b_hex"],
        "SECRET_BLOCK": case["secret_block_b64"],
        "USER_ID_FOR_SRP": case.get("user_id_for_srp", ""),
        "USERNAME": case.get("user_id_for_srp", case["username"]),
    }
    if case["kind"] == "user":
        srp = aws_srp.AWSSRP(
            username=case["username"],
            password=case["password"],
            pool_id=case["pool_id"],
            client_id="client",
            client=object(),
        )
        hkdf = srp.get_password_authentication_key(
            case["user_id_for_srp"], case["password"], int(case["srp_b_hex"], 16), case["salt_hex"]
        )
        response = srp.process_challenge(params, {"USERNAME": case["username"]})
    else:
        srp = aws_srp.AWSSRP(
            username=case["username"],
            password="unused",
            pool_id=case["pool_id"],
            client_id="client",
            client=object(),
            device_key=case["device_key"],
            device_group_key=case["device_group_key"],
            device_password=case["password"],
        )
        hkdf = srp.get_device_authentication_key(
            case["device_group_key"],
            case["device_key"],
            case["password"],
            int(case["srp_b_hex"], 16),
            case["salt_hex"],
        )
        response = srp.process_device_challenge(params)
    return {
        "srp_a": srp.get_auth_params()["SRP_A"],
        "hkdf_hex": hkdf.hex(),
        "signature": response["PASSWORD_CLAIM_SIGNATURE"],
        "timestamp": response["TIMESTAMP"],
        "username": response["USERNAME"],
    }


def main():
    for line in sys.stdin:
        line = line.strip()
        if line:
            print(json.dumps(run(json.loads(line))), flush=True)


if __name__ == "__main__":
    main()
