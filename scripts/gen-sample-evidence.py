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

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "sample-evidence")

# --------------------------------------------------------------------------
# Shared synthetic constants (ours)
# --------------------------------------------------------------------------

AS_OF = "2026-09-14T10:00:00Z"
DAY = "2026-09-14"
RELEASE = "REL-2026.09-payments-api"
RELEASE_MANAGER = "sample-release-manager"
RISK_OWNER = "sample-risk-owner"
PLATFORM_OWNER = "sample-platform-owner"
CONSOLE = "console"  # CAVRA's API default actor name (a fact)
RETENTION_UNTIL = "2027-09-14"
RETENTION_UNTIL_EXPIRED = "2026-09-01"
ARCHIVE_REF = (
    "immutable-store://archive.example.invalid/payments-api/"
    + RELEASE
    + "/auditor-export.json"
)
SIGNATURE = "ext-sig:ed25519:sample-external-signature-reference"
SIGNATURE_KEY_ID = "sample-external-kms-key-ref"
SIGNATURE_ALGORITHM = "external-ed25519-via-kms"
DEFAULT_SIGNATURE_ALGORITHM = "external-kms-or-private-signing-service"  # CAVRA default
CLOSEOUT_HOOK_URL = "https://hooks.example.invalid/closeout?REDACTED"
ALERT_PROVIDER = "slack"
ALERT_URL_REDACTED = "https://hooks.slack.com/services/REDACTED"  # CAVRA's redaction format

# Deliberately leaked (synthetic, not real credentials) -- leaked-connector-secret only.
LEAKED_URL = "https://hooks.slack.com/services/T00000000/B00000000/SYNTHETICnotArealSecret0"
LEAKED_AUTHORIZATION = "Bearer synthetic-token-0000000000000000"

# --------------------------------------------------------------------------
# CAVRA format facts
# --------------------------------------------------------------------------

KIND_PREFIX = "go-backend-rollback-drill-acknowledgement-audit-delivery-final-reporting-"
SOURCE_PREFIX = "go_backend_rollback_drill_acknowledgement_audit_final_reporting_"
SOURCE_CLOSEOUT = SOURCE_PREFIX + "release_closeout"
SOURCE_ALERT = SOURCE_PREFIX + "closeout_retention_health_alert"
EVENT_CLOSEOUT = "cavra.go_backend.rollback_drill.final_reporting.release_closeout"
EVENT_ALERT = "cavra.go_backend.rollback_drill.final_reporting.closeout_retention_health_alert"
METADATA_SCHEMA = "cavra.evidence.metadata.v1"
DELIVERY_SCHEMA = "cavra.connector.delivery.v1"
TRIAL_SCHEMA = "cavra.final_closeout_trial.v1"

# step name -> (metadata_kind suffix, embed key, schema_version step)
KINDS = {
    "readiness_summary": ("release-readiness-summary", "final_reporting_release_readiness_summary"),
    "runbook_export": ("operator-runbook-export", "final_reporting_operator_runbook_export"),
    "approval_decision": ("release-readiness-approval-decision", "final_reporting_release_readiness_approval_decision"),
    "record_attachment": ("release-record-attachment", "final_reporting_release_record_attachment"),
    "packet_verification": ("release-closure-packet-verification", "final_reporting_release_closure_packet_verification"),
    "auditor_export": ("auditor-export", "final_reporting_auditor_export"),
    "archive_reference": ("immutable-archive-reference", "final_reporting_immutable_archive_reference"),
    "archive_health": ("archive-reference-health", "final_reporting_archive_reference_health"),
    "readiness_bundle": ("readiness-bundle", "final_reporting_readiness_bundle"),
    "signed_manifest": ("signed-archive-manifest", "final_reporting_signed_archive_manifest"),
    "closeout_summary": ("release-closeout-summary", "final_reporting_release_closeout_summary"),
    "closeout_delivery": ("release-closeout-delivery", "final_reporting_release_closeout_delivery"),
    "retention_request": ("closeout-retention-review-request", "final_reporting_closeout_retention_review_request"),
    "retention_decision": ("closeout-retention-review-decision", "final_reporting_closeout_retention_review_decision"),
    "artifact_bundle": ("closeout-artifact-bundle", "final_reporting_closeout_artifact_bundle"),
    "retention_health": ("closeout-retention-health", "final_reporting_closeout_retention_health"),
    "alert_plan": ("closeout-retention-health-alert-plan", "final_reporting_closeout_retention_health_alert_plan"),
    "retry_plan": ("release-closeout-delivery-retry-plan", "final_reporting_release_closeout_delivery_retry_plan"),
    "worker_run": ("release-closeout-delivery-retry-worker-run", "final_reporting_release_closeout_delivery_retry_worker_run"),
    "execution_record": ("release-closeout-delivery-retry-execution-record", "final_reporting_release_closeout_delivery_retry_execution_record"),
}

# The closeout delivery event's schema step differs from its metadata kind.
SCHEMA_STEP = {"closeout_delivery": "release-closeout-delivery-event"}

ID_PREFIX = {
    "readiness_summary": "gordackfinalready",
    "runbook_export": "gordackfinalrunbook",
    "approval_decision": "gordackfinalapproval",
    "record_attachment": "gordackfinalrecord",
    "packet_verification": "gordackfinalpacket",
    "auditor_export": "gordackfinalauditor",
    "archive_reference": "gordackfinalarchive",
    "archive_health": "gordackfinalarchivehealth",
    "readiness_bundle": "gordackfinalbundle",
    "signed_manifest": "gordackfinalmanifest",
    "closeout_summary": "gordackfinalcloseout",
    "retention_request": "gordackfinalretention",
    "retention_decision": "gordackfinalretentiondecision",
    "artifact_bundle": "gordackfinalartifact",
    "retention_health": "gordackfinalretentionhealth",
    "alert_plan": "gordackfinalretenalert",
    "retry_plan": "gordackfinalcloseoutretry",
    "worker_run": "gordackfinalcloseoutworker",
    "execution_record": "gordackfinalcloseoutexec",
}

URI = {
    "readiness": "go-rollback-drill-final-readiness://",
    "approval": "go-rollback-drill-final-readiness-approval://",
    "runbook": "go-rollback-drill-final-runbook://",
    "dashboard": "go-rollback-drill-final-closure-dashboard://latest",
    "record": "go-rollback-drill-final-release-record://",
    "auditor": "go-rollback-drill-final-auditor-export://",
    "archive": "go-rollback-drill-final-archive://",
    "bundle": "go-rollback-drill-final-readiness-bundle://",
    "evidence": "go-rollback-drill-final-evidence://",
    "manifest": "go-rollback-drill-final-archive-manifest://",
    "summary": "go-rollback-drill-final-closeout-summary://",
    "review": "go-rollback-drill-final-retention-review://",
    "decision": "go-rollback-drill-final-retention-decision://",
    "artifact": "go-rollback-drill-final-artifact-bundle://",
    "health": "go-rollback-drill-final-retention-health://",
    "delivery": "connector-delivery://",
}

PROVIDER_PAYLOAD_KEYS = ["webhook", "splunk", "sentinel", "datadog", "slack", "teams", "jira", "servicenow"]

# --------------------------------------------------------------------------
# Clock: one minute per step, fixed per step name so every store lines up.
# Steps that a scenario refuses or skips keep their slot.
# --------------------------------------------------------------------------

STEP_MINUTE = {
    "readiness_summary_v1": 0,
    "readiness_summary_v2": 1,
    "runbook_export": 2,
    "approval_decision": 3,
    "record_attachment": 4,
    "packet_verification": 5,
    "auditor_export": 6,
    "archive_reference": 7,
    "readiness_bundle_v1": 8,
    "archive_health": 9,
    "readiness_bundle_v2": 10,
    "signed_manifest": 11,
    "closeout_summary_get": 12,
    "closeout_deliver": 13,
    "retention_request": 14,
    "retention_decision": 15,
    "artifact_bundle": 16,
    "retention_health_get": 17,
    "retention_health_alert": 18,
    # the clock then waits out the 15-minute retry delay window
    "retry_plan": 30,
    "retry_worker": 31,
}


def at(step):
    minute = STEP_MINUTE[step]
    return "%sT09:%02d:00+00:00" % (DAY, minute)


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def digest(material):
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def file_sha256(content):
    """sha256 exactly as CAVRA hashes artifact bundle file content."""
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def make_id(step, material):
    h = digest(material)
    return "%s-%s" % (ID_PREFIX[step], h[:16]), h


def kind(step):
    return KIND_PREFIX + KINDS[step][0]


def embed_key(step):
    return KINDS[step][1]


def schema(step):
    return "cavra.go-backend-pilot.rollback-drill-final-reporting-%s.v1" % SCHEMA_STEP.get(step, KINDS[step][0])


def base(step):
    return {"schema_version": schema(step), "product": "CAVRA"}


def wrap(step, artifact, session_id, created_at, signer, decision_count=0, blocked_count=0,
         approval_required_count=0, **denormalized):
    item = {
        "schema_version": METADATA_SCHEMA,
        "product": "CAVRA",
        "session_id": session_id,
        "created_at": created_at,
        "signer": signer,
        "decision_count": decision_count,
        "blocked_count": blocked_count,
        "approval_required_count": approval_required_count,
        "metadata_kind": kind(step),
    }
    item.update(denormalized)
    item[embed_key(step)] = artifact
    return item


def inner(item, step):
    return item[embed_key(step)]


# --------------------------------------------------------------------------
# Upstream chain: readiness summary .. archive reference health
# --------------------------------------------------------------------------

CHECK_TEXT = {
    "final_reporting_closure_state": (
        "Closure dashboard state",
        "Close the remaining final-reporting items before approving release closure.",
    ),
    "executive_retry_health_alert_delivery": (
        "Executive retry-health alert delivery",
        "Redeliver executive retry-health alerts that did not reach their route.",
    ),
    "executive_retry_health_alert_retry_execution": (
        "Executive alert retry executions",
        "Investigate executive alert retry executions that ended in failure.",
    ),
    "recovery_retry_health_alert_retry_execution": (
        "Recovery alert retry executions",
        "Investigate recovery alert retry executions that ended in failure.",
    ),
    "notification_acknowledgements": (
        "Drill notification acknowledgements",
        "Acknowledge or close the drill notification routes that are still waiting.",
    ),
    "release_readiness_artifacts": (
        "Readiness artifacts",
        "Attach this summary and the runbook export to the payments-api release record.",
    ),
}


def readiness_summary(created_at, generated_by, ready):
    outstanding = 0 if ready else 1
    checks = []
    for check_id, (title, action) in CHECK_TEXT.items():
        status = "pass"
        evidence = {
            "final_reporting_closure_state": "closure_state=%s" % ("closed" if ready else "open"),
            "executive_retry_health_alert_delivery": "failed_delivery_count=0",
            "executive_retry_health_alert_retry_execution": "failed_execution_count=0",
            "recovery_retry_health_alert_retry_execution": "failed_execution_count=0",
            "notification_acknowledgements": "outstanding_acknowledgement_count=%d" % outstanding,
            "release_readiness_artifacts": "summary assembled from redacted drill metadata",
        }[check_id]
        if not ready and check_id in ("final_reporting_closure_state", "notification_acknowledgements"):
            status = "fail"
        checks.append({"id": check_id, "title": title, "status": status, "evidence": evidence,
                       "operator_action": action})
    failed = sum(1 for c in checks if c["status"] == "fail")
    art = base("readiness_summary")
    art.update({
        "generated_at": created_at,
        "generated_by": generated_by,
        "readiness_state": "ready" if ready else "blocked",
        "alert_level": "healthy" if ready else "critical",
        "check_count": len(checks),
        "passed_check_count": len(checks) - failed,
        "failed_check_count": failed,
        "warning_check_count": 0,
        "closure_state": "closed" if ready else "open",
        "open_item_count": outstanding,
        "open_items": [] if ready else ["executive_retry_health_alert_acknowledgement_outstanding"],
        "checks": checks,
        "release_decision": {
            "recommended_state": "approve_release_closure" if ready else "hold_release_closure",
            "reason": (
                "every final-reporting check passed for the payments-api drill"
                if ready else
                "an executive retry-health alert is still waiting for acknowledgement"
            ),
        },
        "evidence_counts": {
            "notification_history_total": 8,
            "executive_retry_health_alert_retry_plan_count": 1,
            "executive_retry_health_alert_retry_worker_run_count": 1,
            "recovery_retry_health_alert_retry_worker_run_count": 0,
            "operator_runbook_export_count": 0,
        },
        "recommended_actions": [
            "redeliver executive retry-health alerts that failed",
            "record acknowledgement of executive retry-health alerts once reviewed",
            "review failed final-reporting retry executions before closing the drill",
        ],
        "controls": [
            "readiness-summary-built-from-redacted-drill-metadata",
            "readiness-summary-holds-no-connector-credential-or-private-endpoint",
            "readiness-summary-triggers-no-rollback-or-connector-side-effects",
        ],
    })
    sid, _ = make_id("readiness_summary", art)
    art["summary_id"] = sid
    item = wrap(
        "readiness_summary", art, sid, created_at, generated_by,
        decision_count=len(checks), blocked_count=0 if ready else 1,
        approval_required_count=0 if ready else 1,
        summary_id=sid, readiness_state=art["readiness_state"], alert_level=art["alert_level"],
        closure_state=art["closure_state"], failed_check_count=failed, warning_check_count=0,
        open_item_count=outstanding,
    )
    return item


def runbook_export(created_at, summary):
    sections = [
        {"title": "Why This Export", "items": [
            "Walk through the finished payments-api rollback drill reporting before release closeout.",
            "Keep credentials, customer records and private endpoints out of this export.",
        ]},
        {"title": "Gate Status", "items": [
            "readiness_state = %s" % summary["readiness_state"],
            "closure_state = %s" % summary["closure_state"],
            "failed checks = %d" % summary["failed_check_count"],
        ]},
        {"title": "What The Operator Does", "items": [
            "Read the failed checks and open items, if any.",
            "Redeliver failed alert deliveries through the operator's configured connectors.",
            "Attach the readiness summary and this export to the release record.",
        ]},
        {"title": "Attach To The Release Record", "items": [
            "Closure dashboard JSON.",
            "Readiness summary JSON.",
            "This runbook export (JSON or Markdown).",
        ]},
        {"title": "What Stays Private", "items": [
            "Connector credentials, private URLs and customer payloads stay in operator-owned systems.",
        ]},
    ]
    lines = [
        "# Payments API final reporting runbook export (synthetic sample)",
        "",
        "- Generated at: %s" % created_at,
        "- Generated by: %s" % RELEASE_MANAGER,
        "- readiness_state: %s" % summary["readiness_state"],
        "- closure_state: %s" % summary["closure_state"],
    ]
    for sec in sections:
        lines += ["", "## %s" % sec["title"], ""] + ["- %s" % i for i in sec["items"]]
    art = base("runbook_export")
    art.update({
        "generated_at": created_at,
        "generated_by": RELEASE_MANAGER,
        "readiness_summary_id": summary["summary_id"],
        "readiness_state": summary["readiness_state"],
        "closure_state": summary["closure_state"],
        "readiness_summary": copy.deepcopy(summary),
        "sections": sections,
        "markdown": "\n".join(lines) + "\n",
        "public_evidence_refs": [URI["readiness"] + summary["summary_id"], URI["dashboard"]],
        "controls": [
            "runbook-export-is-documentation-only",
            "runbook-export-omits-connector-credentials-and-private-endpoints",
            "runbook-export-performs-no-rollback-or-connector-calls",
        ],
    })
    eid, _ = make_id("runbook_export", art)
    art["export_id"] = eid
    return wrap(
        "runbook_export", art, eid, created_at, RELEASE_MANAGER, decision_count=len(sections),
        export_id=eid, readiness_summary_id=summary["summary_id"],
        readiness_state=summary["readiness_state"], closure_state=summary["closure_state"],
        section_count=len(sections),
    )


def approval_decision(created_at, summary):
    art = base("approval_decision")
    art.update({
        "summary_id": summary["summary_id"],
        "readiness_state": summary["readiness_state"],
        "closure_state": summary["closure_state"],
        "failed_check_count": summary["failed_check_count"],
        "approval_state": "approved",
        "override_blockers": False,
        "decided_by": RISK_OWNER,
        "decided_at": created_at,
        "external_ref": "CHG-SAMPLE-20260914-07",
        "notes": "Sample approval: payments-api drill readiness reviewed, no overrides needed.",
        "release_decision": {
            "recommended_state": "release_closure_approved",
            "reason": "readiness summary approved; attach it to the release record",
        },
        "public_evidence_refs": [URI["readiness"] + summary["summary_id"], URI["dashboard"]],
        "controls": [
            "approval-decision-references-exactly-one-readiness-summary",
            "approving-blocked-readiness-needs-an-explicit-override",
            "approval-decision-holds-no-connector-credential-or-private-endpoint",
            "release-record-updates-happen-in-operator-owned-systems",
        ],
    })
    did, dh = make_id("approval_decision", art)
    art["decision_id"] = did
    art["decision_hash"] = dh
    return wrap(
        "approval_decision", art, did, created_at, RISK_OWNER, decision_count=1,
        decision_id=did, decision_hash=dh, summary_id=summary["summary_id"],
        approval_state="approved", override_blockers=False, readiness_state=summary["readiness_state"],
        closure_state=summary["closure_state"], external_ref=art["external_ref"],
    )


def attached_evidence(summary_id, approval_id, runbook_id):
    return [
        {"type": "release_readiness_summary", "ref": URI["readiness"] + summary_id,
         "metadata_session_id": summary_id},
        {"type": "release_readiness_approval", "ref": URI["approval"] + approval_id,
         "metadata_session_id": approval_id},
        {"type": "operator_runbook_export", "ref": URI["runbook"] + runbook_id,
         "metadata_session_id": runbook_id},
        {"type": "final_closure_dashboard", "ref": URI["dashboard"], "metadata_session_id": ""},
    ]


def record_attachment(created_at, summary, approval, runbook):
    ev = attached_evidence(summary["summary_id"], approval["decision_id"], runbook["export_id"])
    art = base("record_attachment")
    art.update({
        "release_record_ref": RELEASE,
        "attachment_state": "attached",
        "attached_at": created_at,
        "attached_by": RELEASE_MANAGER,
        "summary_id": summary["summary_id"],
        "readiness_state": summary["readiness_state"],
        "approval_decision_id": approval["decision_id"],
        "approval_state": approval["approval_state"],
        "override_blockers": False,
        "runbook_export_id": runbook["export_id"],
        "attached_evidence": ev,
        "notes": "Sample attachment of drill readiness evidence to the payments-api release record.",
        "public_evidence_refs": [e["ref"] for e in ev],
        "controls": [
            "attachment-needs-an-approved-readiness-decision",
            "attachment-lists-public-evidence-references-only",
            "attachment-makes-no-calls-to-release-systems",
            "release-ticket-changes-stay-with-operator-owned-systems",
        ],
    })
    aid, ah = make_id("record_attachment", art)
    art["attachment_id"] = aid
    art["attachment_hash"] = ah
    return wrap(
        "record_attachment", art, aid, created_at, RELEASE_MANAGER, decision_count=len(ev),
        attachment_id=aid, attachment_hash=ah, release_record_ref=RELEASE, attachment_state="attached",
        summary_id=summary["summary_id"], readiness_state=summary["readiness_state"],
        approval_decision_id=approval["decision_id"], approval_state=approval["approval_state"],
        runbook_export_id=runbook["export_id"],
    )


PACKET_CHECK_TEXT = {
    "release_record_attachment_present": ("Release record attachment recorded",
                                          "Attach the readiness evidence to the release record first."),
    "approved_readiness_decision_present": ("Approved readiness decision recorded",
                                            "Record an approval of the readiness summary."),
    "readiness_summary_attached": ("Readiness summary in the attachment",
                                   "Include the readiness summary in the release record attachment."),
    "operator_runbook_attached": ("Runbook export in the attachment",
                                  "Export the runbook and include it in the attachment."),
    "final_closure_dashboard_available": ("Closure dashboard evidence available",
                                          "Produce closure dashboard evidence for the drill."),
    "readiness_state_reviewed": ("Readiness state checked",
                                 "Explain any blocker override when readiness is not ready."),
}


def packet_verification(created_at, summary, approval, runbook, attachment):
    evidence = {
        "release_record_attachment_present": attachment["attachment_id"],
        "approved_readiness_decision_present": approval["decision_id"],
        "readiness_summary_attached": summary["summary_id"],
        "operator_runbook_attached": runbook["export_id"],
        "final_closure_dashboard_available": "closure_state=%s" % summary["closure_state"],
        "readiness_state_reviewed": "readiness_state=%s" % summary["readiness_state"],
    }
    checks = [
        {"id": cid, "title": t, "status": "pass", "evidence": evidence[cid], "operator_action": a}
        for cid, (t, a) in PACKET_CHECK_TEXT.items()
    ]
    art = base("packet_verification")
    art.update({
        "generated_at": created_at,
        "generated_by": RELEASE_MANAGER,
        "verification_state": "verified",
        "alert_level": "healthy",
        "release_record_ref": RELEASE,
        "attachment_id": attachment["attachment_id"],
        "summary_id": summary["summary_id"],
        "approval_decision_id": approval["decision_id"],
        "runbook_export_id": runbook["export_id"],
        "closure_state": summary["closure_state"],
        "readiness_state": summary["readiness_state"],
        "check_count": len(checks),
        "passed_check_count": len(checks),
        "failed_check_count": 0,
        "warning_check_count": 0,
        "checks": checks,
        "attached_evidence": copy.deepcopy(attachment["attached_evidence"]),
        "recommended_actions": [],
        "public_evidence_refs": [URI["record"] + attachment["attachment_id"]]
        + [e["ref"] for e in attachment["attached_evidence"]],
        "controls": [
            "packet-verification-checks-the-attached-release-record",
            "packet-verification-reads-public-metadata-only",
            "packet-verification-makes-no-calls-to-release-systems",
            "auditor-export-waits-for-a-verified-packet",
        ],
    })
    vid, vh = make_id("packet_verification", art)
    art["verification_id"] = vid
    art["verification_hash"] = vh
    return wrap(
        "packet_verification", art, vid, created_at, RELEASE_MANAGER, decision_count=len(checks),
        verification_id=vid, verification_hash=vh, verification_state="verified", alert_level="healthy",
        release_record_ref=RELEASE, attachment_id=attachment["attachment_id"],
        summary_id=summary["summary_id"], approval_decision_id=approval["decision_id"],
        runbook_export_id=runbook["export_id"], failed_check_count=0, warning_check_count=0,
    )


def auditor_export(created_at, summary, approval, runbook, attachment, verification):
    index = [
        {"type": "release_record_attachment", "ref": attachment["attachment_id"]},
        {"type": "release_readiness_summary", "ref": summary["summary_id"]},
        {"type": "readiness_approval_decision", "ref": approval["decision_id"]},
        {"type": "operator_runbook_export", "ref": runbook["export_id"]},
        {"type": "closure_packet_verification", "ref": verification["verification_id"]},
    ]
    lines = [
        "# Payments API final reporting auditor export (synthetic sample)",
        "",
        "- Generated at: %s" % created_at,
        "- Release record: %s" % RELEASE,
        "- Verification state: verified",
        "",
        "## Checks",
        "",
    ] + ["- %s: %s" % (c["id"], c["status"]) for c in verification["checks"]] + [
        "",
        "## Evidence Index",
        "",
    ] + ["- %s: %s" % (e["type"], e["ref"]) for e in index] + [
        "",
        "## Boundary",
        "",
        "- References only; no credentials, customer payloads or private URLs.",
    ]
    art = base("auditor_export")
    art.update({
        "generated_at": created_at,
        "generated_by": RELEASE_MANAGER,
        "release_record_ref": RELEASE,
        "verification_id": verification["verification_id"],
        "verification_state": verification["verification_state"],
        "verification": copy.deepcopy(verification),
        "evidence_index": index,
        "markdown": "\n".join(lines) + "\n",
        "public_evidence_refs": list(verification["public_evidence_refs"]),
        "controls": [
            "auditor-export-built-from-a-verified-packet-only",
            "auditor-export-omits-connector-credentials-and-private-endpoints",
            "auditor-export-leaves-release-records-unchanged",
            "forwarding-to-grc-or-itsm-happens-through-operator-connectors",
        ],
    })
    eid, eh = make_id("auditor_export", art)
    art["export_id"] = eid
    art["export_hash"] = eh
    return wrap(
        "auditor_export", art, eid, created_at, RELEASE_MANAGER, decision_count=len(index),
        export_id=eid, export_hash=eh, release_record_ref=RELEASE,
        verification_id=verification["verification_id"], verification_state="verified",
        evidence_count=len(index),
    )


def archive_reference(created_at, export, verification, attachment, summary, approval, runbook):
    art = base("archive_reference")
    art.update({
        "archive_ref": ARCHIVE_REF,
        "archive_provider": "external_immutable_store",
        "archive_hash": export["export_hash"],
        "archived_at": created_at,
        "archived_by": RELEASE_MANAGER,
        "retention_until": RETENTION_UNTIL,
        "legal_hold": False,
        "release_record_ref": RELEASE,
        "export_id": export["export_id"],
        "export_hash": export["export_hash"],
        "verification_id": verification["verification_id"],
        "verification_state": verification["verification_state"],
        "notes": "Sample pointer to the operator-owned immutable copy of the auditor export.",
        "controls": [
            "archive-reference-is-an-external-pointer-only",
            "archive-reference-stores-no-payload-or-storage-credential",
            "archive-reference-bound-to-a-verified-auditor-export",
            "archive-writes-happen-in-operator-owned-storage",
        ],
    })
    rid, rh = make_id("archive_reference", art)
    art["reference_id"] = rid
    art["reference_hash"] = rh
    art["public_evidence_refs"] = [
        URI["auditor"] + export["export_id"],
        URI["archive"] + rid,
        URI["record"] + attachment["attachment_id"],
        URI["readiness"] + summary["summary_id"],
        URI["approval"] + approval["decision_id"],
        URI["runbook"] + runbook["export_id"],
        URI["dashboard"],
    ]
    return wrap(
        "archive_reference", art, rid, created_at, RELEASE_MANAGER, decision_count=1,
        reference_id=rid, reference_hash=rh, archive_ref=ARCHIVE_REF,
        archive_provider="external_immutable_store", archive_hash=export["export_hash"],
        export_id=export["export_id"], verification_id=verification["verification_id"],
        release_record_ref=RELEASE, retention_until=RETENTION_UNTIL, legal_hold=False,
    )


def archive_health(created_at):
    art = base("archive_health")
    art.update({
        "generated_at": created_at,
        "generated_by": CONSOLE,
        "alert_level": "healthy",
        "checked_export_count": 1,
        "archived_export_count": 1,
        "missing_archive_reference_count": 0,
        "alert_count": 0,
        "critical_alert_count": 0,
        "warning_alert_count": 0,
        "alerts": [],
        "recommended_actions": [
            "record an immutable archive pointer for every verified auditor export",
            "carry retention_until and archive_hash when the archive store reports them",
            "perform archive writes with operator-owned tooling only",
        ],
        "controls": [
            "archive-health-reads-reference-metadata-only",
            "archive-health-performs-no-storage-writes",
            "archive-health-holds-no-storage-credential-or-private-endpoint",
        ],
    })
    hid, _ = make_id("archive_health", art)
    art["health_id"] = hid
    return wrap(
        "archive_health", art, hid, created_at, CONSOLE, decision_count=1,
        health_id=hid, alert_level="healthy", alert_count=0, critical_alert_count=0,
        warning_alert_count=0, missing_archive_reference_count=0,
    )


# --------------------------------------------------------------------------
# Final closeout chain
# --------------------------------------------------------------------------

UPSTREAM_STEPS = [
    "readiness_summary", "runbook_export", "approval_decision", "record_attachment",
    "packet_verification", "auditor_export", "archive_reference", "archive_health",
]


def evidence_ref_of(art, session_id):
    for key in ("export_id", "reference_id", "health_id", "plan_id", "acknowledgement_id"):
        if art.get(key):
            return art[key]
    return session_id


def readiness_bundle(created_at, items):
    """Build a readiness bundle from the upstream items present at created_at."""
    upstream_kinds = {kind(s): s for s in UPSTREAM_STEPS}
    present = [it for it in items if it["metadata_kind"] in upstream_kinds]
    present.sort(key=lambda it: (it["created_at"], it["session_id"]), reverse=True)

    def latest(step):
        c = [it for it in present if it["metadata_kind"] == kind(step)]
        return inner(c[0], step) if c else None

    readiness = latest("readiness_summary")
    approval = latest("approval_decision")
    attachment = latest("record_attachment")
    verification = latest("packet_verification")
    export = latest("auditor_export")
    refs = [inner(it, "archive_reference") for it in present
            if it["metadata_kind"] == kind("archive_reference")]
    health = latest("archive_health")

    blockers = []
    if not approval or approval["approval_state"] != "approved":
        blockers.append("approved_readiness_decision")
    if not attachment or attachment["attachment_state"] != "attached":
        blockers.append("release_record_attachment")
    if not verification or verification["verification_state"] != "verified":
        blockers.append("verified_closure_packet")
    if not export:
        blockers.append("auditor_export")
    if not refs:
        blockers.append("immutable_archive_reference")
    if not health:
        blockers.append("archive_reference_health")

    index = []
    for it in present:
        step = upstream_kinds[it["metadata_kind"]]
        art = inner(it, step)
        index.append({
            "metadata_kind": it["metadata_kind"],
            "session_id": it["session_id"],
            "created_at": it["created_at"],
            "signer": it["signer"],
            "release_record_ref": it.get("release_record_ref", ""),
            "evidence_ref": evidence_ref_of(art, it["session_id"]),
        })
    archive_objects = [{
        "reference_id": r["reference_id"],
        "archive_ref": r["archive_ref"],
        "archive_provider": r["archive_provider"],
        "archive_hash": r["archive_hash"],
        "export_id": r["export_id"],
        "verification_id": r["verification_id"],
        "retention_until": r["retention_until"],
        "legal_hold": r["legal_hold"],
        "created_at": r["archived_at"],
    } for r in refs]
    art = base("readiness_bundle")
    art.update({
        "generated_at": created_at,
        "generated_by": RELEASE_MANAGER,
        "release_record_ref": RELEASE,
        "closeout_state": "ready_for_closeout" if not blockers else "incomplete",
        "readiness_state": readiness["readiness_state"] if readiness else "unknown",
        "verification_state": verification["verification_state"] if verification else "unknown",
        "approval_state": approval["approval_state"] if approval else "unknown",
        "archive_health": health["alert_level"] if health else "unknown",
        "blockers": blockers,
        "evidence_count": len(index),
        "archive_object_count": len(archive_objects),
        "archive_objects": archive_objects,
        "evidence_index": index,
        "section_counts": {
            "auditor_export_count": 1 if export else 0,
            "archive_reference_count": len(refs),
            "archive_health_alert_ack_count": 0,
        },
        "controls": [
            "readiness-bundle-indexes-public-final-reporting-metadata",
            "readiness-bundle-carries-references-and-redacted-metadata-only",
            "readiness-bundle-holds-no-archive-credential-or-private-endpoint",
            "readiness-bundle-is-content-hash-addressed",
        ],
    })
    bid, bh = make_id("readiness_bundle", art)
    art["bundle_id"] = bid
    art["bundle_hash"] = bh
    art["public_evidence_refs"] = [URI["bundle"] + bid] + [URI["evidence"] + e["evidence_ref"] for e in index]
    flag = 1 if blockers else 0
    return wrap(
        "readiness_bundle", art, bid, created_at, RELEASE_MANAGER, decision_count=len(index),
        blocked_count=flag, approval_required_count=flag,
        bundle_id=bid, bundle_hash=bh, release_record_ref=RELEASE,
        closeout_state=art["closeout_state"], readiness_state=art["readiness_state"],
        verification_state=art["verification_state"], evidence_count=len(index),
        archive_object_count=len(archive_objects),
    )


def signed_manifest(created_at, bundle, signed):
    art = base("signed_manifest")
    art.update({
        "generated_at": created_at,
        "signed_by": RELEASE_MANAGER,
        "signature_state": "external_signature_attached" if signed else "external_signature_required",
        "signature": SIGNATURE if signed else "",
        "signature_key_id": SIGNATURE_KEY_ID if signed else "",
        "signature_algorithm": SIGNATURE_ALGORITHM if signed else DEFAULT_SIGNATURE_ALGORITHM,
        "release_record_ref": RELEASE,
        "bundle_id": bundle["bundle_id"],
        "bundle_hash": bundle["bundle_hash"],
        "archive_object_count": bundle["archive_object_count"],
        "archive_objects": copy.deepcopy(bundle["archive_objects"]),
        "controls": [
            "archive-manifest-lists-public-archive-references",
            "community-edition-holds-no-signing-key-material",
            "manifest-signature-comes-from-an-external-kms-or-release-signing-service",
            "manifest-hash-binds-bundle-and-archive-objects",
        ],
    })
    material = {k: art[k] for k in ("bundle_id", "bundle_hash", "release_record_ref",
                                     "archive_objects", "generated_at")}
    mid, mh = make_id("signed_manifest", material)
    art["manifest_id"] = mid
    art["manifest_hash"] = mh
    art["public_evidence_refs"] = [URI["bundle"] + bundle["bundle_id"], URI["manifest"] + mid]
    flag = 0 if signed else 1
    return wrap(
        "signed_manifest", art, mid, created_at, RELEASE_MANAGER, decision_count=1,
        blocked_count=flag, approval_required_count=flag,
        manifest_id=mid, manifest_hash=mh, bundle_id=bundle["bundle_id"],
        bundle_hash=bundle["bundle_hash"], release_record_ref=RELEASE,
        signature_state=art["signature_state"], signature_key_id=art["signature_key_id"],
        archive_object_count=bundle["archive_object_count"],
    )


def closeout_summary(created_at, generated_by, bundle, manifest):
    blockers = []
    if bundle is None:
        blockers.append("readiness_bundle_missing")
    elif bundle["closeout_state"] != "ready_for_closeout":
        blockers.extend(bundle["blockers"] or ["readiness_bundle_not_ready"])
    if manifest is None:
        blockers.append("archive_manifest_missing")
    else:
        if manifest["archive_object_count"] == 0:
            blockers.append("archive_manifest_has_no_archive_objects")
        if manifest["signature_state"] != "external_signature_attached":
            blockers.append("archive_manifest_external_signature_missing")
    blockers = sorted(set(blockers))
    closed = not blockers
    if closed:
        executive = {
            "status": "payments-api final reporting is closed",
            "reason": "readiness bundle, archive manifest and external signature are all on record \u2014 nothing outstanding",
            # Synthetic extras (ours): a non-ASCII string and a float, so that
            # closeout's artifact-hash check exercises \uXXXX escaping and
            # Python float formatting.
            "reviewer_note": "Cl\u00f4ture v\u00e9rifi\u00e9e by %s (synthetic sample)." % RISK_OWNER,
            "spot_check_sampling_rate": 0.5,
        }
    else:
        executive = {
            "status": "payments-api final reporting is still open",
            "reason": "at least one closeout control is not satisfied yet",
        }
    art = base("closeout_summary")
    art.update({
        "generated_at": created_at,
        "generated_by": generated_by,
        "release_record_ref": RELEASE,
        "closeout_state": "closed" if closed else "open",
        "alert_level": "healthy" if closed else "critical",
        "blocker_count": len(blockers),
        "blockers": blockers,
        "bundle_id": bundle["bundle_id"] if bundle else "",
        "bundle_hash": bundle["bundle_hash"] if bundle else "",
        "manifest_id": manifest["manifest_id"] if manifest else "",
        "manifest_hash": manifest["manifest_hash"] if manifest else "",
        "signature_state": manifest["signature_state"] if manifest else "missing",
        "archive_object_count": manifest["archive_object_count"] if manifest else 0,
        "evidence_count": bundle["evidence_count"] if bundle else 0,
        "executive_summary": executive,
        "controls": [
            "closeout-summary-derived-from-bundle-and-manifest-metadata",
            "closeout-needs-an-external-manifest-signature",
            "closeout-summary-holds-no-signing-key-or-archive-credential",
            "closeout-state-is-recomputed-from-evidence-on-every-read",
        ],
    })
    sid, sh = make_id("closeout_summary", art)
    art["summary_id"] = sid
    art["summary_hash"] = sh
    art["public_evidence_refs"] = [
        URI["bundle"] + art["bundle_id"],
        URI["manifest"] + art["manifest_id"],
        URI["summary"] + sid,
    ]
    flag = 0 if closed else 1
    return wrap(
        "closeout_summary", art, sid, created_at, generated_by,
        decision_count=art["evidence_count"], blocked_count=flag, approval_required_count=flag,
        summary_id=sid, summary_hash=sh, release_record_ref=RELEASE,
        closeout_state=art["closeout_state"], alert_level=art["alert_level"],
        blocker_count=len(blockers), bundle_id=art["bundle_id"], manifest_id=art["manifest_id"],
        signature_state=art["signature_state"], archive_object_count=art["archive_object_count"],
    )


PUBLIC_SUMMARY_KEYS = [
    "alert_level", "archive_object_count", "bundle_id", "closeout_state", "evidence_count",
    "executive_summary", "manifest_id", "public_evidence_refs", "release_record_ref",
    "signature_state", "summary_hash", "summary_id",
]


def closeout_delivery_event(created_at, summary):
    public = {k: copy.deepcopy(summary[k]) for k in PUBLIC_SUMMARY_KEYS}
    title = "Payments API final closeout %s" % RELEASE
    payloads = {
        "webhook": copy.deepcopy(public),
        "splunk": {"sourcetype": "cavra:go:rollback_drill:closeout", "event": copy.deepcopy(public)},
        "sentinel": {"table": "CavraGoRollbackDrillCloseout_CL", "records": [copy.deepcopy(public)]},
        "datadog": {"title": title, "text": copy.deepcopy(public)},
        "slack": {"text": "Final closeout %s for %s is %s" % (summary["summary_id"], RELEASE,
                                                              summary["closeout_state"])},
        "teams": {"title": title, "summary": copy.deepcopy(public)},
        "jira": {"summary": title, "description": copy.deepcopy(public)},
        "servicenow": {"short_description": title, "description": copy.deepcopy(public)},
    }
    assert list(payloads) == PROVIDER_PAYLOAD_KEYS
    art = base("closeout_delivery")
    art.update({
        "event_type": EVENT_CLOSEOUT,
        "event_id": summary["summary_id"],
        "session_id": summary["summary_id"],
        "generated_at": created_at,
        "generated_by": RELEASE_MANAGER,
        "summary_id": summary["summary_id"],
        "summary_hash": summary["summary_hash"],
        "bundle_id": summary["bundle_id"],
        "manifest_id": summary["manifest_id"],
        "release_record_ref": RELEASE,
        "closeout_state": summary["closeout_state"],
        "archive_object_count": summary["archive_object_count"],
        "evidence_count": summary["evidence_count"],
        "public_evidence_refs": list(summary["public_evidence_refs"]),
        "payload": json.dumps(public, sort_keys=True),
        "payload_truncated": False,
        "provider_payloads": payloads,
        "controls": [
            "closeout-event-carries-public-release-evidence-only",
            "stored-delivery-requests-are-redacted",
            "grc-siem-and-archive-side-effects-stay-outside-community-edition",
        ],
    })
    # CAVRA stores the event under the summary's id, replacing that summary item.
    return wrap(
        "closeout_delivery", art, summary["summary_id"], created_at, RELEASE_MANAGER,
        decision_count=summary["evidence_count"],
        summary_id=summary["summary_id"], summary_hash=summary["summary_hash"],
        bundle_id=summary["bundle_id"], manifest_id=summary["manifest_id"],
        release_record_ref=RELEASE, closeout_state=summary["closeout_state"],
        archive_object_count=summary["archive_object_count"],
    )


def connector_delivery(created_at, source, event_type, event_id, provider, request, success,
                       status_code, error, attempts, extra):
    result = {
        "schema_version": DELIVERY_SCHEMA,
        "product": "CAVRA",
        "event_type": event_type,
        "event_id": event_id,
        "session_id": event_id,
        "generated_at": created_at,
        "success": success,
        "deliveries": [{
            "provider": provider,
            "success": success,
            "status_code": status_code,
            "attempt_count": attempts,
            "started_at": created_at,
            "completed_at": created_at,
            "error": error,
            "request": request,
        }],
    }
    rcd = "rcd-%s-%s" % (event_id, digest(result)[:12])
    item = {
        "schema_version": METADATA_SCHEMA,
        "product": "CAVRA",
        "session_id": rcd,
        "created_at": created_at,
        "signer": source,
        "decision_count": 0,
        "blocked_count": 0 if success else 1,
        "approval_required_count": 0,
        "metadata_kind": "release-connector-delivery",
        "connector_delivery_source": source,
        "event_id": event_id,
        "event_type": event_type,
        "delivery_success": success,
        "providers": [provider],
        "failed_providers": [] if success else [provider],
        "attempt_count": attempts,
        "max_attempt_count": attempts,
        "status_codes": [status_code] if status_code is not None else [],
        "delivery": result,
    }
    item.update(extra)
    return item


def redacted_hook_request():
    return {
        "method": "POST",
        "url": CLOSEOUT_HOOK_URL,
        "headers": {"authorization": "REDACTED", "content-type": "application/json"},
    }


def retention_request(created_at, summary, retention_until):
    art = base("retention_request")
    art.update({
        "requested_at": created_at,
        "requested_by": RELEASE_MANAGER,
        "review_state": "pending",
        "summary_id": summary["summary_id"],
        "summary_hash": summary["summary_hash"],
        "release_record_ref": RELEASE,
        "bundle_id": summary["bundle_id"],
        "manifest_id": summary["manifest_id"],
        "retention_until": retention_until,
        "legal_hold": False,
        "review_reason": "Keep the payments-api closeout evidence for the audit year.",
        "controls": [
            "retention-request-records-metadata-only",
            "community-edition-never-deletes-or-alters-archive-objects",
            "retention-approval-gates-operator-download-and-archive-workflows",
        ],
    })
    rid, rh = make_id("retention_request", art)
    art["review_id"] = rid
    art["review_hash"] = rh
    art["public_evidence_refs"] = list(summary["public_evidence_refs"]) + [URI["review"] + rid]
    return wrap(
        "retention_request", art, rid, created_at, RELEASE_MANAGER, decision_count=1,
        approval_required_count=1,
        review_id=rid, review_hash=rh, review_state="pending", summary_id=summary["summary_id"],
        release_record_ref=RELEASE, bundle_id=summary["bundle_id"], manifest_id=summary["manifest_id"],
        retention_until=retention_until, legal_hold=False,
    )


DECISION_NOTES = {
    "approved": "Sample decision: retention approved for the payments-api closeout evidence.",
    "denied": "Sample decision: requested retention conflicts with the payments data policy; resubmit.",
}


def retention_decision(created_at, request, state):
    art = base("retention_decision")
    art.update({
        "review_id": request["review_id"],
        "decided_at": created_at,
        "decided_by": RISK_OWNER,
        "decision_state": state,
        "external_ref": "CHG-SAMPLE-20260914-11",
        "notes": DECISION_NOTES[state],
        "summary_id": request["summary_id"],
        "release_record_ref": RELEASE,
        "bundle_id": request["bundle_id"],
        "manifest_id": request["manifest_id"],
        "retention_until": request["retention_until"],
        "legal_hold": request["legal_hold"],
        "controls": [
            "retention-decision-records-the-decision-state-only",
            "retention-policy-logic-stays-outside-community-edition",
            "retention-actions-are-enforced-by-operator-or-enterprise-services",
        ],
    })
    did, dh = make_id("retention_decision", art)
    art["decision_id"] = did
    art["decision_hash"] = dh
    art["public_evidence_refs"] = [
        URI["bundle"] + request["bundle_id"],
        URI["manifest"] + request["manifest_id"],
        URI["summary"] + request["summary_id"],
        URI["review"] + request["review_id"],
        URI["decision"] + did,
    ]
    return wrap(
        "retention_decision", art, did, created_at, RISK_OWNER, decision_count=1,
        blocked_count=0 if state == "approved" else 1,
        decision_id=did, decision_state=state, review_id=request["review_id"],
        summary_id=request["summary_id"], release_record_ref=RELEASE,
        bundle_id=request["bundle_id"], manifest_id=request["manifest_id"],
        retention_until=request["retention_until"], legal_hold=request["legal_hold"],
    )


def artifact_bundle(created_at, summary, bundle, manifest, decision):
    """decision: an approved decision artifact, or None (-> not_attached)."""
    files = []
    for path, content in (
        ("release-closeout-summary.json", summary),
        ("readiness-bundle.json", bundle),
        ("signed-archive-manifest.json", manifest),
    ):
        content = copy.deepcopy(content)
        files.append({
            "path": path,
            "media_type": "application/json",
            "sha256": file_sha256(content),
            "content": content,
        })
    art = base("artifact_bundle")
    art.update({
        "generated_at": created_at,
        "generated_by": RELEASE_MANAGER,
        "summary_id": summary["summary_id"],
        "summary_hash": summary["summary_hash"],
        "release_record_ref": RELEASE,
        "bundle_id": bundle["bundle_id"],
        "manifest_id": manifest["manifest_id"],
        "closeout_state": summary["closeout_state"],
        "retention_decision_id": decision["decision_id"] if decision else "",
        "retention_decision_state": decision["decision_state"] if decision else "not_attached",
        "retention_until": decision["retention_until"] if decision else "",
        "legal_hold": decision["legal_hold"] if decision else False,
        "artifact_count": len(files),
        "files": files,
        "download_manifest": [{k: f[k] for k in ("path", "media_type", "sha256")} for f in files],
        "controls": [
            "artifact-bundle-is-reviewable-json-metadata",
            "artifact-bundle-holds-public-closeout-evidence-only",
            "signing-material-and-archive-objects-stay-outside-community-edition",
            "retention-decision-is-linked-by-reference-only",
        ],
    })
    aid, ah = make_id("artifact_bundle", art)
    art["artifact_bundle_id"] = aid
    art["artifact_bundle_hash"] = ah
    art["public_evidence_refs"] = list(summary["public_evidence_refs"]) + [URI["artifact"] + aid]
    approved = art["retention_decision_state"] == "approved"
    return wrap(
        "artifact_bundle", art, aid, created_at, RELEASE_MANAGER, decision_count=len(files),
        blocked_count=0 if approved else 1, approval_required_count=0 if approved else 1,
        artifact_bundle_id=aid, artifact_bundle_hash=ah, summary_id=summary["summary_id"],
        release_record_ref=RELEASE, bundle_id=bundle["bundle_id"], manifest_id=manifest["manifest_id"],
        retention_decision_id=art["retention_decision_id"],
        retention_decision_state=art["retention_decision_state"], artifact_count=len(files),
    )


def date_of(value):
    return value[:10]


def retention_health(created_at, generated_by, items, expiry_warning_days=30):
    """CAVRA's retention-health rules, applied to our items as of created_at."""
    import datetime

    now = datetime.datetime.fromisoformat(created_at)
    bundles = [inner(it, "artifact_bundle") for it in items if it["metadata_kind"] == kind("artifact_bundle")]
    decisions = {inner(it, "retention_decision")["decision_id"]: inner(it, "retention_decision")
                 for it in items if it["metadata_kind"] == kind("retention_decision")}
    failed = [it for it in items if it["metadata_kind"] == "release-connector-delivery"
              and it["connector_delivery_source"] == SOURCE_CLOSEOUT and not it["delivery_success"]]
    findings, statuses = [], []
    approved = expiring = expired = 0
    for b in sorted(bundles, key=lambda b: b["artifact_bundle_id"]):
        state = b.get("retention_decision_state") or "missing"
        if state != "approved" and b.get("retention_decision_id") in decisions:
            state = decisions[b["retention_decision_id"]]["decision_state"]
        until = b.get("retention_until", "")
        if state != "approved":
            status = "approval_missing"
            findings.append({"severity": "critical", "category": "retention_approval_missing",
                             "artifact_bundle_id": b["artifact_bundle_id"],
                             "message": "This closeout artifact bundle has no approved retention decision."})
        else:
            approved += 1
            try:
                until_dt = datetime.datetime.fromisoformat(until + "T00:00:00+00:00")
            except ValueError:
                until_dt = None
            if until_dt is None:
                status = "retention_expiry_missing"
                findings.append({"severity": "warning", "category": "retention_expiry_missing",
                                 "artifact_bundle_id": b["artifact_bundle_id"],
                                 "message": "Approved retention has no usable retention_until date."})
            elif until_dt <= now:
                status = "retention_expired"
                expired += 1
                findings.append({"severity": "critical", "category": "retention_expired",
                                 "artifact_bundle_id": b["artifact_bundle_id"], "retention_until": until,
                                 "message": "Approved retention for this bundle ended before the health check."})
            elif until_dt <= now + datetime.timedelta(days=expiry_warning_days):
                status = "retention_expiring"
                expiring += 1
                findings.append({"severity": "warning", "category": "retention_expiring",
                                 "artifact_bundle_id": b["artifact_bundle_id"], "retention_until": until,
                                 "message": "Approved retention for this bundle ends within the warning window."})
            else:
                status = "healthy"
        statuses.append({
            "artifact_bundle_id": b["artifact_bundle_id"],
            "summary_id": b["summary_id"],
            "release_record_ref": b["release_record_ref"],
            "retention_decision_id": b["retention_decision_id"],
            "retention_decision_state": state,
            "retention_until": until,
            "legal_hold": b["legal_hold"],
            "artifact_count": b["artifact_count"],
            "status": status,
        })
    if failed:
        findings.append({"severity": "warning", "category": "failed_closeout_delivery",
                         "failed_delivery_count": len(failed),
                         "message": "A final closeout delivery failed; plan a redelivery before closeout is accepted."})
    if any(f["severity"] == "critical" for f in findings):
        level = "critical"
    elif findings:
        level = "warning"
    else:
        level = "healthy"
    art = base("retention_health")
    art.update({
        "generated_at": created_at,
        "generated_by": generated_by,
        "alert_level": level,
        "expiry_warning_days": expiry_warning_days,
        "artifact_bundle_count": len(bundles),
        "approved_retention_count": approved,
        "expiring_bundle_count": expiring,
        "expired_bundle_count": expired,
        "failed_closeout_delivery_count": len(failed),
        "alert_count": len(findings),
        "findings": findings,
        "bundle_statuses": statuses,
        "controls": [
            "retention-health-computed-from-public-closeout-metadata",
            "retention-health-enforces-no-private-retention-policy",
            "delivery-findings-use-redacted-connector-records",
        ],
    })
    hid, hh = make_id("retention_health", art)
    art["health_id"] = hid
    art["health_hash"] = hh
    art["public_evidence_refs"] = [URI["health"] + hid] + [URI["artifact"] + s["artifact_bundle_id"]
                                                           for s in statuses]
    return wrap(
        "retention_health", art, hid, created_at, generated_by, decision_count=len(findings),
        blocked_count=1 if level == "critical" else 0,
        approval_required_count=1 if level == "warning" else 0,
        health_id=hid, alert_level=level, artifact_bundle_count=len(bundles),
        expiring_bundle_count=expiring, expired_bundle_count=expired,
        failed_closeout_delivery_count=len(failed), alert_count=len(findings),
    )


def alert_plan(created_at, health):
    selected = [ALERT_PROVIDER] if health["alert_level"] != "healthy" else []
    art = base("alert_plan")
    art.update({
        "generated_at": created_at,
        "generated_by": RELEASE_MANAGER,
        "health_id": health["health_id"],
        "alert_level": health["alert_level"],
        "requested_provider": ALERT_PROVIDER,
        "selected_providers": selected,
        "acknowledgement_required_providers": list(selected),
        "force": False,
        "summary": {
            "artifact_bundle_count": health["artifact_bundle_count"],
            "expiring_bundle_count": health["expiring_bundle_count"],
            "expired_bundle_count": health["expired_bundle_count"],
            "failed_closeout_delivery_count": health["failed_closeout_delivery_count"],
            "alert_count": health["alert_count"],
        },
        "findings": copy.deepcopy(health["findings"]),
        "public_evidence_refs": list(health["public_evidence_refs"]),
        "controls": [
            "alert-plan-derived-from-the-retention-health-report",
            "alert-plan-names-providers-without-credentials",
            "retention-enforcement-stays-with-operator-or-enterprise-systems",
        ],
    })
    pid, _ = make_id("alert_plan", art)
    art["plan_id"] = pid
    return wrap(
        "alert_plan", art, pid, created_at, RELEASE_MANAGER, decision_count=len(selected),
        approval_required_count=len(selected),
        plan_id=pid, health_id=health["health_id"], alert_level=health["alert_level"],
        selected_providers=list(selected), acknowledgement_required_providers=list(selected),
    )


def minutes_between(a, b):
    import datetime
    return int((datetime.datetime.fromisoformat(b) - datetime.datetime.fromisoformat(a)).total_seconds() // 60)


def retry_plan(created_at, items, max_retry_attempts, retry_delay_minutes=15):
    allow_immediate = retry_delay_minutes == 0
    failed = [it for it in items if it["metadata_kind"] == "release-connector-delivery"
              and it["connector_delivery_source"] == SOURCE_CLOSEOUT and not it["delivery_success"]]
    failed.sort(key=lambda it: it["session_id"])
    decisions = []
    for d in failed:
        attempts = d["attempt_count"] or 1
        age = minutes_between(d["created_at"], created_at)
        if attempts >= max_retry_attempts:
            action, reason = "suppress", "max_retry_attempts_reached"
        elif allow_immediate or age >= retry_delay_minutes:
            action, reason = "retry", "eligible_for_closeout_redelivery"
        else:
            action, reason = "wait", "retry_delay_window_not_elapsed"
        decisions.append({
            "delivery_id": d["session_id"],
            "summary_id": d["summary_id"],
            "bundle_id": d["bundle_id"],
            "manifest_id": d["manifest_id"],
            "release_record_ref": d["release_record_ref"],
            "provider": d["delivery"]["deliveries"][0]["provider"],
            "action": action,
            "reason": reason,
            "attempts": attempts,
            "age_minutes": age,
        })
    art = base("retry_plan")
    art.update({
        "generated_at": created_at,
        "generated_by": PLATFORM_OWNER,
        "max_retry_attempts": max_retry_attempts,
        "retry_delay_minutes": retry_delay_minutes,
        "allow_immediate_retry": allow_immediate,
        "failed_delivery_count": len(failed),
        "retryable_count": sum(1 for d in decisions if d["action"] == "retry"),
        "waiting_count": sum(1 for d in decisions if d["action"] == "wait"),
        "suppressed_count": sum(1 for d in decisions if d["action"] == "suppress"),
        "retry_decisions": decisions,
        "controls": [
            "retry-plan-built-from-redacted-delivery-records",
            "community-edition-keeps-no-connector-credentials",
            "live-redelivery-needs-an-explicit-worker-execute-request",
        ],
    })
    pid, ph = make_id("retry_plan", art)
    art["retry_plan_id"] = pid
    art["retry_hash"] = ph
    return wrap(
        "retry_plan", art, pid, created_at, PLATFORM_OWNER, decision_count=len(decisions),
        approval_required_count=art["retryable_count"],
        retry_plan_id=pid, retryable_count=art["retryable_count"], waiting_count=art["waiting_count"],
        suppressed_count=art["suppressed_count"],
    )


def worker_run(created_at, plan, max_retry_deliveries=5):
    selected = [copy.deepcopy(d) for d in plan["retry_decisions"] if d["action"] == "retry"][:max_retry_deliveries]
    art = base("worker_run")
    art.update({
        "generated_at": created_at,
        "generated_by": PLATFORM_OWNER,
        "dry_run": True,
        "schedule": {
            "interval_minutes": 60,
            "window_start": "%sT09:00:00+00:00" % DAY,
            "window_end": "%sT10:00:00+00:00" % DAY,
            "enabled": True,
            "cadence": "every_60_minutes",
        },
        "summary": {
            "retry_plan_count": 1,
            "retryable_count": plan["retryable_count"],
            "selected_retry_count": len(selected),
            "waiting_retry_count": plan["waiting_count"],
            "suppressed_retry_count": plan["suppressed_count"],
        },
        "retry_plan": copy.deepcopy(plan),
        "selected_retries": selected,
        "controls": [
            "retry-worker-defaults-to-dry-run",
            "live-redelivery-needs-an-explicit-execute-request",
            "worker-run-holds-no-connector-credential-or-private-endpoint",
        ],
    })
    rid, _ = make_id("worker_run", art)
    art["run_id"] = rid
    return wrap(
        "worker_run", art, rid, created_at, PLATFORM_OWNER, decision_count=len(selected),
        run_id=rid, retry_plan_id=plan["retry_plan_id"], dry_run=True,
        selected_retry_count=len(selected),
    )


def execution_record(created_at, run, decision):
    art = base("execution_record")
    art.update({
        "executed_at": created_at,
        "executed_by": PLATFORM_OWNER,
        "execution_status": "skipped",
        "skip_reason": "dry_run",
        "run_id": run["run_id"],
        "retry_plan_id": run["retry_plan"]["retry_plan_id"],
        "delivery_id": decision["delivery_id"],
        "summary_id": decision["summary_id"],
        "release_record_ref": decision["release_record_ref"],
        "provider": decision["provider"],
        "delivery_success": False,
        "new_delivery_id": "",
        "controls": [
            "execution-record-links-worker-decision-and-delivery",
            "execution-record-holds-redacted-delivery-metadata-only",
            "community-edition-keeps-no-provider-credentials",
        ],
    })
    eid, eh = make_id("execution_record", art)
    art["execution_id"] = eid
    art["execution_hash"] = eh
    return wrap(
        "execution_record", art, eid, created_at, PLATFORM_OWNER, decision_count=1, blocked_count=1,
        execution_id=eid, execution_status="skipped", run_id=run["run_id"],
        retry_plan_id=art["retry_plan_id"], delivery_id=decision["delivery_id"],
        summary_id=decision["summary_id"], release_record_ref=decision["release_record_ref"],
        provider=decision["provider"],
    )


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
# Trial package (cavra.final_closeout_trial.v1)
# --------------------------------------------------------------------------


def placeholder_sha256(label):
    # Not a hash of any real file: the trial package embeds no file content.
    return hashlib.sha256(("closeout sample placeholder: " + label).encode()).hexdigest()


def trial_package():
    delivery_ref = "connector-delivery-payments-api-001"
    return {
        "schema_version": TRIAL_SCHEMA,
        "generated_at": AS_OF,
        "scenario": {
            "name": "payments-api-final-closeout-walkthrough",
            "edition": "community",
            "purpose": "Synthetic walkthrough of a payments-api release closeout with one failed delivery under accepted risk",
            "data_classification": "synthetic_public_demo",
            "boundary_note": "Written for closeout's samples. Only public-safe metadata is recorded here; signing keys, connector credentials and archive operations live in operator or Enterprise systems.",
        },
        "final_readiness_bundle": {
            "bundle_id": "frb-payments-api-2026-09-14-001",
            "release_id": RELEASE,
            "state": "ready",
            "evidence_refs": [
                "readiness-summary-payments-api-001",
                "approval-decision-payments-api-001",
                "release-record-attachment-payments-api-001",
                "closure-packet-verification-payments-api-001",
                "auditor-export-payments-api-001",
                "archive-health-payments-api-001",
            ],
        },
        "signed_archive_manifest": {
            "manifest_id": "sam-payments-api-2026-09-14-001",
            "signature_state": "external_signature_attached",
            "signature_algorithm": SIGNATURE_ALGORITHM,
            "key_reference": SIGNATURE_KEY_ID,
            "private_key_stored": False,
            "manifest_digest": "sha256:" + placeholder_sha256("signed archive manifest"),
        },
        "release_closeout_summary": {
            "closeout_id": "closeout-payments-api-001",
            "closeout_state": "closed",
            "blocker_count": 0,
            "delivery_state": "partial_failure",
            "public_evidence_refs": ["closeout-summary-payments-api-001", delivery_ref],
        },
        "retention_review": {
            "review_id": "retention-review-payments-api-001",
            "request_state": "submitted",
            "decision_state": "approved",
            "approved_by": RISK_OWNER,
            "retention_until": RETENTION_UNTIL,
            "legal_hold": False,
            "notes": "Sample approval: keep the payments-api closeout evidence for one year.",
        },
        "closeout_artifact_bundle": {
            "artifact_bundle_id": "closeout-artifact-payments-api-001",
            "download_state": "available",
            "retention_decision_state": "approved",
            "files": [
                {"name": "closeout-summary.json", "sha256": placeholder_sha256("closeout-summary.json")},
                {"name": "final-readiness-bundle.json", "sha256": placeholder_sha256("final-readiness-bundle.json")},
                {"name": "signed-archive-manifest.json", "sha256": placeholder_sha256("signed-archive-manifest.json")},
            ],
        },
        "retention_health_report": {
            "report_id": "retention-health-payments-api-001",
            "health_state": "warning",
            "summary": {"critical_findings": 0, "warning_findings": 1, "healthy_checks": 5},
            "findings": [{
                "finding_id": "retention-warning-payments-api-001",
                "severity": "warning",
                "category": "delivery_retry_required",
                "message": "The closeout delivery to the release webhook failed once; a dry-run retry is planned.",
            }],
        },
        "retention_alert_delivery": {
            "alert_id": "retention-alert-payments-api-001",
            "providers": [{
                "provider": "slack",
                "route": "payments-release-alerts-nonprod",
                "delivery_state": "delivered",
                "redacted": True,
            }],
        },
        "closeout_retry_plan": {
            "retry_plan_id": "closeout-retry-plan-payments-api-001",
            "source_delivery_id": delivery_ref,
            "decision": "retry",
            "mode": "dry_run_first",
            "owner": PLATFORM_OWNER,
            "target_resolution_date": "2026-09-21",
        },
        "retry_worker_run": {
            "worker_run_id": "closeout-retry-worker-payments-api-001",
            "mode": "dry_run",
            "state": "completed",
            "would_retry_delivery_ids": [delivery_ref],
            "live_connector_used": False,
        },
        "release_decision": {
            "criteria_document": "docs/release-governance-final-closeout-release-criteria.md",
            "state": "ready_with_accepted_risk",
            "accepted_risk": {
                "owner": RISK_OWNER,
                "reason": "Webhook redelivery is planned and dry-run checked; the payments-api release may proceed while it is pending.",
                "expires_at": "2026-09-21",
            },
        },
    }


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
