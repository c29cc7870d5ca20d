# mja_original.py — the original mj-metadata-archiver.py's job archiving, ported for tests
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the original script does with the legacy API's listing, reduced to
what decides the archive's bytes: its request, its paging (fromDate from the
first job of page 1), its end markers, its day folders and file names, its
json.dump (indent=2 by default; 0 means none, as its --json-indent does) and
its TextWrapper.  The original's own source is not in this repository."""

import datetime as dt
import json
import os
import textwrap
import urllib.parse
import urllib.request

WRAPPER = textwrap.TextWrapper(width=80, initial_indent="    ", subsequent_indent="    ",
                               break_long_words=False, break_on_hyphens=False)


def recent_jobs(api, user_id, token, page, from_date=None):
    params = {"amount": 50, "orderBy": "new", "jobStatus": "completed", "userId": user_id, "dedupe": "true",
              "refreshApi": 0, "page": page}
    if from_date:
        params["fromDate"] = from_date
    request = urllib.request.Request(api + "/api/app/recent-jobs/?" + urllib.parse.urlencode(params),
                                     headers={"Cookie": f"__Secure-next-auth.session-token={token}"})
    with urllib.request.urlopen(request) as answer:
        listing = json.load(answer)
    return [] if not listing or listing[0] == {"msg": "No jobs found."} else listing


def archive_job(root, job, json_indent=2):
    try:
        time = dt.datetime.strptime(job["enqueue_time"], "%Y-%m-%d %H:%M:%S.%f")
    except ValueError:
        time = dt.datetime.strptime(job["enqueue_time"], "%Y-%m-%d %H:%M:%S")
    folder = os.path.join(root, time.strftime("%Y/%Y-%m/%Y-%m-%d"))
    os.makedirs(folder, exist_ok=True)
    base = os.path.join(folder, f"{time.strftime('%Y%m%d-%H%M%S')}_{job['id']}")
    with open(base + ".json", "w", encoding="utf-8") as f:
        json.dump(job, f, indent=json_indent if json_indent > 0 else None)
    with open(base + ".prompt.txt", "w", encoding="utf-8") as f:
        f.write("Prompt:\n")
        f.write(WRAPPER.fill(job["prompt"]) + "\n")
        f.write("\nFull command:\n")
        f.write(WRAPPER.fill(job["full_command"]) + "\n")


def crawl(root, api, user_id, token, json_indent=2):
    """Every job of every type, as the original with job_type=None."""
    from_date = None
    for page in range(1, 1000):
        listing = recent_jobs(api, user_id, token, page, from_date)
        if not listing:
            return
        for job in listing:
            archive_job(root, job, json_indent)
        from_date = from_date or listing[0]["enqueue_time"]
