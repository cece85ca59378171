"""A SAML 2.0 IdP made with pysaml2 (Debian python3-pysaml2), answering SP-initiated logins in tests.

Answers one login per line of stdin, a JSON object:
  entityId, ssoUrl      this IdP (the SSO URL is where the SP sent the browser)
  keyFile, certFile     its signing key and certificate (PEM files)
  spMetadataFile        the SP's metadata, as the SP serves it
  redirectUrl           the URL the SP redirected the browser to (HTTP-Redirect binding)
  nameId                the subject, sent as an emailAddress NameID
  attributes            {local name: [values]}; pysaml2 names them with its own urn:oid map
  authnContextClassRef  the AuthnContextClassRef of the AuthnStatement
  encryptAssertion      encrypt the signed assertion to the encryption certificate in the SP metadata
                        (pysaml2 7 always encrypts with tripledes-cbc and rsa-oaep-mgf1p here)
Prints {"ready": true} once imported, then one line per request on stdout, a JSON object: the HTTP-POST form (SAMLResponse, RelayState) and the
ACS URL it goes to, or an error. One process serves a whole test file (importing pysaml2 takes seconds).
Nothing is fetched over the network; pysaml2 writes its xmlsec1 temporary files under $TMPDIR.
"""

import base64
import json
import sys
from urllib.parse import parse_qs, urlsplit

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256


def answer(given):
    config = IdPConfig()
    config.load(
        {
            "entityid": given["entityId"],
            "service": {
                "idp": {
                    "endpoints": {
                        "single_sign_on_service": [(given["ssoUrl"], BINDING_HTTP_REDIRECT)]
                    },
                    "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                    "policy": {"default": {"lifetime": {"minutes": 5}, "name_form": NAME_FORMAT_URI}},
                    "want_authn_requests_signed": False,
                }
            },
            "key_file": given["keyFile"],
            "cert_file": given["certFile"],
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "metadata": {"local": [given["spMetadataFile"]]},
        }
    )
    idp = Server(config=config)

    query = parse_qs(urlsplit(given["redirectUrl"]).query)
    request = idp.parse_authn_request(query["SAMLRequest"][0], BINDING_HTTP_REDIRECT)
    # Destination, InResponseTo, the SP entity id and its ACS (from the SP metadata) for the HTTP-POST binding.
    reply_to = idp.response_args(request.message, [BINDING_HTTP_POST])
    reply_to.pop("binding", None)
    response = idp.create_authn_response(
        identity=given["attributes"],
        userid=given["nameId"],
        name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=given["nameId"]),
        authn={"class_ref": given["authnContextClassRef"]},
        sign_assertion=True,
        sign_response=False,
        encrypt_assertion=given["encryptAssertion"],
        encrypt_assertion_self_contained=True,
        sign_alg=SIG_RSA_SHA256,
        digest_alg=DIGEST_SHA256,
        **reply_to,
    )
    form = {"SAMLResponse": base64.b64encode(str(response).encode("utf-8")).decode("ascii")}
    if "RelayState" in query:
        form["RelayState"] = query["RelayState"][0]
    return {"acsUrl": reply_to["destination"], "form": form}


def main():
    print(json.dumps({"ready": True}), flush=True)  # imported: the test may start
    for line in sys.stdin:
        try:
            result = answer(json.loads(line))
        except Exception as error:  # reported to the test, which fails with it
            result = {"error": "%s: %s" % (type(error).__name__, error)}
        print(json.dumps(result), flush=True)


main()
