#!/usr/bin/env python3
"""Generate closeout's closeout-chain test scenarios into tests/data/chain/.

Test data for issue 10 (one typed closeout chain anchored on one release) and issue 11 section 3
(holes in the loader). Everything written here is synthetic and was written for closeout: releases,
actors, ids, notes and hosts (`*.example.invalid`) are ours; only the formats are CAVRA's (see
scripts/cavra_shapes.py).

Each scenario is a real-shaped evidence-metadata store (and, where the scenario is about API
responses, a directory of API response bodies), produced by replaying CAVRA's final-closeout API
routes against a simulated store (class Cavra below), plus hand-written expectations per case
derived from issue 10's rule book (chain-rules.md; each case's notes name the rule that decides it).

Deterministic: no clock, no randomness. Re-running produces byte-identical files.

    python3 scripts/gen-test-scenarios.py
"""

import copy
import datetime
import json
import os
import shutil
import sys
import textwrap

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cavra_shapes as cs  # noqa: E402
from cavra_shapes import (  # noqa: E402
    ALERT_PROVIDER, ALERT_URL_REDACTED, CONSOLE, EVENT_ALERT, EVENT_CLOSEOUT, PLATFORM_OWNER,
    RELEASE_MANAGER, SOURCE_ALERT, SOURCE_CLOSEOUT, STEP_MINUTE, embed_key, inner, kind,
)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "tests", "data", "chain")

INDEX_SCHEMA = "closeout.test-scenarios.v1"

# Our releases: successive releases of the same (synthetic) payments-api service.
REL_JUL = "REL-2026.07-payments-api"
REL_AUG = "REL-2026.08-payments-api"
REL_SEP = "REL-2026.09-payments-api"  # = cavra_shapes.RELEASE, the samples' release
REL_OCT = "REL-2026.10-payments-api"
REL_UNKNOWN = "REL-2026.11-payments-api"  # named by --release, present nowhere

CRITERIA = [
    "final_readiness", "signed_archive_manifest", "release_closeout", "closeout_delivery",
    "retention_approval", "artifact_bundle", "retention_health", "retry_workflow",
    "retention_alerts", "community_boundary",
]

RETENTION_OK = "2027-09-14"


def ts(day, hh, mm, ss=0):
    return "%sT%02d:%02d:%02d+00:00" % (day, hh, mm, ss)


def clock(day, hour=9):
    """The samples' step clock (cavra_shapes.STEP_MINUTE) on another day / hour."""
    def at(step):
        m = STEP_MINUTE[step]
        return ts(day, hour + m // 60, m % 60)
    return at


def plus_minutes(t, minutes):
    d = datetime.datetime.fromisoformat(t) + datetime.timedelta(minutes=minutes)
    return d.isoformat()


# --------------------------------------------------------------------------
# A simulated CAVRA: the final-closeout API routes over one evidence-metadata store
# --------------------------------------------------------------------------


class Cavra:
    """Replays CAVRA's final-closeout routes (reference section 5.2) against one store.

    What each route persists and returns follows CAVRA's API handlers: the deliver route
    persists the rebuilt summary and then the delivery event under the same id (so the event
    replaces the summary item); the manifest route rebuilds and persists the readiness bundle;
    the retention-review and artifact-bundle routes rebuild and persist the summary; the
    worker route persists its retry plan, one execution record per selected retry and the
    run; a live worker run rebuilds the summary and its delivery event WITHOUT persisting
    them and stores only the new connector delivery (whose summary_id / event_id name that
    unpersisted summary version).
    """

    def __init__(self):
        self.items = {}
        self.responses = []

    # store -------------------------------------------------------------

    def upsert(self, item):
        self.items[item["session_id"]] = item
        return item

    def all(self):
        return list(self.items.values())

    def ordered(self):
        return sorted(self.items.values(), key=lambda it: it["session_id"])

    def latest(self, step, release=None, pred=None):
        c = [it for it in self.ordered() if it["metadata_kind"] == kind(step)
             and (release is None or it.get("release_record_ref") == release)
             and (pred is None or pred(it))]
        c.sort(key=lambda it: it["created_at"], reverse=True)  # stable: ties keep store order
        return c[0] if c else None

    def respond(self, route, body):
        self.responses.append((route, body))
        return body

    def drop(self, session_id):
        del self.items[session_id]

    # upstream drill reporting ---------------------------------------------

    def upstream(self, release, at, early_archive_health=False):
        """Readiness summaries .. immutable archive reference (minutes 0-7 of the clock)."""
        rs_old = cs.readiness_summary(at("readiness_summary_v1"), CONSOLE, ready=False)
        rs = cs.readiness_summary(at("readiness_summary_v2"), RELEASE_MANAGER, ready=True)
        summary = inner(rs, "readiness_summary")
        rb = cs.runbook_export(at("runbook_export"), summary)
        ad = cs.approval_decision(at("approval_decision"), summary)
        runbook, approval = inner(rb, "runbook_export"), inner(ad, "approval_decision")
        ra = cs.record_attachment(at("record_attachment"), summary, approval, runbook, release=release)
        attachment = inner(ra, "record_attachment")
        pv = cs.packet_verification(at("packet_verification"), summary, approval, runbook, attachment,
                                    release=release)
        verification = inner(pv, "packet_verification")
        ae = cs.auditor_export(at("auditor_export"), summary, approval, runbook, attachment, verification,
                               release=release)
        export = inner(ae, "auditor_export")
        for it in (rs_old, rs, rb, ad, ra, pv, ae):
            self.upsert(it)
        if early_archive_health:
            # Archive health checked between the auditor export and its archive pointer: CAVRA
            # raises the archive_reference_missing alert (a category) for that export.
            t = plus_minutes(at("auditor_export"), 0.5)
            self.upsert(cs.archive_health(t, alerts=[{
                "alert_id": "archive_reference_missing",
                "severity": "critical",
                "export_id": export["export_id"],
                "release_record_ref": release,
                "message": "This verified auditor export has no immutable archive pointer yet.",
            }], checked=1, archived=0))
        ar = cs.archive_reference(at("archive_reference"), export, verification, attachment, summary,
                                  approval, runbook, release=release)
        self.upsert(ar)
        return export

    def archive_health(self, t):
        return self.upsert(cs.archive_health(t))

    # final closeout routes ---------------------------------------------------

    def readiness_bundle(self, release, t):
        b = self.upsert(cs.readiness_bundle(t, self.all(), release=release))
        self.respond("final-reporting-readiness-bundle",
                     {"bundle": inner(b, "readiness_bundle"), "metadata": b, "actor": None})
        return b

    def sign_manifest(self, release, t, signed=True):
        b = self.upsert(cs.readiness_bundle(t, self.all(), release=release))
        m = self.upsert(cs.signed_manifest(t, inner(b, "readiness_bundle"), signed, release=release))
        self.respond("final-reporting-signed-archive-manifest", {
            "manifest": inner(m, "signed_manifest"), "metadata": m,
            "bundle": inner(b, "readiness_bundle"), "bundle_metadata": b, "actor": None})
        return m

    def build_summary(self, release, t, actor):
        b = self.latest("readiness_bundle", release)
        m = self.latest("signed_manifest", release)
        return cs.closeout_summary(t, actor, inner(b, "readiness_bundle") if b else None,
                                   inner(m, "signed_manifest") if m else None, release=release)

    def summary_get(self, release, t, actor=CONSOLE):
        s = self.upsert(self.build_summary(release, t, actor))
        self.respond("final-reporting-release-closeout-summary",
                     {"summary": inner(s, "closeout_summary"), "metadata": s})
        return s

    def deliver(self, release, t, success=True):
        """The deliver route with its defaults (webhook, retries=2: three attempts on failure)."""
        s = self.upsert(self.build_summary(release, t, RELEASE_MANAGER))
        summary = inner(s, "closeout_summary")
        assert summary["closeout_state"] == "closed", "CAVRA refuses to deliver an open closeout"
        ev = self.upsert(cs.closeout_delivery_event(t, summary))
        extra = {"summary_id": summary["summary_id"], "bundle_id": summary["bundle_id"],
                 "manifest_id": summary["manifest_id"], "release_record_ref": release}
        if success:
            cd = cs.connector_delivery(t, SOURCE_CLOSEOUT, EVENT_CLOSEOUT, summary["summary_id"], "webhook",
                                       cs.redacted_hook_request(), True, 200, None, 1, extra)
        else:
            cd = cs.connector_delivery(t, SOURCE_CLOSEOUT, EVENT_CLOSEOUT, summary["summary_id"], "webhook",
                                       cs.redacted_hook_request(), False, 503, "HTTP request failed", 3, extra)
        self.upsert(cd)
        self.respond("final-reporting-release-closeout-summary-deliver", {
            "summary": summary, "event": inner(ev, "closeout_delivery"), "delivery": cd["delivery"],
            "metadata": cd, "event_metadata": ev, "summary_metadata": s, "success": success, "actor": None})
        return cd

    def retention_review(self, release, t, retention_until):
        s = self.upsert(self.build_summary(release, t, RELEASE_MANAGER))
        rq = self.upsert(cs.retention_request(t, inner(s, "closeout_summary"), retention_until))
        self.respond("final-reporting-closeout-retention-review", {
            "request": inner(rq, "retention_request"), "metadata": rq,
            "summary": inner(s, "closeout_summary"), "summary_metadata": s, "actor": None})
        return rq

    def decide(self, request_item, t, state):
        request = inner(request_item, "retention_request")
        dc = self.upsert(cs.retention_decision(t, request, state))
        self.respond("final-reporting-closeout-retention-review-decisions", {
            "decision": inner(dc, "retention_decision"), "metadata": dc, "request": request, "actor": None})
        return dc

    def artifact_bundle(self, release, t):
        rb = self.latest("readiness_bundle", release)
        m = self.latest("signed_manifest", release)
        d = self.latest("retention_decision", release, lambda it: it.get("decision_state") == "approved")
        s = self.upsert(self.build_summary(release, t, RELEASE_MANAGER))
        ab = self.upsert(cs.artifact_bundle(t, inner(s, "closeout_summary"), inner(rb, "readiness_bundle"),
                                            inner(m, "signed_manifest"),
                                            inner(d, "retention_decision") if d else None))
        self.respond("final-reporting-closeout-artifact-bundle", {
            "artifact_bundle": inner(ab, "artifact_bundle"), "metadata": ab,
            "summary": inner(s, "closeout_summary"), "summary_metadata": s, "actor": None})
        return ab

    def health_get(self, t):
        h = self.upsert(cs.retention_health(t, CONSOLE, self.all()))
        self.respond("final-reporting-closeout-retention-health",
                     {"health": inner(h, "retention_health"), "metadata": h})
        return h

    def health_alert(self, t, success=True):
        h = self.upsert(cs.retention_health(t, RELEASE_MANAGER, self.all()))
        health = inner(h, "retention_health")
        p = cs.alert_plan(t, health)
        plan = inner(p, "alert_plan")
        event = cs.alert_event(t, plan, RELEASE_MANAGER)
        self.upsert(p)
        cd = None
        if plan["selected_providers"]:
            cd = self.upsert(cs.connector_delivery(
                t, SOURCE_ALERT, EVENT_ALERT, plan["plan_id"], ALERT_PROVIDER,
                {"method": "POST", "url": ALERT_URL_REDACTED, "headers": {"content-type": "application/json"}},
                success, 200 if success else 502, None if success else "HTTP request failed",
                1 if success else 3, {"health_id": health["health_id"], "plan_id": plan["plan_id"]}))
        self.respond("final-reporting-closeout-retention-health-alerts-deliver", {
            "health": health, "health_metadata": h, "plan": plan, "plan_metadata": p, "event": event,
            "delivery": cd["delivery"] if cd else None, "metadata": cd,
            "success": bool(cd["delivery_success"]) if cd else True, "actor": None})
        return h

    def retry_plan(self, t, max_retry_attempts, retry_delay_minutes=15):
        p = self.upsert(cs.retry_plan(t, self.all(), max_retry_attempts, retry_delay_minutes))
        self.respond("final-reporting-release-closeout-summary-delivery-retry-plan",
                     {"plan": inner(p, "retry_plan"), "metadata": p, "actor": None})
        return p

    def worker(self, t, max_retry_attempts, dry_run=True, live_success=None, retry_delay_minutes=15):
        """The retry-worker route. live_success: {delivery_id: bool} for live runs."""
        wp = cs.retry_plan(t, self.all(), max_retry_attempts, retry_delay_minutes)
        start = t[:13] + ":00:00+00:00"
        window = (start, plus_minutes(start, 60))
        wr = cs.worker_run(t, inner(wp, "retry_plan"), dry_run=dry_run, window=window)
        run = inner(wr, "worker_run")
        self.upsert(wp)
        results = []
        for decision in run["selected_retries"]:
            if dry_run:
                er = self.upsert(cs.execution_record(t, run, decision))
                results.append({"decision": decision, "event": None, "delivery": None,
                                "delivery_metadata": None, "execution_record": inner(er, "execution_record"),
                                "execution_metadata": er, "skipped": "dry_run"})
                continue
            ok = live_success[decision["delivery_id"]]
            release = decision["release_record_ref"]
            summary = inner(self.build_summary(release, t, PLATFORM_OWNER), "closeout_summary")
            event = inner(cs.closeout_delivery_event(t, summary), "closeout_delivery")  # not persisted
            extra = {"summary_id": summary["summary_id"], "bundle_id": summary["bundle_id"],
                     "manifest_id": summary["manifest_id"], "release_record_ref": release}
            # The worker delivers with retries=1: two attempts on failure.
            cd = self.upsert(cs.connector_delivery(
                t, SOURCE_CLOSEOUT, EVENT_CLOSEOUT, summary["summary_id"], decision["provider"],
                cs.redacted_hook_request(), ok, 200 if ok else 503, None if ok else "HTTP request failed",
                1 if ok else 2, extra))
            er = self.upsert(cs.execution_record(t, run, decision, "delivered" if ok else "failed", cd))
            results.append({"decision": decision, "event": event, "delivery": cd["delivery"],
                            "delivery_metadata": cd, "execution_record": inner(er, "execution_record"),
                            "execution_metadata": er, "skipped": None})
        self.upsert(wr)
        self.respond("final-reporting-release-closeout-summary-delivery-retry-worker-run", {
            "run": run, "metadata": wr, "retry_metadata": wp, "retry_results": results, "actor": None})
        return wr

    # the samples' step sequence -------------------------------------------

    def chain(self, release, day, hour=9, delivery="success", retention="approved",
              retention_until=RETENTION_OK, artifact=True, health=True, retry="empty", upstream=True,
              early_archive_health=False, hooks=None):
        """One release's closeout, step by step as the samples' clean / accepted-risk stores.

        delivery: "success" | "failed" | None;  retention: a decision state | None (no review);
        retry: "empty" (plan and worker with CAVRA's default max 3) | "full" (max 5) | None.
        hooks: {step name: callable()} run just before that step.
        Returns a dict of the items made along the way.
        """
        at = clock(day, hour)
        hooks = hooks or {}
        made = {}

        def step(name):
            if name in hooks:
                hooks[name]()
            return at(name)

        if upstream:
            self.upstream(release, at, early_archive_health=early_archive_health)
            made["bundle_v1"] = self.readiness_bundle(release, step("readiness_bundle_v1"))
            self.archive_health(step("archive_health"))
        made["manifest"] = self.sign_manifest(release, step("signed_manifest"))
        made["summary_get"] = self.summary_get(release, step("closeout_summary_get"))
        t = step("closeout_deliver")
        if delivery:
            made["delivery"] = self.deliver(release, t, success=delivery == "success")
        t = step("retention_request")
        if retention:
            made["request"] = self.retention_review(release, t, retention_until)
            made["decision"] = self.decide(made["request"], step("retention_decision"), retention)
        t = step("artifact_bundle")
        if artifact:
            made["artifact"] = self.artifact_bundle(release, t)
        t = step("retention_health_get")
        if health:
            self.health_get(t)
            made["health"] = self.health_alert(step("retention_health_alert"))
        t = step("retry_plan")
        if retry:
            policy = 5 if retry == "full" else 3
            self.retry_plan(t, policy)
            made["worker"] = self.worker(step("retry_worker"), policy)
        return made

    def store(self, upstream=False):
        """The store as CAVRA would write it. upstream=False (the default, to keep the test data small)
        drops the upstream kinds the readiness bundle indexes (readiness summaries, runbook exports,
        approvals, attachments, packet verifications, auditor exports, archive references) but keeps
        archive reference health; they decide no criterion, only whether references to them resolve."""
        items = self.ordered()
        if not upstream:
            items = [it for it in items if it["metadata_kind"] not in UPSTREAM_ONLY_KINDS]
        ids = [it["session_id"] for it in items]
        assert len(ids) == len(set(ids))
        return {"items": items}


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def store_text(store):
    """An evidence-metadata store, one item per line (keys sorted, Python's separators)."""
    lines = [json.dumps(it, sort_keys=True) for it in store["items"]]
    return '{"items": [\n' + ",\n".join(lines) + "\n]}\n"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def pretty(obj):
    return json.dumps(obj, indent=2, sort_keys=True) + "\n"


# --------------------------------------------------------------------------
# Expectations
# --------------------------------------------------------------------------


def crit(**statuses):
    """All ten criteria; pass unless named."""
    unknown = set(statuses) - set(CRITERIA)
    assert not unknown, unknown
    return {c: statuses.get(c, "pass") for c in CRITERIA}


def verdict_of(criteria, acceptance_valid=False):
    """Rule book section 6: any fail -> blocked; warns need one valid owner acceptance."""
    values = set(criteria.values())
    if "fail" in values:
        return "blocked"
    if "warn" in values:
        return "ready_with_accepted_risk" if acceptance_valid else "blocked"
    return "ready_for_release"


def case(name, as_of, release, evaluated, others, criteria, notes, acceptance=None, **extra):
    """One case. acceptance: None (the input cannot carry one: stores, directories) or
    "valid" / "expired" (trial package)."""
    expect = {
        "verdict": verdict_of(criteria, acceptance == "valid"),
        "evaluated_release": evaluated,
        "other_releases": sorted(others),
        "criteria": criteria,
        "load_error": None,
        "notes": notes,
    }
    if acceptance is not None:
        expect["acceptance"] = acceptance
    expect.update(extra)
    return {"name": name, "as_of": as_of, "release": release, "expect": expect}


def load_error_case(name, as_of, message, notes, at=None):
    expect = {
        "verdict": None,
        "evaluated_release": None,
        "other_releases": [],
        "criteria": None,
        "load_error": message,
        "notes": notes,
    }
    if at is not None:
        expect["load_error_at"] = {"line": at[0], "column": at[1]}
    return {"name": name, "as_of": as_of, "release": None, "expect": expect}


# --------------------------------------------------------------------------
# References (rule book section 7), computed over a store so the expected lists are exact
# --------------------------------------------------------------------------

REF_FIELDS = {
    "bundle_id", "manifest_id", "summary_id", "review_id", "retention_decision_id", "artifact_bundle_id",
    "health_id", "plan_id", "retry_plan_id", "run_id", "delivery_id", "new_delivery_id", "event_id",
    "export_id", "reference_id", "verification_id", "attachment_id", "approval_decision_id",
    "runbook_export_id", "readiness_summary_id", "source_delivery_id",
}
REF_LIST_FIELDS = {"evidence_refs", "public_evidence_refs", "would_retry_delivery_ids"}


def esc(key):
    return key.replace("~", "~0").replace("/", "~1")


def references_of(value, pointer=""):
    """(pointer, target id) for every reference field in value (a stored item), by section 7's list."""
    out = []
    if isinstance(value, dict):
        for k, v in value.items():
            p = pointer + "/" + esc(k)
            if k in REF_FIELDS and isinstance(v, str) and v:
                out.append((p, v))
            elif k in REF_LIST_FIELDS and isinstance(v, list):
                for i, x in enumerate(v):
                    if isinstance(x, str):
                        target = x.split("://", 1)[1] if "://" in x else x
                        if target:
                            out.append(("%s/%d" % (p, i), target))
            elif k == "evidence_index" and isinstance(v, list):
                for i, e in enumerate(v):
                    if isinstance(e, dict) and isinstance(e.get("session_id"), str) and e["session_id"]:
                        out.append(("%s/%d/session_id" % (p, i), e["session_id"]))
                out.extend(references_of(v, p))
            else:
                out.extend(references_of(v, p))
    elif isinstance(value, list):
        for i, x in enumerate(value):
            out.extend(references_of(x, "%s/%d" % (pointer, i)))
    return out


def family(target):
    """The id family a target names (its kind, as far as an id tells): the CAVRA id prefix."""
    return target.rsplit("-", 1)[0] if target.startswith("gordack") else target.split("-", 1)[0]


def node_release(item):
    for key, v in item.items():
        if isinstance(v, dict) and key != "delivery" and "release_record_ref" in v:
            return v.get("release_record_ref") or ""
    return item.get("release_record_ref") or ""


def reference_states(store, evaluated):
    """Distinct targets per state, and every dangling occurrence, for a store evaluated on one release."""
    nodes = {it["session_id"]: it for it in store["items"]}
    families = {family(i) for i in nodes}
    dangling, not_included, out_of_scope = [], set(), set()
    for it in store["items"]:
        for pointer, target in references_of(it):
            if target == it["session_id"]:
                continue  # the artifact's own id, not a reference
            if target in nodes:
                rel = node_release(nodes[target])
                if rel and rel != evaluated:
                    out_of_scope.add(target)
            elif family(target) in families:
                dangling.append({"from": it["session_id"], "field": pointer, "target": target})
            else:
                not_included.add(target)
    return {
        "dangling": dangling,
        "not_included": len(not_included),
        "out_of_scope": len(out_of_scope),
        "not_included_targets": sorted(not_included),
        "out_of_scope_targets": sorted(out_of_scope),
    }


# --------------------------------------------------------------------------
# Scenarios
# --------------------------------------------------------------------------

DAY = "2026-09-14"
AS_OF = "2026-09-14T10:00:00Z"

UPSTREAM_ONLY_KINDS = {kind(s) for s in cs.UPSTREAM_STEPS if s != "archive_health"}

NOTE_STORE_NO_ACCEPTANCE = ("A store carries no owner acceptance, so any warn leaves the verdict blocked "
                            "(section 6, verdict).")


def scenario(name, description, readme, cases, store=None, files=None, responses=None, trial=None,
             sqlite_rows=None, raw_store=None):
    """files: {relative path: text}; store: a store dict written as <name>/store.json;
    raw_store: store text written verbatim as <name>/store.json."""
    files = dict(files or {})
    store_path = None
    if store is not None or raw_store is not None:
        store_path = "%s/store.json" % name
        files[store_path] = raw_store if raw_store is not None else store_text(store)
    return {
        "name": name, "description": description, "readme": readme, "files": files,
        "store": store_path, "responses": responses, "trial": trial, "sqlite_rows": sqlite_rows,
        "cases": cases,
    }


def responses_files(name, cv):
    files = {}
    for i, (route, body) in enumerate(cv.responses, 1):
        files["%s/responses/%02d-%s.json" % (name, i, route)] = json.dumps(body, sort_keys=True) + "\n"
    return files, "%s/responses" % name


# 1 ------------------------------------------------------------------------

def sc_two_releases():
    cv = Cavra()
    cv.chain(REL_AUG, "2026-09-10")
    at = clock(DAY)
    cv.upstream(REL_SEP, at)
    cv.readiness_bundle(REL_SEP, at("readiness_bundle_v1"))
    cv.archive_health(at("archive_health"))
    cv.sign_manifest(REL_SEP, at("signed_manifest"))
    cv.summary_get(REL_SEP, at("closeout_summary_get"))
    cv.health_get(at("retention_health_get"))
    cv.health_alert(at("retention_health_alert"))
    b_crit = crit(closeout_delivery="fail", retention_approval="fail", artifact_bundle="fail",
                  retention_health="fail")
    b_notes = (
        "Section 1: the anchor is the newest closeout summary of all (REL-2026.09's, 2026-09-14 09:12), so "
        "R = REL-2026.09; REL-2026.08 is listed in releases[]. Section 2: REL-2026.08's delivery, review and "
        "artifact bundle never satisfy REL-2026.09's criteria. closeout_delivery fails (no delivery of R "
        "recorded), retention_approval fails (none), artifact_bundle fails (missing), retention_health fails "
        "(a report exists but there is no artifact bundle of R to check; the newest report only checked "
        "REL-2026.08's bundle). retry_workflow passes (no open failure of R). retention_alerts passes: the "
        "newest health report is healthy (section 6 says pass, even though it did not speak for R). "
        "final_readiness, signed_archive_manifest, release_closeout pass on R's own bundle, manifest, summary.")
    cases = [
        case("no-release", AS_OF, None, REL_SEP, [REL_AUG], b_crit, b_notes),
        case("release-aug", AS_OF, REL_AUG, REL_AUG, [REL_SEP], crit(),
             "Section 1: --release REL-2026.08 anchors on that release's newest summary. Every step of its "
             "chain succeeded (delivered, retention approved until 2027-09-14, artifact bundle hashes real). "
             "retention_health: the newest report is global (2026-09-14 09:18, CAVRA does not scope it); its "
             "bundle_statuses[] has REL-2026.08's newest artifact bundle, healthy now (section 3). "
             "retention_alerts: newest report healthy. other_releases lists REL-2026.09 (releases[] always "
             "holds every release seen; reading: other_releases = releases[] minus the evaluated one)."),
        case("release-sep", AS_OF, REL_SEP, REL_SEP, [REL_AUG], b_crit,
             "Same as no-release: --release names the release the newest summary already belongs to. "
             + b_notes),
        case("release-unknown", AS_OF, REL_UNKNOWN, REL_UNKNOWN, [REL_AUG, REL_SEP],
             crit(final_readiness="fail", signed_archive_manifest="fail", release_closeout="fail",
                  closeout_delivery="fail", retention_approval="fail", artifact_bundle="fail",
                  retention_health="fail"),
             "Section 1, no closeout summary of the named release: R = --release as given; release_closeout "
             "fails (no closeout summary); no readiness bundle, manifest, delivery, review or artifact bundle "
             "of R. retry_workflow passes (no open failure), retention_alerts passes (newest report healthy). "
             "Reading (ambiguous): an unknown --release is evaluated, not refused as a usage error (exit 2)."),
    ]
    return scenario(
        "two-releases",
        "REL-2026.08 complete and delivered (2026-09-10); REL-2026.09 newer, closed but never delivered, "
        "no retention review, no artifact bundle; global retention health as CAVRA has it.",
        "Two releases in one store. REL-2026.08 went through every closeout step on 2026-09-10; REL-2026.09 "
        "has the newest closeout summary (closed) but was never delivered, reviewed or bundled. Retention "
        "health is global, as in CAVRA: its newest report only checked REL-2026.08's artifact bundle. "
        "Without `--release` the verdict is about REL-2026.09 and is blocked.",
        cases, store=cv.store(upstream=True))


# 2 ------------------------------------------------------------------------

def sc_retention(name, until, description, readme, cases_spec):
    cv = Cavra()
    cv.chain(REL_SEP, "2026-09-01", retention_until=until)
    cases = []
    for cname, as_of, status, notes in cases_spec:
        cases.append(case(cname, as_of, None, REL_SEP, [], crit(retention_health=status),
                          notes + ("" if status == "pass" else " " + NOTE_STORE_NO_ACCEPTANCE)))
    return scenario(name, description, readme, cases, store=cv.store())


def sc_retention_boundaries():
    until = "2026-10-14"
    common = ("Section 3: date-only retention_until \"2026-10-14\" means 2026-10-14T00:00:00Z; window W = 30 "
              "days. The chain was built on 2026-09-01, when CAVRA's own health said healthy; the criterion "
              "applies the rules at as_of. ")
    return sc_retention(
        "retention-boundaries", until,
        "Retention approved until the date-only value 2026-10-14; cases on both sides of the expiring and "
        "expired boundaries.",
        "One clean chain built on 2026-09-01 whose retention is approved until the date-only value "
        "`2026-10-14` (= 2026-10-14T00:00:00Z). The cases sit one second either side of the start of the "
        "30-day expiring window (2026-09-14T00:00:00Z) and of expiry itself (2026-10-14T00:00:00Z).",
        [
            ("before-window", "2026-09-13T23:59:59Z", "pass",
             common + "until > now + W (2026-10-13T23:59:59Z): healthy."),
            ("window-opens", "2026-09-14T00:00:00Z", "warn",
             common + "until <= now + W exactly (2026-10-14T00:00:00Z): retention_expiring."),
            ("last-second", "2026-10-13T23:59:59Z", "warn",
             common + "until > now but <= now + W: retention_expiring (not yet expired)."),
            ("expired", "2026-10-14T00:00:00Z", "fail",
             common + "until <= now exactly: retention_expired (critical)."),
        ])


def sc_retention_timestamp():
    until = "2026-10-14T14:00:00+02:00"
    common = ("Section 3: retention_until \"2026-10-14T14:00:00+02:00\" is 2026-10-14T12:00:00Z (its offset "
              "counts); W = 30 days. ")
    return sc_retention(
        "retention-boundaries-timestamp", until,
        "Retention approved until a full timestamp with a +02:00 offset (12:00Z); boundary cases.",
        "As `retention-boundaries`, but `retention_until` is a full timestamp with an offset, "
        "`2026-10-14T14:00:00+02:00` (12:00:00Z). The boundaries move to 12:00:00Z, and one case checks "
        "that the offset is applied (13:30Z is expired; reading the value as 14:00Z would still say "
        "expiring).",
        [
            ("before-window", "2026-09-14T11:59:59Z", "pass", common + "until > now + W: healthy."),
            ("window-opens", "2026-09-14T12:00:00Z", "warn", common + "until <= now + W exactly: expiring."),
            ("last-second", "2026-10-14T11:59:59Z", "warn", common + "until > now: expiring, not expired."),
            ("expired", "2026-10-14T12:00:00Z", "fail", common + "until <= now exactly: expired."),
            ("offset-applied", "2026-10-14T13:30:00Z", "fail",
             common + "12:00Z <= 13:30Z: expired. Ignoring the offset (14:00Z) would wrongly give expiring."),
        ])


def sc_retention_naive():
    until = "2026-10-14T12:00:00"
    common = "Section 3: a timestamp without an offset is UTC, so \"2026-10-14T12:00:00\" is 12:00:00Z. "
    return sc_retention(
        "retention-boundaries-naive", until,
        "Retention approved until a timestamp without an offset (read as UTC).",
        "As `retention-boundaries`, with `retention_until` `2026-10-14T12:00:00` (no offset, so UTC): the "
        "second before and the second of expiry.",
        [
            ("last-second", "2026-10-14T11:59:59Z", "warn", common + "Not yet expired: expiring."),
            ("expired", "2026-10-14T12:00:00Z", "fail", common + "until <= now: expired."),
        ])


def sc_retention_unparsable():
    until = "end of the FY2027 audit year"
    common = ("Section 3 rule 2: retention_until \"end of the FY2027 audit year\" does not parse: "
              "retention_expiry_missing (warning), whatever the evaluation time. CAVRA's own report already "
              "said warning at build time and its Slack alert was delivered, so retention_alerts passes.")
    return sc_retention(
        "retention-boundaries-unparsable", until,
        "Retention approved with a free-form retention_until that is no date: expiry missing.",
        "Retention was approved with a free-form `retention_until` (\"end of the FY2027 audit year\"); CAVRA "
        "accepts any string there. It never parses, so the expiry is missing (warning) now and in 2030 "
        "alike; CAVRA's own health report said warning and alerted.",
        [
            ("now", AS_OF, "warn", common),
            ("years-later", "2030-01-01T00:00:00Z", "warn", common + " An unparsable date never expires."),
        ])


# 3-5 ---------------------------------------------------------------------

NOTE_D2 = (
    "Note: CAVRA's live worker rebuilds the summary and its delivery event but persists neither; the new "
    "release-connector-delivery's summary_id / event_id name a summary version that exists nowhere in the "
    "store. By section 2's join table the new delivery therefore does not join R by summary id (both ids "
    "are present, neither is in S(R)); it is reached as the redelivery through the execution record's "
    "new_delivery_id (section 2, last row). Reading used here: the redelivery belongs to the failed "
    "delivery's lifecycle, it is not a separate failed delivery of R needing its own decision.")


def failed_chain(cv):
    """The accepted-risk chain up to the alert (failed webhook delivery), no retry evidence yet."""
    made = cv.chain(REL_SEP, DAY, delivery="failed", retry=None)
    return made["delivery"]["session_id"]


def sc_live(name, live_ok):
    cv = Cavra()
    d1 = failed_chain(cv)
    cv.retry_plan(ts(DAY, 9, 30), 5)
    cv.worker(ts(DAY, 9, 31), 5, dry_run=True)
    cv.worker(ts(DAY, 9, 40), 5, dry_run=False, live_success={d1: live_ok})
    cv.health_alert(ts(DAY, 9, 45))
    cv.retry_plan(ts(DAY, 9, 50), 5)
    if live_ok:
        c = case("as-of", AS_OF, None, REL_SEP, [], crit(),
                 "Section 5.1: the 09:13 webhook delivery failed; a dry run (09:31) preceded the live run "
                 "(09:40) whose execution record is delivered and whose new_delivery_id names a delivery that "
                 "succeeded (HTTP 200): the failure is closed by redelivery. closeout_delivery passes (every "
                 "failure closed), retry_workflow passes (reported as redelivered). CAVRA's later health "
                 "(09:45) still has failed_closeout_delivery and its later retry plan (09:50) still says "
                 "retry: CAVRA's stale state, a note and not a warning (sections 5.1 and 6 retention_health). "
                 "retention_alerts passes: the newest report's alert plan selected Slack and it was "
                 "delivered. " + NOTE_D2)
        return scenario(
            name,
            "Failed delivery, retry plan, dry run, then a live worker run whose execution record is "
            "delivered; CAVRA's later health and retry plan still report the failure.",
            "The accepted-risk chain carried to its end: after the dry run (09:31) a live worker run (09:40) "
            "redelivered the closeout and its execution record is `delivered`, naming the new successful "
            "delivery. CAVRA's later health report still says `failed_closeout_delivery` and its later retry "
            "plan still says `retry`; that is CAVRA's stale state and must not block.",
            [c], store=cv.store(upstream=True))
    c = case("as-of", AS_OF, None, REL_SEP, [],
             crit(closeout_delivery="warn", retention_health="warn", retry_workflow="warn"),
             "Section 5.2 retry: dry run 09:31, then a live run 09:40 whose execution record is failed and "
             "whose new delivery failed (HTTP 503, two attempts with the worker's retries=1): warn (\"live "
             "redelivery failed\"). closeout_delivery warns (open failure with a decision and worker runs). "
             "retention_health warns: the newest report's failed_closeout_delivery finding applies to R's "
             "open failure. retention_alerts passes (alert delivered). CAVRA's 09:50 plan holds retry for the "
             "original delivery and wait (retry_delay_window_not_elapsed, age 10 min) for the failed "
             "redelivery, so the expectation is the same if the redelivery is read as a failure of its own. "
             + NOTE_STORE_NO_ACCEPTANCE + " " + NOTE_D2)
    return scenario(
        name,
        "As live-redelivery-succeeded, but the live run's execution record is failed and its new delivery "
        "failed.",
        "As `live-redelivery-succeeded`, except that the live redelivery failed too (execution record "
        "`failed`, new delivery HTTP 503). The failure stays open with its retry decision and worker runs, "
        "so delivery and retry workflow warn, and with no acceptance the verdict is blocked.",
        [c], store=cv.store())


def sc_live_without_dry_run():
    cv = Cavra()
    d1 = failed_chain(cv)
    cv.retry_plan(ts(DAY, 9, 30), 5)
    cv.worker(ts(DAY, 9, 31), 5, dry_run=False, live_success={d1: False})
    cv.health_alert(ts(DAY, 9, 35))
    cv.retry_plan(ts(DAY, 9, 40), 5)
    c = case("as-of", AS_OF, None, REL_SEP, [],
             crit(closeout_delivery="warn", retention_health="warn", retry_workflow="fail"),
             "Section 5.2 retry: the only worker run for the failed delivery is live (09:31) and no dry-run "
             "run for it exists before it: fail. closeout_delivery still only warns (open failure with a "
             "retry decision, and a worker run exists). retention_health warns (open failure of R). The live "
             "redelivery failed, so the failure is not closed (section 5.1 does not apply). " + NOTE_D2)
    return scenario(
        "live-without-dry-run",
        "Failed delivery with a retry decision whose only worker run is live: no dry run came first.",
        "The failed closeout delivery was retried live straight away (09:31) with no dry run before it, and "
        "the live redelivery failed as well. The retry workflow fails: a live run needs an earlier dry run "
        "for the same delivery.",
        [c], store=cv.store())


def sc_live_without_dry_run_succeeded():
    cv = Cavra()
    d1 = failed_chain(cv)
    cv.retry_plan(ts(DAY, 9, 30), 5)
    cv.worker(ts(DAY, 9, 31), 5, dry_run=False, live_success={d1: True})
    cv.health_alert(ts(DAY, 9, 35))
    cv.retry_plan(ts(DAY, 9, 40), 5)
    c = case("as-of", AS_OF, None, REL_SEP, [], crit(),
             "AMBIGUOUS (listed in the report). Section 5 checks the lifecycle in order: step 1 (closed by "
             "redelivery: execution record delivered, new delivery succeeded) comes before step 2, where "
             "\"a live run needs an earlier dry run\" is checked, and step 2 applies only to open failures. "
             "Read literally the failure is closed and everything passes, although the live run had no dry "
             "run before it. If the lead decides that dry-run-before-live must hold for closed failures too, "
             "retry_workflow becomes fail and the verdict blocked. CAVRA's later health/plan are stale. "
             + NOTE_D2)
    return scenario(
        "live-without-dry-run-succeeded",
        "As live-without-dry-run, but the live redelivery (with no dry run first) succeeded.",
        "The failed delivery was redelivered live with no dry run first, and this time the redelivery "
        "succeeded. Read literally, the rule book closes the failure before it ever asks about the dry run, "
        "so the expectation is `ready_for_release`; this case exists to make that choice explicit.",
        [c], store=cv.store())


def sc_dry_run_after_live():
    cv = Cavra()
    d1 = failed_chain(cv)
    cv.retry_plan(ts(DAY, 9, 30), 5)
    cv.worker(ts(DAY, 9, 31), 5, dry_run=False, live_success={d1: False})
    cv.worker(ts(DAY, 9, 35), 5, dry_run=True)
    cv.health_alert(ts(DAY, 9, 40))
    c = case("as-of", AS_OF, None, REL_SEP, [],
             crit(closeout_delivery="warn", retention_health="warn", retry_workflow="fail"),
             "Section 5.2 retry: a dry-run run for the delivery exists (09:35) but it is newer than the live "
             "run (09:31); the live run needs a dry run whose created_at is before its own: fail. Any dry run "
             "at all is not enough (issue 10: the old criterion accepted any dry run). closeout_delivery "
             "warns, retention_health warns, retention_alerts passes. " + NOTE_D2)
    return scenario(
        "dry-run-after-live",
        "A dry run exists for the failed delivery, but it ran after the live run.",
        "The failed delivery was retried live first (09:31, failed) and dry-run checked only afterwards "
        "(09:35). The dry run exists but comes too late, so the retry workflow fails.",
        [c], store=cv.store())


# 6-7 ---------------------------------------------------------------------

def sc_retry_wait():
    cv = Cavra()
    failed_chain(cv)
    cv.retry_plan(ts(DAY, 9, 20), 5)
    cv.worker(ts(DAY, 9, 21), 5, dry_run=True)
    as_of = "2026-09-14T09:25:00Z"
    c = case("as-of", as_of, None, REL_SEP, [],
             crit(closeout_delivery="warn", retention_health="warn", retry_workflow="warn"),
             "Section 5.2 wait: the newest plan holding the failed delivery (the worker's, 09:21) says wait "
             "with reason retry_delay_window_not_elapsed (age 8 of 15 minutes): warn, with the reason. "
             "closeout_delivery warns: the failure has a decision and a worker run exists (it ran the plan "
             "holding the decision and selected nothing, so no execution record). retention_health warns "
             "(open failure). " + NOTE_STORE_NO_ACCEPTANCE)
    return scenario(
        "retry-wait",
        "Failed delivery whose retry decision is wait (retry_delay_window_not_elapsed).",
        "The retry plan and worker ran only 7-8 minutes after the failed delivery, inside CAVRA's 15-minute "
        "retry delay, so the decision is `wait` (`retry_delay_window_not_elapsed`) and the worker selected "
        "nothing. Evaluated at 09:25, before the delay has passed.",
        [c], store=cv.store())


def sc_retry_suppress():
    cv = Cavra()
    cv.chain(REL_SEP, DAY, delivery="failed", retry="empty")
    c = case("as-of", AS_OF, None, REL_SEP, [],
             crit(closeout_delivery="warn", retention_health="warn", retry_workflow="warn"),
             "Section 5.2 suppress: with CAVRA's API defaults the deliver route made three attempts "
             "(retries=2) and the plan's max_retry_attempts is 3; attempt_count (summed over providers) 3 >= "
             "3, so the decision is suppress / max_retry_attempts_reached: warn, with the reason and CAVRA's "
             "summed-attempt_count note. The worker ran the plan and selected nothing. closeout_delivery "
             "warns (decision + worker run), retention_health warns. " + NOTE_STORE_NO_ACCEPTANCE)
    return scenario(
        "retry-suppress",
        "Failed delivery suppressed by CAVRA's defaults: attempt_count 3 (summed), max_retry_attempts 3.",
        "The same failed delivery, planned with CAVRA's default retry policy: three attempts already made "
        "reach `max_retry_attempts` 3, so the decision is `suppress` (`max_retry_attempts_reached`) and "
        "nothing is ever retried.",
        [c], store=cv.store())


def sc_failed_no_decision():
    cv = Cavra()
    hooks = {"closeout_deliver": lambda: (cv.retry_plan(ts(DAY, 9, 12, 20), 3),
                                          cv.worker(ts(DAY, 9, 12, 40), 3))}
    cv.chain(REL_SEP, DAY, delivery="failed", retry=None, hooks=hooks)
    c = case("as-of", AS_OF, None, REL_SEP, [],
             crit(closeout_delivery="fail", retention_health="warn", retry_workflow="fail"),
             "Section 5.2 no decision: the only retry plan (09:12:20) and worker run (09:12:40) were made "
             "before the delivery failed (09:13), so no plan holds a decision for it: fail (\"failed delivery "
             "without retry plan\" is an explicit blocked condition). closeout_delivery fails (an open failure "
             "without a decision). The early worker run does not join R (it selected nothing and its plan "
             "holds no decision of R). retention_health warns (open failure), retention_alerts passes.")
    return scenario(
        "failed-no-decision",
        "Failed delivery; the only retry plan was built before the failure and has no decision for it.",
        "Someone ran the retry plan and worker just before the closeout delivery, which then failed. No "
        "retry plan holds a decision for the failed delivery, so delivery and retry workflow fail.",
        [c], store=cv.store())


# 8 ------------------------------------------------------------------------

def sc_response_directory():
    cv = Cavra()
    cv.chain(REL_SEP, DAY, delivery="failed", retry="full")
    files, responses = responses_files("response-directory", cv)
    c = case("as-of", AS_OF, None, REL_SEP, [],
             crit(closeout_delivery="warn", retention_health="warn", retry_workflow="warn"),
             "Applies to store.json and to responses/ separately; both must give exactly these criteria. "
             "Section 2, one artifact one node: the deliver response carries the bare connector result "
             "(cavra.connector.delivery.v1, session_id = the summary id) under `delivery` and its "
             "release-connector-delivery wrapper around the identical result under `metadata`: one delivery "
             "node. Likewise summary/summary_metadata, event/event_metadata, run/metadata, "
             "retry_metadata/run.retry_plan, execution_record/execution_metadata, and the alert route's "
             "delivery/metadata are one node each. Section 5.2 retry: dry run only -> warn (awaits live "
             "redelivery); closeout_delivery warns; retention_health warns (open failure); retention_alerts "
             "passes. The directory holds only final-chain responses; the readiness bundle's evidence_index "
             "names upstream items it does not carry (not_included, not dangling). node_counts count nodes of "
             "each kind in the whole input. " + NOTE_STORE_NO_ACCEPTANCE,
             node_counts={"closeout_delivery": 1, "closeout_delivery_event": 1, "alert_delivery": 1,
                          "worker_run": 1, "execution_record": 1},
             hashes={"verified": 3})
    return scenario(
        "response-directory",
        "The accepted-risk chain twice: as CAVRA's evidence store and as the directory of API response "
        "bodies the same run returned.",
        "The accepted-risk chain (failed webhook delivery, `retry` decision, dry-run worker) twice: "
        "`store.json` is the evidence store CAVRA wrote, `responses/` holds the body of every final-closeout "
        "API call of the same run (deliver, retry worker, ...), where one artifact often appears both bare "
        "and wrapped. Both inputs must give the same criteria, with one node per artifact.",
        [c], store=cv.store(upstream=True), files=files, responses=responses)


# 9 ------------------------------------------------------------------------

def sc_references():
    cv = Cavra()
    cv.chain(REL_AUG, "2026-09-10")
    at = clock(DAY)
    cv.upstream(REL_SEP, at, early_archive_health=True)
    cv.readiness_bundle(REL_SEP, at("readiness_bundle_v1"))
    cv.archive_health(at("archive_health"))
    cv.sign_manifest(REL_SEP, at("signed_manifest"))
    cv.summary_get(REL_SEP, at("closeout_summary_get"))
    cv.deliver(REL_SEP, at("closeout_deliver"))
    lost = cv.retention_review(REL_SEP, at("retention_request"), RETENTION_OK)
    cv.decide(lost, ts(DAY, 9, 14, 30), "approved")
    rq = cv.retention_review(REL_SEP, ts(DAY, 9, 14, 45), RETENTION_OK)
    cv.decide(rq, at("retention_decision"), "approved")
    cv.artifact_bundle(REL_SEP, at("artifact_bundle"))
    cv.health_get(at("retention_health_get"))
    cv.health_alert(at("retention_health_alert"))
    cv.retry_plan(at("retry_plan"), 3)
    cv.worker(at("retry_worker"), 3)
    cv.drop(lost["session_id"])
    store = cv.store()

    refs_sep = reference_states(store, REL_SEP)
    refs_aug = reference_states(store, REL_AUG)
    assert {d["target"] for d in refs_sep["dangling"]} == {lost["session_id"]}, refs_sep["dangling"]
    assert refs_sep["dangling"] == refs_aug["dangling"]
    alert_ids = [a["alert_id"] for it in store["items"] if it["metadata_kind"] == kind("archive_health")
                 for a in inner(it, "archive_health")["alerts"]]
    assert alert_ids == ["archive_reference_missing"]
    common = (
        "Section 7. Only dangling references are a warning sign. The store carries final-chain kinds plus "
        "archive reference health; the readiness bundles' evidence_index (and public_evidence_refs, "
        "archive_objects) name readiness summaries, runbook exports, approvals, attachments, packet "
        "verifications, auditor exports and archive references, kinds the store holds no node of: "
        "not_included. The archive-health alert's alert_id \"archive_reference_missing\" is a category, not a "
        "reference (its export_id is a reference: an auditor export, not_included). The one dangling id: an "
        "approved retention decision (09:14:30, superseded) whose review_id names a request the store lacks "
        "although it holds other retention review requests. Counts are distinct target ids; `dangling` "
        "lists every occurrence, with `field` a JSON pointer into the stored item (wrapper fields and the "
        "embedded artifact under its embed key). Reading: nodes with no release_record_ref (health, plans, "
        "worker runs, archive health) are global and resolve in scope; superseded versions of R resolve.")
    cases = [
        case("no-release", AS_OF, None, REL_SEP, [REL_AUG], crit(),
             common + " R = REL-2026.09 (newest summary). out_of_scope: REL-2026.08's nodes named by its own "
             "chain and by the global health reports' bundle_statuses[] (its artifact bundle, summary, "
             "decision). Criteria all pass: R's newest decision (09:15) is approved and names a present "
             "request; the superseded one with the dangling review_id does not decide anything.",
             references=refs_sep),
        case("release-aug", AS_OF, REL_AUG, REL_AUG, [REL_SEP], crit(),
             common + " R = REL-2026.08: REL-2026.09's nodes named by its chain and by the global reports are "
             "now the out_of_scope ones; the dangling reference stays dangling (a gap in the evidence "
             "whichever release is evaluated).",
             references=refs_aug),
    ]
    return scenario(
        "references",
        "Final-chain-only store: upstream ids not included, a category alert id, another release's artifacts "
        "out of scope, and one genuinely dangling review_id.",
        "Two releases, but only the final-chain kinds (plus archive reference health) were kept, so the "
        "readiness bundles point at upstream evidence the store does not carry. An archive-health alert uses "
        "the category `archive_reference_missing`; the global health report names the other release's "
        "artifact bundle; and one superseded retention decision names a review request that is missing "
        "although other requests exist. The expected state of every reference is listed.",
        cases, store=store)


# 10 -----------------------------------------------------------------------

def sc_summary_names_missing_bundle():
    cv = Cavra()
    cv.chain(REL_SEP, DAY)
    at_y = clock(DAY, hour=11)
    cv.upstream(REL_OCT, at_y)
    cv.archive_health(at_y("archive_health"))
    cv.readiness_bundle(REL_OCT, at_y("readiness_bundle_v2"))
    for it in cv.all():
        if it["metadata_kind"] == kind("readiness_bundle") and it["release_record_ref"] == REL_SEP:
            cv.drop(it["session_id"])
    as_of = "2026-09-14T12:00:00Z"
    sep_crit = crit(final_readiness="fail")
    sep_notes = (
        "Section 2, readiness bundle: the anchor summary's bundle_id names a bundle the evidence lacks: "
        "missing -> final_readiness fails. REL-2026.10's newer, ready bundle never stands in for it (an "
        "artifact of another release never satisfies a criterion). Reading (ambiguous): the manifest's "
        "bundle_id and the artifact bundle's bundle_id equal the id the summary names, so "
        "signed_archive_manifest and artifact_bundle see no mismatch and pass; the absence is "
        "final_readiness's failure alone. The artifact bundle's embedded copy of the readiness bundle still "
        "hashes correctly. (Every reference to the missing bundle id is dangling: the store holds other "
        "readiness bundles.)")
    cases = [
        case("no-release", as_of, None, REL_SEP, [REL_OCT], sep_crit, sep_notes),
        case("release-sep", as_of, REL_SEP, REL_SEP, [REL_OCT], sep_crit, sep_notes),
        case("release-oct", as_of, REL_OCT, REL_OCT, [REL_SEP],
             crit(signed_archive_manifest="fail", release_closeout="fail", closeout_delivery="fail",
                  retention_approval="fail", artifact_bundle="fail", retention_health="fail"),
             "Section 1: REL-2026.10 has no closeout summary: R = --release, release_closeout fails. Reading "
             "(ambiguous): with no anchor summary the readiness bundle joins as 'newest bundle of R', so "
             "final_readiness passes on REL-2026.10's ready bundle; no manifest, delivery, review or artifact "
             "bundle of R. retention_health fails (no artifact bundle of R to check); retention_alerts "
             "passes (newest report healthy); retry_workflow passes (no open failure)."),
    ]
    return scenario(
        "summary-names-missing-bundle",
        "The anchor summary names a readiness bundle the evidence lacks; a newer bundle of another release "
        "exists.",
        "REL-2026.09's readiness bundles are missing from the store although its closeout summary names one; "
        "REL-2026.10 later built a ready bundle of its own (no closeout yet). Final readiness fails for "
        "REL-2026.09: the other release's bundle must not satisfy it.",
        cases, store=cv.store())


# 11: holes (issue 11 section 3) ---------------------------------------------

def sc_bundle_without_content():
    cv = Cavra()
    made = cv.chain(REL_SEP, DAY)
    ab = copy.deepcopy(made["artifact"])
    for f in inner(ab, "artifact_bundle")["files"]:
        del f["content"]
    cv.upsert(ab)
    c = case("as-of", AS_OF, None, REL_SEP, [], crit(artifact_bundle="fail"),
             "Section 6 artifact_bundle: on runtime evidence every listed hash must be recomputed from the "
             "embedded content (or a file beside a directory bundle); here all three files[] entries lost "
             "their `content` (they look like download_manifest entries), so none can be verified: fail, "
             "0 verified. Only the trial package's synthetic hashes may stay unverifiable. Everything else "
             "of the clean chain passes (CAVRA's retention health does not look at content).",
             hashes={"verified": 0})
    return scenario(
        "bundle-without-content",
        "Clean chain whose artifact bundle files[] lost their embedded content.",
        "The clean chain, except that the artifact bundle's `files[]` entries have no embedded `content`, "
        "only path, media type and sha256. None of the three hashes can be recomputed, which on runtime "
        "evidence is a failure, not a pass.",
        [c], store=cv.store())


def sc_duplicate_items_key():
    cv = Cavra()
    cv.chain(REL_SEP, DAY)
    text = store_text(cv.store())
    assert text.endswith("\n]}\n")
    text = text[:-len("]}\n")] + '],\n"items": []}\n'
    second = text.rindex('\n"items"') + 1
    line = text.count("\n", 0, second) + 1
    c = load_error_case(
        "load", AS_OF, "duplicate key",
        "Issue 11 section 3: the top-level object has two \"items\" keys; the first holds the whole clean "
        "chain, the second an empty list. A JSON library merges them (last wins: an empty store; first "
        "wins: a clean one), so neither may be used: a load error naming the file, the key and the second "
        "key's line and column (1-based; the column counts characters). Written as raw text.",
        at=(line, 1))
    return scenario(
        "duplicate-items-key",
        "A JSON store text with two top-level \"items\" keys.",
        "A store file whose top-level object has the key `items` twice: first the clean chain, then an empty "
        "list. JSON libraries silently keep one of them, so closeout must refuse the file with the line and "
        "column of the second key.",
        [c], raw_store=text)


def decision_item(store, state="approved"):
    return next(it for it in store["items"] if it["metadata_kind"] == kind("retention_decision")
                and inner(it, "retention_decision")["decision_state"] == state)


def sc_duplicate_field_key():
    cv = Cavra()
    cv.chain(REL_SEP, DAY)
    store = cv.store()
    target = decision_item(store)
    text = store_text(store)
    line_text = json.dumps(target, sort_keys=True)
    key = '"%s": {' % embed_key("retention_decision")
    i = line_text.index(key) + len(key)
    dup = line_text[:i] + '"decision_state": "denied", ' + line_text[i:]
    second = dup.index('"decision_state": "approved"', i)
    assert dup.count('"decision_state"') == 3  # the wrapper's own copy, then the two in the artifact
    text = text.replace(line_text, dup)
    line = text[:text.index(dup)].count("\n") + 1
    c = load_error_case(
        "load", AS_OF, "duplicate key",
        "Issue 11 section 3: the embedded retention decision has \"decision_state\" twice (first \"denied\", "
        "then \"approved\"; the wrapper's own decision_state is a different object). Last-wins parsing would "
        "silently approve, first-wins would deny: a load error naming the file, the key decision_state and "
        "the second occurrence's line and column.",
        at=(line, second + 1))
    return scenario(
        "duplicate-field-key",
        "Clean chain whose retention decision artifact carries decision_state twice (denied, then approved).",
        "The clean chain, except that the embedded retention decision has the field `decision_state` twice, "
        "first `denied` and then `approved`. Which one a parser keeps decides the verdict, so the file must "
        "be refused with the position of the duplicate.",
        [c], raw_store=text)


SQLITE_CREATE_NO_PK = (
    "CREATE TABLE evidence_metadata (session_id TEXT, created_at TEXT, signer TEXT, decision_count INTEGER, "
    "blocked_count INTEGER, approval_required_count INTEGER, payload TEXT)")


def sqlite_row(item):
    return {
        "session_id": item["session_id"], "created_at": item["created_at"], "signer": item["signer"],
        "decision_count": item["decision_count"], "blocked_count": item["blocked_count"],
        "approval_required_count": item["approval_required_count"],
        "payload": json.dumps(item, sort_keys=True),
    }


def sc_sqlite_duplicate_session():
    cv = Cavra()
    cv.chain(REL_SEP, DAY)
    store = cv.store()
    approved = decision_item(store)
    denied = copy.deepcopy(approved)
    denied["decision_state"] = "denied"
    denied["blocked_count"] = 1
    art = inner(denied, "retention_decision")
    art["decision_state"] = "denied"
    art["notes"] = cs.DECISION_NOTES["denied"]
    rows = []
    for it in store["items"]:
        rows.append(sqlite_row(it))
        if it is approved:
            rows.append(sqlite_row(denied))
    sid = approved["session_id"]
    path = "sqlite-duplicate-session/sqlite-rows.json"
    doc = {
        "description": "Rows of table evidence_metadata, in insertion order. The table has no PRIMARY KEY, so "
                       "two rows share session_id %s (an approved and a denied retention decision)." % sid,
        "create_table": SQLITE_CREATE_NO_PK,
        "rows": rows,
    }
    c = load_error_case(
        "load", AS_OF, sid,
        "Issue 11 section 3: CAVRA's table has session_id as PRIMARY KEY; this one has none, and two rows "
        "share one session_id with different payloads (approved / denied). Keeping either silently decides "
        "retention_approval; byte-identical duplicates may collapse into one node, these differ. Expected: a "
        "load error naming the file and the session id (never one row silently dropped).")
    return scenario(
        "sqlite-duplicate-session",
        "SQLite rows (no PRIMARY KEY) with two different payloads under one session_id.",
        "Rows for an `evidence_metadata` table without its PRIMARY KEY: the clean chain, plus a second row "
        "under the approved retention decision's session id whose payload says `denied`. The test builds "
        "the SQLite file from `sqlite-rows.json`; the load must fail naming the session id.",
        [c], files={path: pretty(doc)}, sqlite_rows=path)


# 12 -----------------------------------------------------------------------

def versioned_head(cv, release, day):
    """Upstream, then readiness bundle / manifest / summary in several versions, as re-run routes leave
    them: bundle v1 incomplete (before archive health), v2 with an unsigned manifest and an open summary,
    v3 with the signed manifest and a closed summary."""
    at = clock(day)
    cv.upstream(release, at)
    cv.readiness_bundle(release, at("readiness_bundle_v1"))
    cv.archive_health(at("archive_health"))
    cv.sign_manifest(release, ts(day, 9, 10, 30), signed=False)
    cv.summary_get(release, ts(day, 9, 10, 45))
    cv.sign_manifest(release, at("signed_manifest"))
    cv.summary_get(release, at("closeout_summary_get"))


def sc_many_releases_versions():
    cv = Cavra()
    # REL-2026.07 on 2026-09-08: clean, with a deferred review before the approved one and two deliveries.
    d = "2026-09-08"
    versioned_head(cv, REL_JUL, d)
    cv.deliver(REL_JUL, ts(d, 9, 13))
    r1 = cv.retention_review(REL_JUL, ts(d, 9, 14), RETENTION_OK)
    cv.decide(r1, ts(d, 9, 15), "deferred")
    r2 = cv.retention_review(REL_JUL, ts(d, 9, 16), RETENTION_OK)
    cv.decide(r2, ts(d, 9, 17), "approved")
    cv.artifact_bundle(REL_JUL, ts(d, 9, 18))
    cv.deliver(REL_JUL, ts(d, 9, 19))
    cv.artifact_bundle(REL_JUL, ts(d, 9, 20))
    cv.health_get(ts(d, 9, 21))
    cv.health_alert(ts(d, 9, 22))
    cv.retry_plan(ts(d, 9, 30), 3)
    cv.worker(ts(d, 9, 31), 3)
    # REL-2026.08 on 2026-09-10: the first delivery failed, a later delivery of the release succeeded.
    d = "2026-09-10"
    versioned_head(cv, REL_AUG, d)
    cv.deliver(REL_AUG, ts(d, 9, 13), success=False)
    r1 = cv.retention_review(REL_AUG, ts(d, 9, 14), RETENTION_OK)
    cv.decide(r1, ts(d, 9, 15), "approved")
    cv.artifact_bundle(REL_AUG, ts(d, 9, 16))
    cv.health_get(ts(d, 9, 17))
    cv.health_alert(ts(d, 9, 18))
    cv.retry_plan(ts(d, 9, 30), 5)
    cv.worker(ts(d, 9, 31), 5)
    cv.deliver(REL_AUG, ts(d, 9, 35))
    cv.artifact_bundle(REL_AUG, ts(d, 9, 36))
    cv.health_alert(ts(d, 9, 40))
    cv.retry_plan(ts(d, 9, 45), 5)
    # REL-2026.09 on 2026-09-12: deferred, then denied; both artifact bundles have no decision attached.
    d = "2026-09-12"
    versioned_head(cv, REL_SEP, d)
    cv.deliver(REL_SEP, ts(d, 9, 13))
    r1 = cv.retention_review(REL_SEP, ts(d, 9, 14), RETENTION_OK)
    cv.decide(r1, ts(d, 9, 15), "deferred")
    cv.artifact_bundle(REL_SEP, ts(d, 9, 16))
    r2 = cv.retention_review(REL_SEP, ts(d, 9, 17), RETENTION_OK)
    cv.decide(r2, ts(d, 9, 18), "denied")
    cv.artifact_bundle(REL_SEP, ts(d, 9, 19))
    cv.health_get(ts(d, 9, 20))
    cv.health_alert(ts(d, 9, 21))
    store = cv.store()

    as_of = "2026-09-12T12:00:00Z"
    global_health = (
        "The newest health report is global (2026-09-12 09:21): critical because of REL-2026.09's two "
        "artifact bundles (approval_missing) and warning failed_closeout_delivery because CAVRA still counts "
        "REL-2026.08's first, failed delivery. Its Slack alert was delivered, so retention_alerts passes for "
        "every release.")
    sep_crit = crit(retention_approval="fail", artifact_bundle="fail", retention_health="fail")
    sep_notes = (
        "Section 1: newest summary of all is REL-2026.09's (artifact-bundle route, 09:19). Newest decision of "
        "R's reviews is denied (the older one deferred): retention_approval fails. Newest artifact bundle "
        "has retention_decision_state not_attached (CAVRA attaches only an approved decision): "
        "artifact_bundle fails. retention_health fails: approval missing for R's newest bundle (computed "
        "now) and CAVRA's critical findings about R's bundles. Version selection: the open summary (09:10:45) "
        "and unsigned manifest (09:10:30) are older versions; the newest summary is closed and names the "
        "third readiness bundle and the signed manifest. " + global_health)
    cases = [
        case("no-release", as_of, None, REL_SEP, [REL_JUL, REL_AUG], sep_crit, sep_notes),
        case("release-sep", as_of, REL_SEP, REL_SEP, [REL_JUL, REL_AUG], sep_crit, sep_notes),
        case("release-aug", as_of, REL_AUG, REL_AUG, [REL_JUL, REL_SEP], crit(),
             "Section 5.1: the 09:13 delivery failed, but a later closeout delivery of R (09:35) succeeded: "
             "the failure is closed, so closeout_delivery and retry_workflow pass (the 09:45 retry plan "
             "still says retry: stale). retention_health passes: the newest (global) report checked R's "
             "newest artifact bundle (09:36), healthy now; its critical findings are about another "
             "release's bundles, and its failed_closeout_delivery finding is CAVRA's stale state for R "
             "(no open failure): a note. Anchor: the artifact-bundle route's summary at 09:36 (the 09:35 "
             "deliver replaced its summary by the delivery event). " + global_health),
        case("release-jul", as_of, REL_JUL, REL_JUL, [REL_AUG, REL_SEP], crit(),
             "Version selection: the newest decision (09:17) is approved (the older one deferred); the newest "
             "artifact bundle (09:20) is approved with real hashes; two successful deliveries; the newest "
             "summary (09:20, artifact-bundle route) is closed, the 09:10:45 one open. retention_health "
             "passes as for REL-2026.08: the global report's critical findings are not about R. "
             + global_health),
    ]
    return scenario(
        "many-releases-versions",
        "Three releases, each with two to six versions of bundles, manifests, summaries, reviews, "
        "deliveries and artifact bundles as CAVRA's routes rebuild them; anchored on the newest.",
        "Three releases closed out on 2026-09-08, -10 and -12, each with several versions of every kind as "
        "CAVRA's routes rebuild their inputs (an open summary before the signed manifest, a deferred review "
        "before the final decision, repeated deliveries and artifact bundles). The newest release is "
        "blocked (retention denied); the two older ones are ready.",
        cases, store=store)


# extra: questions the rule book leaves open, pinned as cases -----------------

def sc_retention_superseded_bundle():
    cv = Cavra()
    cv.chain(REL_SEP, DAY, retention="deferred", artifact=False, health=False, retry=None)
    cv.artifact_bundle(REL_SEP, ts(DAY, 9, 16))                 # not_attached
    r2 = cv.retention_review(REL_SEP, ts(DAY, 9, 17), RETENTION_OK)
    cv.decide(r2, ts(DAY, 9, 18), "approved")
    cv.artifact_bundle(REL_SEP, ts(DAY, 9, 19))                 # approved
    cv.health_get(ts(DAY, 9, 20))
    cv.health_alert(ts(DAY, 9, 21))
    c = case("as-of", AS_OF, None, REL_SEP, [], crit(),
             "AMBIGUOUS (listed in the report). The first artifact bundle (09:16) was built while the review "
             "was deferred (not_attached); after approval a new one (09:19) was built. CAVRA's health (09:21) "
             "is critical for ever because of the superseded bundle (retention_approval_missing). Reading: "
             "section 2 makes the newest artifact bundle of R the chain member and everything else of R an "
             "older version, so retention_health judges R's newest bundle (healthy) and reports the finding "
             "about the superseded one as CAVRA's state, not a fail. Literal alternative: 'a critical finding "
             "about R's bundles' -> fail. retention_alerts passes (critical report, alert delivered).")
    return scenario(
        "retention-superseded-bundle",
        "An artifact bundle built before approval (not_attached) superseded by one built after it.",
        "The retention review was first deferred and an artifact bundle built anyway (no decision "
        "attached); after approval the bundle was rebuilt. CAVRA's health stays critical because of the "
        "first bundle. The expectation takes the newest bundle as the one that counts.",
        [c], store=cv.store())


def sc_retention_revoked():
    cv = Cavra()
    cv.chain(REL_SEP, DAY, health=False, retry=None)
    r2 = cv.retention_review(REL_SEP, ts(DAY, 9, 17), RETENTION_OK)
    cv.decide(r2, ts(DAY, 9, 18), "denied")
    cv.health_get(ts(DAY, 9, 20))
    cv.health_alert(ts(DAY, 9, 21))
    c = case("as-of", AS_OF, None, REL_SEP, [], crit(retention_approval="fail"),
             "AMBIGUOUS (listed in the report). Retention was approved (09:15) and the artifact bundle "
             "(09:16) carries that approval; a later review (09:17) was denied (09:18). retention_approval "
             "fails: the newest decision of R's reviews is denied. Reading (literal): artifact_bundle passes "
             "(the newest artifact bundle's own retention_decision_state is approved) and retention_health "
             "passes (CAVRA takes the decision state from the bundle; its report is healthy). Alternative: "
             "the bundle's decision is no longer the newest, so artifact_bundle and retention_health fail too. "
             "Blocked either way.")
    return scenario(
        "retention-revoked",
        "Retention approved and bundled, then a later review of the same release denied.",
        "Retention was approved and the artifact bundle built with that approval; then a second review was "
        "requested and denied. The newest decision is a denial, while the artifact bundle and CAVRA's "
        "health still show the earlier approval.",
        [c], store=cv.store())


def sc_trial_references():
    pkg = cs.trial_package()
    text = json.dumps(pkg, indent=2) + "\n"
    bundle_refs = pkg["final_readiness_bundle"]["evidence_refs"]
    closeout_refs = pkg["release_closeout_summary"]["public_evidence_refs"]
    targets = sorted(set(bundle_refs) | set(closeout_refs))
    refs = {"dangling": [], "not_included": len(targets), "out_of_scope": 0,
            "not_included_targets": targets, "out_of_scope_targets": []}
    warns = crit(closeout_delivery="warn", retention_health="warn", retry_workflow="warn")
    common = (
        "Trial package (section 1: one document, one release). Section 4: delivery_state partial_failure -> "
        "failed; retry decision retry with a dry_run worker -> warn (awaits live redelivery); health "
        "warning with a finding that applies to the open failure -> warn; the alert provider's "
        "delivery_state delivered -> retention_alerts pass; synthetic file hashes are not verifiable, "
        "allowed for the trial. Section 7: a trial package carries no upstream evidence, so every reference "
        "to an id no section carries is not_included (never dangling): the six evidence_refs, the two "
        "public_evidence_refs of the closeout summary, and (the same id) source_delivery_id and "
        "would_retry_delivery_ids. Section 3: accepted_risk.expires_at \"2026-09-21\" means "
        "2026-09-21T00:00:00Z; expired when expires_at <= now.")
    path = "trial-references/package.json"
    cases = [
        case("generated-at", AS_OF, None, REL_SEP, [], warns, common + " Acceptance valid.",
             acceptance="valid", references=refs),
        case("acceptance-last-second", "2026-09-20T23:59:59Z", None, REL_SEP, [], warns,
             common + " One second before the acceptance expires: still valid.",
             acceptance="valid", references=refs),
        case("acceptance-expired", "2026-09-21T00:00:00Z", None, REL_SEP, [], warns,
             common + " The acceptance expired at 2026-09-21T00:00:00Z exactly: the warns are not covered, "
             "blocked. The retry plan's target_resolution_date 2026-09-21 has passed too (target <= now); "
             "reading: that is reported in the retry_workflow reason but does not change its status (section "
             "6 gives it none).",
             acceptance="expired", references=refs),
    ]
    return scenario(
        "trial-references",
        "The trial walkthrough package: references to upstream evidence it does not carry, and the "
        "acceptance's date-only expiry.",
        "The samples' trial package (one failed delivery under an owner's accepted risk). Its references "
        "point at upstream evidence a trial package never carries, which must show as not included rather "
        "than as a warning; the cases also cross the date-only expiry of the acceptance.",
        cases, files={path: text}, trial=path)


# --------------------------------------------------------------------------
# Index, README, main
# --------------------------------------------------------------------------

SCENARIOS = [
    sc_two_releases,
    sc_retention_boundaries, sc_retention_timestamp, sc_retention_naive, sc_retention_unparsable,
    lambda: sc_live("live-redelivery-succeeded", True),
    lambda: sc_live("live-redelivery-failed", False),
    sc_live_without_dry_run, sc_live_without_dry_run_succeeded, sc_dry_run_after_live,
    sc_retry_wait, sc_retry_suppress, sc_failed_no_decision,
    sc_response_directory,
    sc_references,
    sc_summary_names_missing_bundle,
    sc_bundle_without_content, sc_duplicate_items_key, sc_duplicate_field_key, sc_sqlite_duplicate_session,
    sc_many_releases_versions,
    sc_retention_superseded_bundle, sc_retention_revoked,
    sc_trial_references,
]

CONVENTIONS = {
    "paths": "relative to tests/data/chain/",
    "inputs": "a scenario gives one or more of store (an evidence-metadata store, JSON), responses (a directory "
              "of API response bodies), trial (a trial package), sqlite_rows (rows to put into an SQLite "
              "table evidence_metadata, created with the given create_table statement). When a scenario "
              "gives both store and responses, every case applies to each input separately. A store "
              "without sqlite_rows can also be loaded as SQLite: table evidence_metadata(session_id TEXT "
              "PRIMARY KEY, created_at, signer, decision_count INT, blocked_count INT, "
              "approval_required_count INT, payload TEXT), one row per item, payload = the item's JSON; "
              "the expectations are the same.",
    "as_of": "the evaluation time (--as-of) of the case",
    "release": "the --release of the case (null: none given)",
    "expect.verdict": "ready_for_release | ready_with_accepted_risk | blocked; null when load_error is set",
    "expect.criteria": "every one of the ten criterion ids -> pass | warn | fail; null when load_error is set",
    "expect.other_releases": "releases[] (every release seen on a closeout summary, closeout delivery event or "
                             "readiness bundle) minus the evaluated one, sorted",
    "expect.load_error": "null, or a substring the load error must contain (it must also name the file)",
    "expect.load_error_at": "optional: the line and column (1-based, columns in characters) the load error "
                            "must name, written as \"line L, column C\"",
    "expect.acceptance": "optional (trial packages only): valid | expired, the state of the owner acceptance",
    "expect.references": "optional: dangling = every occurrence {from: node id, field: JSON pointer into the "
                         "stored item (wrapper, embedded artifact under its embed key), target}; not_included / "
                         "out_of_scope = the number of distinct target ids in that state, listed in "
                         "not_included_targets / out_of_scope_targets; every other reference resolves",
    "expect.node_counts": "optional: the number of nodes of these artifact kinds in the whole input",
    "expect.hashes": "optional: artifact-bundle file hash counts (verified = recomputed and equal)",
    "expect.notes": "why, naming the rule book section that decides it; AMBIGUOUS marks a reading of an open "
                    "question",
}


def readme_text(built):
    rows = []
    for s in built:
        inputs = [k for k in ("store", "responses", "trial", "sqlite_rows") if s[k]]
        rows.append("| `%s` | %s | %s |" % (s["name"], ", ".join(inputs), ", ".join(
            "%s: `%s`" % (c["name"], c["expect"]["verdict"] or "load error") for c in s["cases"])))
    sections = "\n\n".join("### `%s`\n\n%s" % (s["name"], textwrap.fill(s["readme"], 110)) for s in built)
    return """# Closeout chain test scenarios

Test data for the typed closeout chain (issue 10: one release anchors the verdict, chain joins, CAVRA's
time rules, the retry lifecycle to its end, one node per artifact, reference states) and for the
loader holes of issue 11 section 3 (duplicate keys, lost content, duplicate SQLite rows).

**Everything here is synthetic and was written for closeout.** The releases
(`REL-2026.07-payments-api` ... `REL-2026.10-payments-api`), actors (`sample-release-manager`,
`sample-risk-owner`, `sample-platform-owner`, CAVRA's default actor name `console`), ids, notes, change
references and hosts (`*.example.invalid`) are ours. Only the formats are CAVRA's: field names, enum
values, metadata kinds, embed keys, id prefixes, `schema_version` strings, id and artifact-hash rules, what
each API route persists and returns. None of CAVRA's own data is in here.

Do not edit these files by hand. They are written by
[`scripts/gen-test-scenarios.py`](../../../scripts/gen-test-scenarios.py) (Python 3, standard library
only, deterministic), which replays CAVRA's final-closeout API routes against a simulated store, using the
artifact builders shared with the sample generator ([`scripts/cavra_shapes.py`](../../../scripts/cavra_shapes.py)):

```sh
python3 scripts/gen-test-scenarios.py
```

## Layout

- `index.json` (`closeout.test-scenarios.v1`): every scenario with its inputs and cases; each case has an
  evaluation time, an optional `--release` and the complete expectation (verdict, evaluated release, the
  other releases, all ten criteria, or the load error), with notes naming the rule that decides it.
  `conventions` in the index explains every key.
- `<scenario>/store.json`: an evidence-metadata store (`{{"items": [...]}}`, items sorted by `session_id`,
  one item per line, keys sorted, Python's separators). SQLite variants are made by the tests at run
  time (no `.sqlite` file is committed); `sqlite-duplicate-session/sqlite-rows.json` describes rows that
  a PRIMARY KEY would forbid.
- `<scenario>/responses/NN-<route>.json`: API response bodies, in call order.
- `trial-references/package.json`: a trial package (`cavra.final_closeout_trial.v1`).

The expectations follow the rule book of issue 10 (`chain-rules.md`). Where it is silent or ambiguous,
the case's notes say **AMBIGUOUS** and give the reading used.

## Scenarios

| scenario | inputs | cases (expected verdict) |
|---|---|---|
{rows}

{sections}

## Things worth knowing

- Times: each release's closeout runs on the samples' step clock (one minute per step from 09:00,
  retry plan at 09:30, worker at 09:31) on its own day; extra steps carry their own times.
- The manifest route rebuilds the readiness bundle, the retention-review and artifact-bundle routes
  rebuild the closeout summary, the deliver route stores the delivery event under the summary's id
  (replacing that summary item): a store holds several versions of these kinds, as CAVRA's do.
- A live worker run rebuilds the summary and its delivery event without storing them, so the new
  delivery's `summary_id` / `event_id` name a summary version that is in no store (the worker's response
  carries it in `retry_results[].event`).
- Retention health, alert plans and retry plans are global in CAVRA: a report checks every release's
  artifact bundles and every failed closeout delivery.
- To keep the data small, only the stores of `two-releases`, `live-redelivery-succeeded` and
  `response-directory` keep the upstream items the readiness bundle indexes (readiness summaries, runbook
  exports, approvals, attachments, packet verifications, auditor exports, archive references). The other
  stores hold the final-chain kinds plus archive reference health, so their readiness bundles name
  upstream items the store does not carry (`not_included`). No criterion depends on those items.
- Sizes: about 2.2 MB on disk, about 190 KB compressed; a full real-shaped chain is 60-100 KB.
""".format(rows="\n".join(rows), sections=sections)


def main():
    built = [f() for f in SCENARIOS]
    names = [s["name"] for s in built]
    assert len(names) == len(set(names))
    if os.path.isdir(OUT_DIR):
        shutil.rmtree(OUT_DIR)
    os.makedirs(OUT_DIR)
    for s in built:
        for rel, text in sorted(s["files"].items()):
            assert rel.startswith(s["name"] + "/")
            write(os.path.join(OUT_DIR, rel), text)
    index = {
        "schema": INDEX_SCHEMA,
        "generated_by": "scripts/gen-test-scenarios.py",
        "criteria": CRITERIA,
        "conventions": CONVENTIONS,
        "scenarios": [{
            "name": s["name"], "description": s["description"], "store": s["store"],
            "responses": s["responses"], "trial": s["trial"], "sqlite_rows": s["sqlite_rows"],
            "cases": s["cases"],
        } for s in built],
    }
    write(os.path.join(OUT_DIR, "index.json"), json.dumps(index, indent=2) + "\n")
    write(os.path.join(OUT_DIR, "README.md"), readme_text(built))
    total = sum(len(t.encode()) for s in built for t in s["files"].values())
    print("wrote %d scenarios (%d cases, %d KB of evidence), index.json and README.md to %s" % (
        len(built), sum(len(s["cases"]) for s in built), total // 1024, os.path.relpath(OUT_DIR, ROOT)))


if __name__ == "__main__":
    main()
