#!/usr/bin/python3
"""Checks a data subject's copy (the zip of `entretiensctl subject export`
and GET /api/v1/employees/{id}/export) for employee E1: every part there,
E1's interview IV1 with the answers she may see (SECRET) and its report as
a PDF, her notifications only, nothing of E2's interview IV2.

usage: subject_zip_check.py ZIP IV1 IV2 SECRET [PDF-OUT]
Prints the number of interviews; PDF-OUT receives IV1's report.  Exits
non-zero (an assertion) on the first thing wrong.
"""
import json
import sys
import zipfile

path, iv1, iv2, secret = sys.argv[1:5]
z = zipfile.ZipFile(path)
assert z.testzip() is None
names = set(z.namelist())
assert {"README.txt", "employee.json", "obligations.json", "interviews.json", "notifications.json"} <= names, names
readme = z.read("README.txt").decode()
assert "FRANÇAIS" in readme and "ENGLISH" in readme, readme[:200]
emp = json.loads(z.read("employee.json"))
assert emp["employee"]["employee_id"] == "E1" and emp["history"], emp
obl = json.loads(z.read("obligations.json"))
assert obl and all(o.get("employee_id", "E1") == "E1" for o in obl), obl
ivs = json.loads(z.read("interviews.json"))
ids = [i["interview"]["id"] for i in ivs["interviews"]]
assert iv1 in ids and iv2 not in ids, ids
assert all(i["interview"]["employee_id"] == "E1" for i in ivs["interviews"]), ids
one = [i for i in ivs["interviews"] if i["interview"]["id"] == iv1][0]
assert secret in json.dumps(one, ensure_ascii=False), "the employee's view holds the answers she may see"
nots = json.loads(z.read("notifications.json"))
assert nots and all(n["employee_id"] == "E1" or n.get("recipient_id") == "E1" for n in nots), nots
pdfs = sorted(n for n in names if n.startswith("pdf/"))
assert pdfs == [f"pdf/{iv1}.pdf"], pdfs
assert z.read(pdfs[0]).startswith(b"%PDF-"), "not a PDF"
if len(sys.argv) > 5:
    open(sys.argv[5], "wb").write(z.read(pdfs[0]))
everything = "".join(z.read(n).decode() for n in names if not n.startswith("pdf/"))
assert "Objectifs E2" not in everything and "Mobilité E2" not in everything, "E2's interview leaked into E1's copy"
print(len(ids))
