"""A CreateSession client built from parts fedgate does not share: botocore's SigV4 canonical request (AWS's own
Python implementation, Debian python3-botocore), the string to sign and the AWS4-X509 signature as the IAM Roles
Anywhere signing-process page documents them (python3-cryptography), and urllib to send it.

It shapes the request as AWS's aws_signing_helper does (its SDK puts the three ARNs in the query string and
signs every header but Authorization and User-Agent, the SDK's own amz-sdk-* headers included), or with the ARNs
in the JSON body as the CreateSession page shows. Input JSON on stdin; prints {"status", "body"}.
"""

import base64
import hashlib
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import datetime, timezone

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

ask = json.load(sys.stdin)
with open(ask["certificate"], "rb") as f:
    certificate = x509.load_pem_x509_certificate(f.read())
with open(ask["privateKey"], "rb") as f:
    key = serialization.load_pem_private_key(f.read(), password=None)
chain = []
for path in ask.get("intermediates", []):
    with open(path, "rb") as f:
        chain.append(x509.load_pem_x509_certificate(f.read()))


def der64(cert):
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode("ascii")


arns = {"profileArn": ask["profileArn"], "roleArn": ask["roleArn"], "trustAnchorArn": ask["trustAnchorArn"]}
document = {"durationSeconds": ask.get("durationSeconds", 3600)}
url = ask["endpoint"].rstrip("/") + "/sessions"
if ask["arnsIn"] == "query":
    url += "?" + "&".join(f"{name}={urllib.parse.quote(value, safe='')}" for name, value in arns.items())
else:
    document.update(arns)
body = json.dumps(document).encode("utf-8")

amz_date = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
headers = {
    "Content-Type": "application/json",
    "Content-Length": str(len(body)),
    "X-Amz-Date": amz_date,
    "X-Amz-X509": der64(certificate),
    "Amz-Sdk-Invocation-Id": str(uuid.uuid4()),
    "Amz-Sdk-Request": "attempt=1;  max=3",
    "User-Agent": "botocore-x509-test-client",
}
if chain:
    headers["X-Amz-X509-Chain"] = ",".join(der64(cert) for cert in chain)

request = AWSRequest(method="POST", url=url, data=body, headers=headers)
sigv4 = SigV4Auth(Credentials("unused", "unused"), "rolesanywhere", ask["region"])
canonical_request = sigv4.canonical_request(request)
signed_headers = sigv4.signed_headers(sigv4.headers_to_sign(request))

if isinstance(key, rsa.RSAPrivateKey):
    algorithm = "AWS4-X509-RSA-SHA256"
elif isinstance(key, ec.EllipticCurvePrivateKey):
    algorithm = "AWS4-X509-ECDSA-SHA256"
else:
    raise SystemExit("unsupported key")
scope = f"{amz_date[:8]}/{ask['region']}/rolesanywhere/aws4_request"
string_to_sign = "\n".join(
    [algorithm, amz_date, scope, hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()]
).encode("utf-8")
if algorithm == "AWS4-X509-RSA-SHA256":
    signature = key.sign(string_to_sign, padding.PKCS1v15(), hashes.SHA256())
else:
    signature = key.sign(string_to_sign, ec.ECDSA(hashes.SHA256()))

headers["Authorization"] = (
    f"{algorithm} Credential={certificate.serial_number}/{scope}, "
    f"SignedHeaders={signed_headers}, Signature={signature.hex()}"
)
sent = urllib.request.Request(url, data=body, headers=headers, method="POST")
try:
    with urllib.request.urlopen(sent, timeout=20) as response:
        status, text = response.status, response.read()
except urllib.error.HTTPError as error:
    status, text = error.code, error.read()
print(json.dumps({"status": status, "signedHeaders": signed_headers, "body": json.loads(text)}))
