"""Drives the local org with simple-salesforce, a client onramp did not write, over HTTPS.

simple-salesforce always builds https://{domain}.salesforce.com/services/oauth2/token for its logins.
The requests session below maps every *.salesforce.com host to the local org's loopback listener, as
a hosts-file entry would; everything else (JWT signing with PyJWT, token parsing, REST calls, error
mapping) is the library's own code. TLS is verified against the org's certificate
(REQUESTS_CA_BUNDLE). Prints a JSON summary; exits non-zero on the first failed check.
"""
import csv
import io
import json
import os
import sys
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceAuthenticationFailed,
    SalesforceExpiredSession,
    SalesforceResourceNotFound,
)

ORG_URL = os.environ["ORG_HTTPS_URL"]
ORG_HOST = urlsplit(ORG_URL).netloc
asked_hosts = []


class SalesforceHostsToLocalOrg(HTTPAdapter):
    def send(self, request, **kwargs):
        parts = urlsplit(request.url)
        if parts.hostname and parts.hostname.endswith(".salesforce.com"):
            asked_hosts.append(parts.hostname)
            request.url = urlunsplit(("https", ORG_HOST, parts.path, parts.query, parts.fragment))
        return super().send(request, **kwargs)


def session():
    s = requests.Session()
    s.mount("https://", SalesforceHostsToLocalOrg())
    return s


def check(condition, message):
    if not condition:
        print(json.dumps({"ok": False, "failed": message, "asked_hosts": asked_hosts}))
        sys.exit(1)


summary = {}

# JWT bearer through the library's own login (aud https://login.salesforce.com, exp as a string).
sf = Salesforce(
    username=os.environ["JWT_USERNAME"],
    consumer_key=os.environ["JWT_CONSUMER_KEY"],
    privatekey_file=os.environ["JWT_PRIVATE_KEY_FILE"],
    domain="login",
    session=session(),
)
check(sf.sf_instance == ORG_HOST, f"instance {sf.sf_instance} != {ORG_HOST}")
check("login.salesforce.com" in asked_hosts, f"JWT login went to {asked_hosts}")
summary["jwt_instance"] = sf.sf_instance

accounts = sf.query("SELECT Id, Name FROM Account ORDER BY Name")
check(accounts["done"] is True and accounts["totalSize"] >= 3, f"query result {accounts}")
summary["accounts"] = accounts["totalSize"]

created = sf.Account.create({"Name": "simple-salesforce check", "Industry": "Technology"})
check(created["success"] is True and created["id"].startswith("001"), f"create {created}")
record = sf.Account.get(created["id"])
check(record["Name"] == "simple-salesforce check", f"get {record}")
check(sf.Account.update(created["id"], {"Name": "simple-salesforce renamed"}) == 204, "update status")
check(sf.Account.get(created["id"])["Name"] == "simple-salesforce renamed", "update not visible")
check(sf.Account.delete(created["id"]) == 204, "delete status")
try:
    sf.Account.get(created["id"])
    check(False, "deleted record still readable")
except SalesforceResourceNotFound as error:
    summary["deleted_get"] = error.content[0]["errorCode"]
try:
    sf.Account.delete(created["id"])
    check(False, "second delete succeeded")
except SalesforceResourceNotFound as error:
    summary["deleted_delete"] = error.content[0]["errorCode"]
try:
    sf.Account.get("001000000000000AAA")
    check(False, "unknown id readable")
except SalesforceResourceNotFound as error:
    summary["not_found"] = error.content[0]["errorCode"]

# The recycle bin: query_all(include_deleted=True) goes to queryAll, deleted() to sObject Get Deleted.
soql = f"SELECT Id, Name, IsDeleted FROM Account WHERE Id = '{created['id']}'"
check(sf.query_all(soql)["totalSize"] == 0, "deleted row in query")
binned = sf.query_all(soql, include_deleted=True)
check(binned["totalSize"] == 1 and binned["records"][0]["IsDeleted"] is True, f"queryAll {binned}")
now = datetime.now(timezone.utc)
log = sf.Account.deleted(now - timedelta(hours=1), now + timedelta(minutes=5))
check(created["id"] in [r["id"] for r in log["deletedRecords"]], f"getDeleted {log}")
summary["recycle_bin"] = True

# Bulk API 2.0 query: sets of at most max_records rows, each with its header, chained by Sforce-Locator.
total = sf.query("SELECT COUNT() FROM Account")["totalSize"]
pages = [list(csv.DictReader(io.StringIO(page)))
         for page in sf.bulk2.Account.query("SELECT Id, Name, Owner.Name FROM Account", max_records=2, wait=0.05)]
check(sum(len(p) for p in pages) == total, f"bulk2 rows {pages} != {total}")
check(len(pages) == (total + 1) // 2 and all(len(p) <= 2 for p in pages), f"bulk2 sets {[len(p) for p in pages]}")
check(all(r["Owner.Name"] for p in pages for r in p), f"bulk2 relationship column {pages[0]}")
binned_soql = f"SELECT Id, IsDeleted FROM Account WHERE Id = '{created['id']}'"
deleted_rows = [r for page in sf.bulk2.Account.query_all(binned_soql, wait=0.05)
                for r in csv.DictReader(io.StringIO(page))]
check(deleted_rows == [{"Id": created["id"], "IsDeleted": "true"}], f"bulk2 queryAll {deleted_rows}")
summary["bulk2_sets"] = len(pages)

# A Metadata API deploy as simple-salesforce sends it (POST .../Soap/m/NN.0/deployRequest), polled to the end.
deploy = sf.deploy(os.environ["ECA_ZIP"], sandbox=False)
check(deploy["asyncId"], f"deploy {deploy}")
for _ in range(50):
    status = sf.checkDeployStatus(deploy["asyncId"])
    if status["state"] in ("Succeeded", "Failed", "SucceededPartial"):
        break
    time.sleep(0.1)
check(status["state"] == "Succeeded", f"deploy status {status}")
summary["deploy"] = status["state"]

# A dead session maps to the library's ExpiredSession (HTTP 401).
stale = Salesforce(instance_url=ORG_URL, session_id=sf.session_id + "x", session=session())
try:
    stale.query("SELECT Id FROM Account")
    check(False, "bogus session accepted")
except SalesforceExpiredSession as error:
    summary["expired"] = error.content[0]["errorCode"]

# Client credentials: the library uses it for a My Domain name (not login/test), with HTTP Basic.
cc = Salesforce(
    consumer_key=os.environ["CC_CONSUMER_KEY"],
    consumer_secret=os.environ["CC_CONSUMER_SECRET"],
    domain="onramp-local.my",
    session=session(),
)
check("onramp-local.my.salesforce.com" in asked_hosts, f"client credentials went to {asked_hosts}")
me = cc.query(f"SELECT Id, Username FROM User WHERE Username = '{os.environ['CC_USERNAME']}'")
check(me["totalSize"] == 1, f"run-as user query {me}")
summary["cc_user"] = me["records"][0]["Username"]

# Refusals come back as SalesforceAuthenticationFailed with Salesforce's error code and text.
try:
    Salesforce(
        username="nobody@example.com",
        consumer_key=os.environ["JWT_CONSUMER_KEY"],
        privatekey_file=os.environ["JWT_PRIVATE_KEY_FILE"],
        domain="login",
        session=session(),
    )
    check(False, "unknown user signed in")
except SalesforceAuthenticationFailed as error:
    check(error.code == "invalid_grant" and error.auth_message == "user hasn't approved this consumer", f"refusal {error}")
    summary["refusal"] = error.auth_message

summary["ok"] = True
print(json.dumps(summary))
