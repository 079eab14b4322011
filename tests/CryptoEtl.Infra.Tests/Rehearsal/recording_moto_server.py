"""moto_server that also writes every IAM authorization it decides to a JSON-lines file.

Usage: python3 recording_moto_server.py LOG -H 127.0.0.1 -p PORT

moto decides each request in IAMRequestBase.check_action_permitted (moto/iam/access_control.py)
once IAM enforcement is on (INITIAL_NO_AUTH_ACTION_COUNT); this wraps that method, so the log holds
exactly what moto checked: the caller's access key, the IAM action, the resource, allowed or
denied. The deployment rehearsal reads it to tell which granted actions each step used.
Signature checks are off (skip_signature says why).
"""
import json
import sys
import threading

from moto.iam import access_control
from moto.server import main

log_path = sys.argv[1]
lock = threading.Lock()
decide = access_control.IAMRequestBase.check_action_permitted


def recording(self, resource):
    allowed = False
    try:
        decide(self, resource)
        allowed = True
    finally:
        key = self._get_string_between("Credential=", "/", self._headers["Authorization"])
        line = json.dumps({"key": key, "action": self._action, "resource": resource, "allowed": allowed})
        with lock, open(log_path, "a", encoding="utf-8") as log:
            log.write(line + "\n")


def skip_signature(self):
    """moto 5.2.1 recomputes an S3 signature from the request's decoded query string, so every
    ListObjectsV2 whose prefix holds a '/' fails SignatureDoesNotMatch although the SDK signed it
    right. Signatures are not what the rehearsal checks; the access key still picks the user
    whose policies decide each request."""


access_control.IAMRequestBase.check_action_permitted = recording
access_control.IAMRequestBase.check_signature = skip_signature
main(sys.argv[2:])
