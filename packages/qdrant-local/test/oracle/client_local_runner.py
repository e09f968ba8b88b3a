"""Applies differential workloads to the Python client's local mode (QdrantClient(":memory:")), for what Edge lacks.

Same input and output as edge_runner.py. Bodies are Qdrant REST JSON, read straight into the client's pydantic models.
"""

import json
import sys

from qdrant_client import QdrantClient, models


def to_update(client, name, op):
    kind = op["op"]
    if kind == "upsert":
        client.upsert(name, points=[models.PointStruct.model_validate(p) for p in op["points"]])
    elif kind == "delete":
        client.delete(name, points_selector=models.PointIdsList(points=op["points"]))
    elif kind == "set_payload":
        client.set_payload(name, payload=op["payload"], points=op["points"])
    elif kind == "overwrite_payload":
        client.overwrite_payload(name, payload=op["payload"], points=op["points"])
    else:
        raise ValueError(f"update not translated: {kind}")


def run_workload(client, workload):
    name = workload["id"]
    config = workload["collection"]
    client.create_collection(
        name,
        vectors_config={n: models.VectorParams.model_validate(v) for n, v in config["vectors"].items()},
    )
    out = []
    for step in workload["steps"]:
        if "query" in step:
            try:
                request = models.QueryRequest.model_validate(step["query"])
                (response,) = client.query_batch_points(name, requests=[request])
                out.append({"points": [[p.id, p.score] for p in response.points]})
            except Exception as error:  # a refusal is a result to compare
                out.append({"error": str(error)})
        else:
            to_update(client, name, step["update"])
            out.append(None)
    client.delete_collection(name)
    return out


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        workloads = json.load(f)
    client = QdrantClient(":memory:")
    json.dump({w["id"]: run_workload(client, w) for w in workloads}, sys.stdout)


if __name__ == "__main__":
    main()
