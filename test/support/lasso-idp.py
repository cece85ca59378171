"""A SAML 2.0 IdP made with Lasso (Debian python3-lasso), answering SP-initiated logins in tests.

Answers one login per line of stdin, a JSON object:
  entityId, ssoUrl      this IdP (the SSO URL is where the SP sent the browser)
  keyFile, certFile     its signing key and certificate (PEM files)
  spMetadataFile        the SP's metadata, as the SP serves it
  redirectUrl           the URL the SP redirected the browser to (HTTP-Redirect binding)
  nameId                the subject, sent as an emailAddress NameID
  attributes            {name: [values]}, sent with the basic name format
  authnContextClassRef  the AuthnContextClassRef of the AuthnStatement
  encryptAssertion      encrypt the signed assertion to the encryption certificate in the SP metadata
                        (Lasso's defaults: aes128-cbc and rsa-oaep-mgf1p)
Prints {"ready": true} once imported, then one line per request on stdout, a JSON object: the HTTP-POST form (SAMLResponse, RelayState) and the
ACS URL it goes to, or an error. One process serves a whole test file (importing pysaml2 takes seconds).
Lasso needs metadata for both sides: this IdP's own is built here from the certificate. Nothing is fetched.
"""

import json
import sys
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import lasso


def idp_metadata(entity_id, sso_url, certificate_pem):
    body = "".join(line for line in certificate_pem.splitlines() if "CERTIFICATE" not in line)
    return (
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"'
        ' xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="%s">'
        '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        '<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>%s'
        "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
        "<md:NameIDFormat>%s</md:NameIDFormat>"
        '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="%s"/>'
        "</md:IDPSSODescriptor></md:EntityDescriptor>"
    ) % (entity_id, body, lasso.SAML2_NAME_IDENTIFIER_FORMAT_EMAIL, sso_url)


def text_value(text):
    node = lasso.MiscTextNode.newWithString(text)
    node.textChild = True
    value = lasso.Saml2AttributeValue()
    value.any = [node]
    return value


def instant(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def answer(given):
    with open(given["certFile"]) as file:
        certificate = file.read()
    with open(given["keyFile"]) as file:
        private_key = file.read()
    with open(given["spMetadataFile"]) as file:
        sp_metadata = file.read()

    server = lasso.Server.newFromBuffers(
        idp_metadata(given["entityId"], given["ssoUrl"], certificate), private_key, None, certificate
    )
    server.signatureMethod = lasso.SIGNATURE_METHOD_RSA_SHA256
    server.addProviderFromBuffer(lasso.PROVIDER_ROLE_SP, sp_metadata)

    login = lasso.Login(server)
    login.processAuthnRequestMsg(urlsplit(given["redirectUrl"]).query)
    if given["encryptAssertion"]:
        server.getProvider(login.remoteProviderId).setEncryptionMode(lasso.ENCRYPTION_MODE_ASSERTION)
    login.validateRequestMsg(True, True)  # the person signed in and consented
    now = datetime.now(timezone.utc)
    login.buildAssertion(
        given["authnContextClassRef"],
        instant(now),
        None,
        instant(now - timedelta(seconds=30)),
        instant(now + timedelta(minutes=5)),
    )
    name_id = lasso.Saml2NameID()
    name_id.format = lasso.SAML2_NAME_IDENTIFIER_FORMAT_EMAIL
    name_id.content = given["nameId"]
    login.assertion.subject.nameID = name_id

    attributes = []
    for name, values in given["attributes"].items():
        attribute = lasso.Saml2Attribute()
        attribute.name = name
        attribute.nameFormat = lasso.SAML2_ATTRIBUTE_NAME_FORMAT_BASIC
        attribute.attributeValue = [text_value(value) for value in values]
        attributes.append(attribute)
    statement = lasso.Saml2AttributeStatement()
    statement.attribute = attributes
    login.assertion.attributeStatement = [statement]

    login.buildAuthnResponseMsg()  # signs the assertion (and the response) with RSA-SHA256
    form = {"SAMLResponse": login.msgBody}
    if login.msgRelayState:
        form["RelayState"] = login.msgRelayState
    return {"acsUrl": login.msgUrl, "form": form}


def main():
    print(json.dumps({"ready": True}), flush=True)  # imported: the test may start
    for line in sys.stdin:
        try:
            result = answer(json.loads(line))
        except Exception as error:  # reported to the test, which fails with it
            result = {"error": "%s: %s" % (type(error).__name__, error)}
        print(json.dumps(result), flush=True)


main()
