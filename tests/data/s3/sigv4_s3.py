"""An S3 endpoint on 127.0.0.1 that checks every signed request's
Signature Version 4 with botocore, the AWS SDK for Python's own signer,
the way S3 checks it: the key is decoded from the path and encoded again
as AWS clients sign it, only the headers the client says it signed count,
the date comes from x-amz-date, and the body must hash to
x-amz-content-sha256. A request that fails gets S3's error document
(403 SignatureDoesNotMatch, 400 XAmzContentSHA256Mismatch...).

Objects live in memory: PUT, GET, HEAD, DELETE on /BUCKET/KEY (path-style),
and ListObjectsV2 (GET /BUCKET?list-type=2&prefix=...) two keys a page, so
that continuation tokens (holding `/` and `=`) are signed in queries too.
GET and HEAD without a signature are answered, so tests can read back.

Usage: python sigv4_s3.py PORT ACCESS_KEY SECRET_KEY
Needs botocore (scripts/test-tools.sh installs it with moto).
"""

import hashlib
import re
import sys
from xml.sax.saxutils import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.utils import percent_encode

AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/s3/aws4_request, "
    r"SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$"
)
STORED_HEADERS = ("content-type", "cache-control", "content-encoding",
                  "x-amz-website-redirect-location", "x-amz-meta-grove-site")
PAGE = 2

PORT, ACCESS_KEY, SECRET_KEY = int(sys.argv[1]), sys.argv[2], sys.argv[3]
OBJECTS = {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def error(self, status, code, message):
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{code}</Code><Message>{escape(message)}</Message></Error>"
        ).encode()
        self.answer(status, body, [("Content-Type", "application/xml")])

    def key(self):
        return unquote(urlsplit(self.path).path)

    def body(self):
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))

    def refusal(self, body):
        """Why the request's signature is not S3's, or None."""
        match = AUTHORIZATION.match(self.headers.get("Authorization", ""))
        if not match:
            return 403, "AccessDenied", "no SigV4 Authorization header"
        access, date, region, signed, signature = match.groups()
        if access != ACCESS_KEY:
            return 403, "InvalidAccessKeyId", access
        amz_date = self.headers.get("x-amz-date", "")
        if amz_date[:8] != date:
            return 403, "SignatureDoesNotMatch", "date outside the credential scope"
        names = signed.split(";")
        missing = [n for n in names if n not in self.headers]
        if "host" not in names or missing:
            return 403, "AccessDenied", f"signed headers not sent: {missing}"
        split = urlsplit(self.path)
        path = percent_encode(unquote(split.path), safe="/~")
        url = f"http://{self.headers['host']}{path}"
        if split.query:
            # S3 decodes the query and encodes it again, as it does paths.
            pairs = parse_qsl(split.query, keep_blank_values=True)
            url += "?" + "&".join(
                f"{percent_encode(k)}={percent_encode(v)}" for k, v in pairs
            )
        request = AWSRequest(
            method=self.command,
            url=url,
            headers={name: self.headers[name] for name in names},
        )
        request.context["timestamp"] = amz_date
        auth = S3SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "s3", region)
        canonical = auth.canonical_request(request)
        expected = auth.signature(auth.string_to_sign(request, canonical), request)
        if expected != signature:
            return 403, "SignatureDoesNotMatch", canonical.replace("\n", "|")
        claimed = self.headers.get("x-amz-content-sha256", "")
        if claimed != "UNSIGNED-PAYLOAD" and claimed != hashlib.sha256(body).hexdigest():
            return 400, "XAmzContentSHA256Mismatch", claimed
        return None

    def signed(self):
        body = self.body()
        refusal = self.refusal(body)
        if refusal:
            self.error(*refusal)
            return None
        return body

    def do_PUT(self):
        body = self.signed()
        if body is None:
            return
        headers = [(n, self.headers[n]) for n in STORED_HEADERS if n in self.headers]
        OBJECTS[self.key()] = (body, headers)
        self.answer(200, headers=[("ETag", '"%s"' % hashlib.md5(body).hexdigest())])

    def do_DELETE(self):
        if self.signed() is None:
            return
        OBJECTS.pop(self.key(), None)
        self.answer(204)

    def list_objects(self, query):
        bucket = self.key().strip("/")
        prefix = f"/{bucket}/{query.get('prefix', '')}"
        keys = sorted(k for k in OBJECTS if k.startswith(prefix))
        token = query.get("continuation-token", "")
        start = int(token.split("/")[1].rstrip("=")) if token else 0
        page = keys[start:start + PAGE]
        rest = start + PAGE < len(keys)
        contents = "".join(
            "<Contents><Key>{}</Key><ETag>&quot;{}&quot;</ETag><Size>{}</Size></Contents>".format(
                escape(k[len(bucket) + 2:]), hashlib.md5(OBJECTS[k][0]).hexdigest(), len(OBJECTS[k][0])
            )
            for k in page
        )
        following = f"<NextContinuationToken>t/{start + PAGE}==</NextContinuationToken>" if rest else ""
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
            f"<Name>{bucket}</Name><KeyCount>{len(page)}</KeyCount>"
            f"<IsTruncated>{'true' if rest else 'false'}</IsTruncated>{following}{contents}"
            "</ListBucketResult>"
        ).encode()
        self.answer(200, body, [("Content-Type", "application/xml")])

    def do_GET(self):
        if "Authorization" in self.headers and self.signed() is None:
            return
        query = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
        if query.get("list-type") == "2":
            self.list_objects(query)
            return
        stored = OBJECTS.get(self.key())
        if stored is None:
            self.error(404, "NoSuchKey", self.key())
        else:
            self.answer(200, stored[0], stored[1])

    do_HEAD = do_GET


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
