#!/usr/bin/env python3
"""Generate closeout's synthetic sample evidence into sample-evidence/.

Everything written here is synthetic and was written for closeout: the ids,
names, notes, release refs, actors and hosts are ours. Only the *formats*
follow CAVRA (field names, enum values, metadata kinds, embed keys, id
prefixes, schema_version strings), so that closeout can be exercised on
realistic inputs without shipping CAVRA's own fixtures.

Deterministic: no current time, no randomness. Re-running produces
byte-identical files.

    python3 scripts/gen-sample-evidence.py
"""

import sys

if sys.version_info < (3, 8):
    sys.exit("gen-sample-evidence.py needs Python 3.8 or newer (standard library only)")

import copy
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cavra_shapes import *  # noqa: E402,F401,F403  (builders and constants)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "sample-evidence")

# --------------------------------------------------------------------------
# Store assembly
# --------------------------------------------------------------------------


def build_store(signed=True, delivery="success", leak=False, retention="approved", retry="empty",
                tamper=False):
    """Return (store, notes) for one scenario.

    delivery:  "success" | "failed" | None (no delivery attempted)
    retention: "approved" | "denied" | "expired" | None (no review requested)
    retry:     "empty" (plan/worker with nothing to retry) | "full" | None (no retry evidence)
    """
    items = []
    notes = {}

    # Upstream drill reporting; two readiness summaries, the older one blocked.
    rs_old = readiness_summary(at("readiness_summary_v1"), CONSOLE, ready=False)
    rs = readiness_summary(at("readiness_summary_v2"), RELEASE_MANAGER, ready=True)
    items += [rs_old, rs]
    summary = inner(rs, "readiness_summary")
    rb = runbook_export(at("runbook_export"), summary)
    ad = approval_decision(at("approval_decision"), summary)
    items += [rb, ad]
    runbook = inner(rb, "runbook_export")
    approval = inner(ad, "approval_decision")
    ra = record_attachment(at("record_attachment"), summary, approval, runbook)
    attachment = inner(ra, "record_attachment")
    pv = packet_verification(at("packet_verification"), summary, approval, runbook, attachment)
    verification = inner(pv, "packet_verification")
    ae = auditor_export(at("auditor_export"), summary, approval, runbook, attachment, verification)
    export = inner(ae, "auditor_export")
    ar = archive_reference(at("archive_reference"), export, verification, attachment, summary, approval, runbook)
    items += [ra, pv, ae, ar]

    # Two readiness bundles: the first was built before archive health existed.
    rb_old = readiness_bundle(at("readiness_bundle_v1"), items)
    items.append(rb_old)
    items.append(archive_health(at("archive_health")))
    rb_new = readiness_bundle(at("readiness_bundle_v2"), items)
    items.append(rb_new)
    bundle = inner(rb_new, "readiness_bundle")
    assert inner(rb_old, "readiness_bundle")["closeout_state"] == "incomplete"
    assert bundle["closeout_state"] == "ready_for_closeout"

    sm = signed_manifest(at("signed_manifest"), bundle, signed)
    items.append(sm)
    manifest = inner(sm, "signed_manifest")

    # Closeout summary (GET) -- persisted.
    items.append(closeout_summary(at("closeout_summary_get"), CONSOLE, bundle, manifest))

    # Deliver: rebuilds the summary; if closed, the event replaces that summary item.
    s_deliver = closeout_summary(at("closeout_deliver"), RELEASE_MANAGER, bundle, manifest)
    closed = inner(s_deliver, "closeout_summary")["closeout_state"] == "closed"
    if not closed or delivery is None:
        items.append(s_deliver)  # route refused (or never called): summary stays
    else:
        ds = inner(s_deliver, "closeout_summary")
        items.append(closeout_delivery_event(at("closeout_deliver"), ds))
        extra = {"summary_id": ds["summary_id"], "bundle_id": ds["bundle_id"],
                 "manifest_id": ds["manifest_id"], "release_record_ref": RELEASE}
        if delivery == "success":
            if leak:
                provider = "slack"
                request = {"method": "POST", "url": LEAKED_URL,
                           "headers": {"authorization": LEAKED_AUTHORIZATION,
                                       "content-type": "application/json"}}
            else:
                provider = "webhook"
                request = redacted_hook_request()
            cd = connector_delivery(at("closeout_deliver"), SOURCE_CLOSEOUT, EVENT_CLOSEOUT,
                                    ds["summary_id"], provider, request, True, 200, None, 1, extra)
        else:
            cd = connector_delivery(at("closeout_deliver"), SOURCE_CLOSEOUT, EVENT_CLOSEOUT,
                                    ds["summary_id"], "webhook", redacted_hook_request(), False, 503,
                                    "HTTP request failed", 3, extra)
        items.append(cd)
        notes["closeout_delivery_id"] = cd["session_id"]

    # Retention review request (rebuilds and persists the summary too).
    s_review = closeout_summary(at("retention_request"), RELEASE_MANAGER, bundle, manifest)
    items.append(s_review)
    decision = None
    if closed and retention is not None:
        until = RETENTION_UNTIL_EXPIRED if retention == "expired" else RETENTION_UNTIL
        rq = retention_request(at("retention_request"), inner(s_review, "closeout_summary"), until)
        items.append(rq)
        state = "denied" if retention == "denied" else "approved"
        dc = retention_decision(at("retention_decision"), inner(rq, "retention_request"), state)
        items.append(dc)
        decision = inner(dc, "retention_decision")

    # Artifact bundle (rebuilds and persists the summary too). The API only
    # attaches the latest *approved* decision.
    s_art = closeout_summary(at("artifact_bundle"), RELEASE_MANAGER, bundle, manifest)
    items.append(s_art)
    if closed and retention is not None:
        approved = decision if decision and decision["decision_state"] == "approved" else None
        ab = artifact_bundle(at("artifact_bundle"), inner(s_art, "closeout_summary"), bundle, manifest, approved)
        if tamper:
            # Change one character of the signed-archive-manifest.json content AFTER
            # hashing: its sha256 (and download_manifest entry) no longer match.
            f = inner(ab, "artifact_bundle")["files"][2]
            assert f["path"] == "signed-archive-manifest.json"
            obj = f["content"]["archive_objects"][0]
            h = obj["archive_hash"]
            obj["archive_hash"] = h[:-1] + ("0" if h[-1] != "0" else "1")
            notes["tampered"] = (f["path"], "archive_objects[0].archive_hash", h, obj["archive_hash"])
        items.append(ab)

    # Retention health: console GET, then the alert route (health + plan + delivery).
    items.append(retention_health(at("retention_health_get"), CONSOLE, items))
    rh = retention_health(at("retention_health_alert"), RELEASE_MANAGER, items)
    items.append(rh)
    health = inner(rh, "retention_health")
    ap = alert_plan(at("retention_health_alert"), health)
    items.append(ap)
    plan = inner(ap, "alert_plan")
    if plan["selected_providers"]:
        items.append(connector_delivery(
            at("retention_health_alert"), SOURCE_ALERT, EVENT_ALERT, plan["plan_id"], ALERT_PROVIDER,
            {"method": "POST", "url": ALERT_URL_REDACTED, "headers": {"content-type": "application/json"}},
            True, 200, None, 1, {"health_id": health["health_id"], "plan_id": plan["plan_id"]}))

    # Retry evidence.
    if retry is not None:
        policy = 5 if retry == "full" else 3
        items.append(retry_plan(at("retry_plan"), items, policy))
        wp = retry_plan(at("retry_worker"), items, policy)
        items.append(wp)
        wr = worker_run(at("retry_worker"), inner(wp, "retry_plan"))
        items.append(wr)
        run = inner(wr, "worker_run")
        for d in run["selected_retries"]:
            items.append(execution_record(at("retry_worker"), run, d))
        if retry == "full":
            assert run["selected_retries"], "expected a retry decision"

    ids = [it["session_id"] for it in items]
    assert len(ids) == len(set(ids)), "duplicate session ids"
    items.sort(key=lambda it: it["session_id"])
    return {"items": items}, notes


# --------------------------------------------------------------------------
# Scenarios, index and README
# --------------------------------------------------------------------------

SCENARIOS = [
    {
        "name": "trial-walkthrough",
        "file": "trial-walkthrough.json",
        "title": "Trial walkthrough (accepted risk)",
        "description": "A one-file trial package for the payments-api release where one closeout delivery failed, a dry-run retry is planned and a risk owner accepted the risk until 2026-09-21.",
        "format": "trial_package",
        "expected_verdict": "ready_with_accepted_risk",
        "expected_failing": [],
        "expected_warning": ["closeout_delivery", "retention_health", "retry_workflow"],
        "build": None,
    },
    {
        "name": "clean-store",
        "file": "clean-store.json",
        "title": "Clean evidence store",
        "description": "Every closeout step succeeded: signed manifest, closed summary, delivered, retention approved, hashed artifact bundle and healthy retention.",
        "format": "metadata_store",
        "expected_verdict": "ready_for_release",
        "expected_failing": [],
        "expected_warning": [],
        "build": dict(),
    },
    {
        "name": "accepted-risk-store",
        "file": "accepted-risk-store.json",
        "title": "Failed delivery with retry plan",
        "description": "The closeout webhook returned HTTP 503; a retry plan, a dry-run worker run and a skipped execution record exist, but a store cannot carry the owner's acceptance.",
        "format": "metadata_store",
        "expected_verdict": "blocked",
        "expected_failing": [],
        "expected_warning": ["closeout_delivery", "retention_health", "retry_workflow"],
        "build": dict(delivery="failed", retry="full"),
    },
    {
        "name": "closeout-open",
        "file": "closeout-open.json",
        "title": "Closeout still open (no external signature)",
        "description": "The archive manifest was never signed externally, so every closeout summary stays open and the delivery, retention and artifact steps never ran.",
        "format": "metadata_store",
        "expected_verdict": "blocked",
        "expected_failing": ["signed_archive_manifest", "release_closeout", "closeout_delivery",
                             "retention_approval", "artifact_bundle", "retention_health"],
        "expected_warning": [],
        "build": dict(signed=False, delivery=None, retention=None),
    },
    {
        "name": "retention-denied",
        "file": "retention-denied.json",
        "title": "Retention review denied",
        "description": "The risk owner denied the retention review, so the artifact bundle has no retention decision attached and retention health is critical.",
        "format": "metadata_store",
        "expected_verdict": "blocked",
        "expected_failing": ["retention_approval", "artifact_bundle", "retention_health"],
        "expected_warning": [],
        "build": dict(retention="denied"),
    },
    {
        "name": "retention-expired",
        "file": "retention-expired.json",
        "title": "Retention approved but already expired",
        "description": "Retention was approved only until 2026-09-01, which is before the evaluation time, so retention health reports the bundle as expired.",
        "format": "metadata_store",
        "expected_verdict": "blocked",
        "expected_failing": ["retention_health"],
        "expected_warning": [],
        "build": dict(retention="expired"),
    },
    {
        "name": "failed-delivery-no-retry-plan",
        "file": "failed-delivery-no-retry-plan.json",
        "title": "Failed delivery without a retry plan",
        "description": "The closeout webhook delivery failed and nobody planned a retry: there is no retry plan, worker run or execution record.",
        "format": "metadata_store",
        "expected_verdict": "blocked",
        "expected_failing": ["closeout_delivery", "retry_workflow"],
        "expected_warning": ["retention_health"],
        "build": dict(delivery="failed", retry=None),
    },
    {
        "name": "tampered-artifact-hash",
        "file": "tampered-artifact-hash.json",
        "title": "Tampered artifact bundle file",
        "description": "Same as the clean store, except one character of the signed-archive-manifest.json content in the artifact bundle was changed after hashing.",
        "format": "metadata_store",
        "expected_verdict": "blocked",
        "expected_failing": ["artifact_bundle"],
        "expected_warning": [],
        "build": dict(tamper=True),
    },
    {
        "name": "leaked-connector-secret",
        "file": "leaked-connector-secret.json",
        "title": "Unredacted connector secret",
        "description": "Same as the clean store, except the stored closeout delivery request kept a Slack webhook path and a bearer token instead of redacting them.",
        "format": "metadata_store",
        "expected_verdict": "blocked",
        "expected_failing": ["community_boundary"],
        "expected_warning": [],
        "build": dict(leak=True),
    },
]


def dump(path, obj, sort_keys):
    text = json.dumps(obj, indent=2, sort_keys=sort_keys) + "\n"
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def index_doc():
    return {
        "schema": "closeout.samples.v1",
        "default": "trial-walkthrough",
        "scenarios": [
            {
                "name": s["name"],
                "file": s["file"],
                "title": s["title"],
                "description": s["description"],
                "format": s["format"],
                "as_of": AS_OF,
                "expected_verdict": s["expected_verdict"],
                "expected_failing": s["expected_failing"],
                "expected_warning": s["expected_warning"],
            }
            for s in SCENARIOS
        ],
    }


def readme(notes):
    tampered = notes["tampered-artifact-hash"]["tampered"]
    rows = []
    for s in SCENARIOS:
        rows.append("| `%s` | %s | `%s` | %s | %s |" % (
            s["file"], s["format"], s["expected_verdict"],
            ", ".join("`%s`" % c for c in s["expected_failing"]) or "\u2013",
            ", ".join("`%s`" % c for c in s["expected_warning"]) or "\u2013",
        ))
    table = "\n".join(rows)
    return """# closeout sample evidence

Synthetic evidence for trying and testing `closeout`. **Everything in this folder is
synthetic and was written for closeout**: the release (`{release}`),
actors (`{rm}`, `{ro}`, `{po}`), ids, notes, change references and hosts
(`*.example.invalid`) are made up. The files follow CAVRA's final-closeout *formats* (field names, enum
values, metadata kinds, embed keys, id prefixes, `schema_version` strings) but contain
none of CAVRA's own data.

Do not edit these files by hand. They are produced by
[`scripts/gen-sample-evidence.py`](../scripts/gen-sample-evidence.py) (Python 3, standard
library only, deterministic: no clock, no randomness). To regenerate:

```sh
python3 scripts/gen-sample-evidence.py
```

`index.json` (`closeout.samples.v1`) lists every scenario with its evaluation time
(`as_of`), expected verdict and the criterion ids expected to fail or warn. All
scenarios are meant to be evaluated as of **`{as_of}`**.

## Scenarios

| file | format | expected verdict | failing | warning |
|---|---|---|---|---|
{table}

- **`trial-walkthrough.json`** -- a `cavra.final_closeout_trial.v1` trial package
  (the one-file format of CAVRA's trial walkthrough), generated at `{as_of}`. One
  closeout delivery failed (`delivery_state: partial_failure`); it has a retry plan
  (`retry`, `dry_run_first`, target 2026-09-21) and a dry-run worker run that used no
  live connector. Retention is approved until {until}; health is `warning` with one
  `delivery_retry_required` finding; the retention alert was delivered and redacted.
  `release_decision` records an accepted risk owned by `{ro}` that expires on
  2026-09-21, so the verdict is `ready_with_accepted_risk` at `{as_of}` (and `blocked`
  once the acceptance has expired). **Its file hashes and `manifest_digest` are
  placeholders** (SHA-256 of a label, not of any file), as in CAVRA's own sample:
  the trial format embeds no file content to verify.
- **`clean-store.json`** -- an evidence-metadata store (`{{"items": [...]}}`, items sorted
  by `session_id`) with the whole chain: two readiness summaries, runbook export,
  readiness approval, release record attachment, closure packet verification, auditor
  export, immutable archive reference, archive reference health, two readiness bundles,
  externally signed archive manifest, closeout summaries, closeout delivery event plus
  its `release-connector-delivery` (webhook, HTTP 200, redacted request), retention
  review request and approved decision, closeout artifact bundle with **real** file
  hashes, retention health (`healthy`, one bundle checked), an alert plan with no
  providers selected, and an empty retry plan / worker run (nothing to retry).
- **`accepted-risk-store.json`** -- as clean, but the closeout webhook failed
  (`success: false`, `status_code: 503`, `error: "HTTP request failed"`,
  `attempt_count: 3`). The retry plan (`max_retry_attempts: 5`) has a `retry` decision
  for that delivery, the worker ran as a dry run and wrote a `skipped`
  (`skip_reason: dry_run`) execution record. Retention health is `warning`
  (`failed_closeout_delivery`) and its Slack alert was delivered. A store cannot hold an
  owner's acceptance, so the warnings are unaccepted and the verdict is `blocked`;
  recording an acceptance should turn it into `ready_with_accepted_risk`.
- **`closeout-open.json`** -- the manifest is `external_signature_required` (empty
  `signature`), so every closeout summary is `open` with blocker
  `archive_manifest_external_signature_missing`. No delivery, retention review or
  artifact bundle exists. Retention health says `healthy` but with
  `artifact_bundle_count: 0` -- nothing was checked, which must not count as a pass.
- **`retention-denied.json`** -- the retention decision is `denied`; the artifact bundle
  therefore has `retention_decision_state: "not_attached"` and retention health is
  `critical` (`retention_approval_missing`). The alert was delivered.
- **`retention-expired.json`** -- the retention decision is `approved` but only until
  `{expired}`, before the evaluation time; retention health is `critical`
  (`retention_expired`). Approval and artifact bundle themselves are in order.
- **`failed-delivery-no-retry-plan.json`** -- the closeout webhook failed as in the
  accepted-risk store, retention health is `warning`, but there is **no** retry plan,
  worker run or execution record.
- **`tampered-artifact-hash.json`** -- identical to the clean store except that, in
  the closeout artifact bundle, file **`{t_path}`** had one character of its
  content changed after hashing: `{t_field}` ends in `{t_new_tail}` instead of `{t_old_tail}`. Its
  `sha256` (in `files[]` and in `download_manifest`) no longer matches; the other two files
  still match.
- **`leaked-connector-secret.json`** -- identical to the clean store except that the
  closeout delivery's stored request was not redacted: its URL is
  `{leak_url}`
  and it carries the header `"authorization": "{leak_auth}"`.
  **Both values are synthetic and are not real credentials**; they only imitate the shape of a Slack webhook path and a bearer token.

## Things worth knowing about these stores

- Several artifact kinds appear in more than one version; take the latest by
  `created_at`. The older readiness summary (`09:00`) is `blocked` and the older
  readiness bundle (`09:08`, built before archive health existed) is `incomplete` with
  blocker `archive_reference_health`; the newer ones are ready. Closeout summaries and
  retention health reports also appear several times, and retry plans twice.
- Timestamps come from a clock that steps one minute per step from
  `2026-09-14T09:00:00+00:00`; it then waits out the 15-minute retry delay, so retry
  plans and worker runs are stamped `09:30` and `09:31`.
- As in CAVRA, the closeout delivery event is stored under the id of the closeout
  summary it delivered, replacing that summary item: the `summary_id` a delivery
  points to exists only as the delivery event.
- Ids are `<prefix>-<first 16 hex of sha256(json.dumps(material, sort_keys=True))>`
  with CAVRA's prefixes; `*_hash` fields hold the full digest. Connector deliveries
  are `rcd-<event id>-<12 hex>`.
- Artifact bundle `files[].sha256` is
  `sha256(json.dumps(content, sort_keys=True).encode())` -- Python's default separators
  (`", "`, `": "`) and ASCII output with non-ASCII characters escaped as `\\uXXXX`. The
  closed closeout summaries carry two synthetic extras in `executive_summary` to
  exercise this: `reviewer_note` contains non-ASCII text (`Cl\u00f4ture v\u00e9rifi\u00e9e`), the
  `reason` contains an em dash, and `spot_check_sampling_rate` is the float `0.5`.
- Signatures are opaque references (`{sig}`); no signing key
  material appears anywhere, and apart from the deliberate leak in
  `leaked-connector-secret.json` every stored connector request is redacted
  (`"REDACTED"` header values, `?REDACTED` query strings, Slack path `REDACTED`).
""".format(
        release=RELEASE, rm=RELEASE_MANAGER, ro=RISK_OWNER, po=PLATFORM_OWNER, as_of=AS_OF,
        table=table, until=RETENTION_UNTIL, expired=RETENTION_UNTIL_EXPIRED,
        t_path=tampered[0], t_field=tampered[1], t_old_tail=tampered[2][-4:],
        t_new_tail=tampered[3][-4:], leak_url=LEAKED_URL, leak_auth=LEAKED_AUTHORIZATION,
        sig=SIGNATURE,
    )


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    notes = {}
    for s in SCENARIOS:
        path = os.path.join(OUT_DIR, s["file"])
        if s["build"] is None:
            dump(path, trial_package(), sort_keys=False)
        else:
            store, n = build_store(**s["build"])
            notes[s["name"]] = n
            dump(path, store, sort_keys=True)
    dump(os.path.join(OUT_DIR, "index.json"), index_doc(), sort_keys=False)
    with open(os.path.join(OUT_DIR, "README.md"), "w", encoding="utf-8", newline="\n") as fh:
        fh.write(readme(notes))
    print("wrote %d scenarios, index.json and README.md to %s"
          % (len(SCENARIOS), os.path.relpath(OUT_DIR, ROOT)))


if __name__ == "__main__":
    main()
