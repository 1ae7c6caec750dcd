"""send_inform for a Django (or any Python) backend: publish through the Tidings HTTP API, stdlib only."""
import json, os, urllib.request

def send_inform(to, kind, dedupe_key=None, **data):
    body = {"to": to, "kind": kind, "data": data, **({"dedupeKey": dedupe_key} if dedupe_key else {})}
    req = urllib.request.Request(os.environ.get("TIDINGS_URL", "http://127.0.0.1:8006") + "/v1/notifications",
        data=json.dumps(body).encode(), headers={"Authorization": "Bearer " + os.environ["TIDINGS_API_KEY"],
                                                 "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as resp:  # HTTPError on 4xx/5xx; on 503 retry with the same dedupe_key
        return json.load(resp)  # 201: the stored notification (seq, unread), answered after the commit
