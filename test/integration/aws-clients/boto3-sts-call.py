"""One STS call through boto3, for the AWS-client integration tests.

Reads {"endpoint", "credentials"?, "operation", "params"} as JSON on stdin, makes the call with an unchanged boto3 STS
client pointed at the gateway with endpoint_url, and prints {"result": ...} or {"error": {"Code", "Message", "Status"}}
as the client reports them. Nothing here shapes a request: botocore signs and parses.
"""
import json
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

ask = json.load(sys.stdin)
credentials = ask.get("credentials") or {}
session = boto3.session.Session(
    aws_access_key_id=credentials.get("AccessKeyId"),
    aws_secret_access_key=credentials.get("SecretAccessKey"),
    aws_session_token=credentials.get("SessionToken"),
    region_name="us-east-1",
)
client = session.client(
    "sts",
    endpoint_url=ask["endpoint"],
    config=Config(retries={"total_max_attempts": 1}),
)
try:
    result = getattr(client, ask["operation"])(**ask.get("params", {}))
    result.pop("ResponseMetadata", None)
    print(json.dumps({"result": result}, default=str))
except ClientError as error:
    print(
        json.dumps(
            {
                "error": {
                    "Code": error.response["Error"]["Code"],
                    "Message": error.response["Error"].get("Message", ""),
                    "Status": error.response["ResponseMetadata"]["HTTPStatusCode"],
                }
            }
        )
    )
