"""A scripted server for call_status_line.sh: reason phrases of its own.
GET /slow answers 429 Slow Down (with Retry-After: 1), /colon 200 "OK: fine"
(a colon in the reason phrase); Date is fixed, so that two clients see
the same bytes."""
from scripted_server import Handler, serve


class Reasons(Handler):
    REPLIES = {"/slow": (429, "Slow Down", [("Retry-After", "1")]),
               "/colon": (200, "OK: fine", [])}

    def date_time_string(self, timestamp=None):
        return "Tue, 01 Dec 2026 00:00:00 GMT"

    def do_GET(self):
        status, reason, headers = self.REPLIES.get(self.path, (404, "Nowhere", []))
        self.send(status, {"message": reason}, headers, reason)


serve(Reasons)
