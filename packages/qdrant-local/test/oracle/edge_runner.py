"""Applies differential workloads to Qdrant Edge (Qdrant's engine in-process) and prints what each query returned.

Reads a JSON list of workloads (see workload.ts) from the file named on the command line; writes one JSON object
{workload_id: [per step: null for an update, {"points": [[id, score], ...]} or {"error": "..."} for a query,
{"records": [{id, payload, vector}, ...]} for a retrieve]} to stdout.
Request bodies are Qdrant REST JSON; this script translates the subset the generator produces into Edge objects.
"""

import json
import shutil
import sys
import tempfile
import uuid

import qdrant_edge as q

DISTANCES = {
    "Cosine": q.Distance.Cosine,
    "Dot": q.Distance.Dot,
    "Euclid": q.Distance.Euclid,
    "Manhattan": q.Distance.Manhattan,
}


def point_id(value):
    return uuid.UUID(value) if isinstance(value, str) else value


def as_list(clause):
    if clause is None:
        return None
    return clause if isinstance(clause, list) else [clause]


def to_match(m):
    if "value" in m:
        return q.MatchValue(m["value"])
    if "any" in m:
        return q.MatchAny(m["any"])
    if "except" in m:
        return q.MatchExcept(m["except"])
    if "text" in m:
        return q.MatchText(m["text"])
    raise ValueError(f"match not translated: {m}")


def to_condition(c):
    if "key" in c:
        if "match" in c:
            return q.FieldCondition(key=c["key"], match=to_match(c["match"]))
        if "range" in c:
            return q.FieldCondition(key=c["key"], range=q.RangeFloat(**c["range"]))
        if "values_count" in c:
            return q.FieldCondition(key=c["key"], values_count=q.ValuesCount(**c["values_count"]))
        raise ValueError(f"field condition not translated: {c}")
    if "is_empty" in c:
        return q.IsEmptyCondition(c["is_empty"]["key"])
    if "is_null" in c:
        return q.IsNullCondition(c["is_null"]["key"])
    if "has_id" in c:
        return q.HasIdCondition({point_id(i) for i in c["has_id"]})
    if "has_vector" in c:
        return q.HasVectorCondition(c["has_vector"])
    if "nested" in c:
        return q.NestedCondition(c["nested"]["key"], to_filter(c["nested"]["filter"]))
    if any(k in c for k in ("must", "should", "must_not", "min_should")):
        return to_filter(c)
    raise ValueError(f"condition not translated: {c}")


def to_conditions(clause):
    items = as_list(clause)
    return None if items is None else [to_condition(c) for c in items]


def to_filter(f):
    if f is None:
        return None
    min_should = f.get("min_should")
    return q.Filter(
        must=to_conditions(f.get("must")),
        should=to_conditions(f.get("should")),
        must_not=to_conditions(f.get("must_not")),
        min_should=None
        if min_should is None
        else q.MinShould([to_condition(c) for c in min_should["conditions"]], min_should["min_count"]),
    )


def to_vector_input(v):
    if isinstance(v, dict):
        return q.SparseVector(v["indices"], v["values"])
    return v


def to_query(body):
    query = body.get("query")
    if query is None:
        return None
    if isinstance(query, dict) and "fusion" in query:
        return q.Fusion.Rrf(k=2) if query["fusion"] == "rrf" else q.Fusion.Dbsf()
    if isinstance(query, dict) and "rrf" in query:
        rrf = query["rrf"]
        return q.Fusion.Rrf(k=rrf.get("k", 2), weights=rrf.get("weights"))
    if isinstance(query, dict) and "nearest" in query:
        query = query["nearest"]
    return q.Query.Nearest(to_vector_input(query), using=body.get("using"))


def to_prefetches(body):
    items = as_list(body.get("prefetch"))
    if items is None:
        return None
    return [
        q.Prefetch(
            limit=p["limit"],
            query=to_query(p),
            prefetches=to_prefetches(p),
            filter=to_filter(p.get("filter")),
            score_threshold=p.get("score_threshold"),
        )
        for p in items
    ]


def to_request(body):
    return q.QueryRequest(
        limit=body["limit"],
        offset=body.get("offset"),
        query=to_query(body),
        prefetches=to_prefetches(body),
        filter=to_filter(body.get("filter")),
        score_threshold=body.get("score_threshold"),
        with_payload=False,
        with_vector=False,
    )


def to_point(p):
    vector = {
        name: q.SparseVector(v["indices"], v["values"]) if isinstance(v, dict) else v for name, v in p["vector"].items()
    }
    return q.Point(point_id(p["id"]), vector, p.get("payload"))


def to_update(op):
    kind = op["op"]
    if kind == "upsert":
        return q.UpdateOperation.upsert_points([to_point(p) for p in op["points"]])
    if kind == "delete":
        return q.UpdateOperation.delete_points([point_id(i) for i in op["points"]])
    if kind == "delete_by_filter":
        return q.UpdateOperation.delete_points_by_filter(to_filter(op["filter"]))
    if kind == "set_payload":
        return q.UpdateOperation.set_payload([point_id(i) for i in op["points"]], op["payload"], op.get("key"))
    if kind == "overwrite_payload":
        return q.UpdateOperation.overwrite_payload([point_id(i) for i in op["points"]], op["payload"])
    if kind == "delete_payload":
        return q.UpdateOperation.delete_payload([point_id(i) for i in op["points"]], op["keys"])
    raise ValueError(f"update not translated: {kind}")


def edge_config(collection):
    vectors = {name: q.EdgeVectorParams(size=v["size"], distance=DISTANCES[v["distance"]]) for name, v in collection["vectors"].items()}
    sparse = {
        name: q.EdgeSparseVectorParams(modifier=q.Modifier.Idf if v.get("modifier") == "idf" else None)
        for name, v in collection["sparse_vectors"].items()
    }
    return q.EdgeConfig(vectors=vectors, sparse_vectors=sparse)


def id_json(value):
    return str(value) if isinstance(value, uuid.UUID) else value


def vector_json(v):
    if isinstance(v, q.SparseVector):
        return {"indices": list(v.indices), "values": list(v.values)}
    return list(v)


def record_json(record):
    vectors = record.vector or {}
    return {
        "id": id_json(record.id),
        "payload": record.payload or {},
        "vector": {name: vector_json(v) for name, v in vectors.items()},
    }


def run_workload(workload):
    folder = tempfile.mkdtemp(prefix="edge-oracle-")
    shard = q.EdgeShard.create(folder, edge_config(workload["collection"]))
    out = []
    try:
        for step in workload["steps"]:
            if "retrieve" in step:
                records = shard.retrieve([point_id(i) for i in step["retrieve"]], with_payload=True, with_vector=True)
                out.append({"records": [record_json(r) for r in records]})
            elif "query" in step:
                try:
                    points = shard.query(to_request(step["query"]))
                    out.append({"points": [[id_json(p.id), p.score] for p in points]})
                except Exception as error:  # an engine refusal is a result to compare, not a crash
                    out.append({"error": str(error)})
            else:
                shard.update(to_update(step["update"]))
                out.append(None)
    finally:
        shard.close()
        shutil.rmtree(folder, ignore_errors=True)
    return out


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        workloads = json.load(f)
    json.dump({w["id"]: run_workload(w) for w in workloads}, sys.stdout)


if __name__ == "__main__":
    main()
