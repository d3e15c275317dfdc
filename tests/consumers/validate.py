"""Read closeout's outputs with real consumers and print what they saw, as JSON, for tests/ci_consumers.rs.

    validate.py junit FILE        junitparser: the suite, its properties, each case's result and properties
    validate.py statement FILE    in-toto attestation bindings: parse and validate an in-toto Statement v1
                                  and its test-result predicate (a DSSE envelope's payload is read too)

Exit 0 with the JSON on stdout when the consumer accepted the file; non-zero with the consumer's error.
"""

import base64
import json
import sys


def junit(path):
    from junitparser import Failure, JUnitXml, Properties, Skipped, TestSuite

    xml = JUnitXml.fromfile(path)
    suites = [s for s in xml] if not isinstance(xml, TestSuite) else [xml]
    out = {"suites": []}
    for s in suites:
        cases = []
        for c in s:
            results = []
            for r in c.result:
                kind = "failure" if isinstance(r, Failure) else "skipped" if isinstance(r, Skipped) else type(r).__name__
                results.append({"kind": kind, "type": r.type, "message": r.message})
            props = c.child(Properties)
            cases.append({
                "name": c.name,
                "classname": c.classname,
                "passed": c.is_passed,
                "skipped": c.is_skipped,
                "results": results,
                "properties": {p.name: p.value for p in props} if props is not None else {},
                "system_out": c.system_out,
            })
        out["suites"].append({
            "name": s.name,
            "tests": s.tests,
            "failures": s.failures,
            "errors": s.errors,
            "skipped": s.skipped,
            "properties": {p.name: p.value for p in s.properties()},
            "cases": cases,
        })
    return out


def statement(path):
    import google.protobuf.json_format as pb_json
    import in_toto_attestation.v1.statement_pb2 as spb
    from in_toto_attestation.predicates.test_result.v0 import test_result_pb2 as trpb
    from in_toto_attestation.v1.resource_descriptor import ResourceDescriptor
    from in_toto_attestation.v1.statement import Statement

    with open(path, "rb") as f:
        doc = json.load(f)
    envelope = None
    if "payloadType" in doc:
        envelope = {"payloadType": doc["payloadType"], "keyids": [s.get("keyid") for s in doc["signatures"]]}
        doc = json.loads(base64.b64decode(doc["payload"]))
    # Strict: a field the schema does not know is an error.
    pb = pb_json.ParseDict(doc, spb.Statement())
    stmt = Statement.copy_from_pb(pb)
    stmt.validate()
    if stmt.pb.predicate_type != "https://in-toto.io/attestation/test-result/v0.1":
        raise ValueError("not a test-result predicate: " + stmt.pb.predicate_type)
    pred = pb_json.ParseDict(doc["predicate"], trpb.TestResult())
    if pred.result not in ("PASSED", "WARNED", "FAILED"):
        raise ValueError("result must be PASSED, WARNED or FAILED, not " + repr(pred.result))
    for rd in pred.configuration:
        ResourceDescriptor.copy_from_pb(rd).validate()
    return {
        "envelope": envelope,
        "type": stmt.pb.type,
        "subjects": [{"name": s.name, "digest": dict(s.digest)} for s in stmt.pb.subject],
        "predicate_type": stmt.pb.predicate_type,
        "result": pred.result,
        "passed": list(pred.passed_tests),
        "warned": list(pred.warned_tests),
        "failed": list(pred.failed_tests),
        "url": pred.url,
        "configuration": [
            {"name": c.name, "digest": dict(c.digest), "annotations": pb_json.MessageToDict(c.annotations)}
            for c in pred.configuration
        ],
    }


if __name__ == "__main__":
    what, path = sys.argv[1], sys.argv[2]
    result = {"junit": junit, "statement": statement}[what](path)
    json.dump(result, sys.stdout)
