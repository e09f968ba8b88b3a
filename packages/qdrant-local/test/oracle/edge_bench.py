"""Benchmark side of `pnpm bench`: the same points and queries as the local mode, loaded into and queried on Qdrant Edge.

argv: data folder (dense.f32, rows.jsonl, queries.json written by bench/engine-bench.ts), dimension, batch size.
Prints one JSON object: upserts per second, hybrid RRF query p50/p99 in ms, RSS growth and shard folder size per point,
and the top-10 ids of each hybrid query (so the bench can check both engines answered alike).
"""

import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from array import array

import qdrant_edge as q


def rss_bytes():
    with open("/proc/self/statm", encoding="ascii") as f:
        return int(f.read().split()[1]) * resource.getpagesize()


def folder_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            total += os.path.getsize(os.path.join(root, name))
    return total


def main():
    data, dim, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    dense = array("f")
    with open(os.path.join(data, "dense.f32"), "rb") as f:
        dense.frombytes(f.read())
    with open(os.path.join(data, "rows.jsonl"), encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    with open(os.path.join(data, "queries.json"), encoding="utf-8") as f:
        queries = json.load(f)
    n = len(rows)

    folder = tempfile.mkdtemp(prefix="edge-bench-")
    config = q.EdgeConfig(
        vectors={"dense": q.EdgeVectorParams(size=dim, distance=q.Distance.Cosine)},
        sparse_vectors={"text": q.EdgeSparseVectorParams(modifier=q.Modifier.Idf)},
    )
    shard = q.EdgeShard.create(folder, config)
    shard.update(q.UpdateOperation.create_field_index("category", q.PayloadSchemaType.Keyword))
    before = rss_bytes()
    busy = 0.0
    for start in range(0, n, batch):
        points = []
        for i in range(start, min(n, start + batch)):
            row = rows[i]
            vector = {
                "dense": dense[i * dim : (i + 1) * dim].tolist(),
                "text": q.SparseVector(row["sparse"]["indices"], row["sparse"]["values"]),
            }
            points.append(q.Point(i, vector, row["payload"]))
        t = time.perf_counter()
        shard.update(q.UpdateOperation.upsert_points(points))
        busy += time.perf_counter() - t
    shard.flush()
    after = rss_bytes()

    def hybrid(query):
        return q.QueryRequest(
            limit=10,
            prefetches=[
                q.Prefetch(limit=50, query=q.Query.Nearest(query["dense"], using="dense")),
                q.Prefetch(
                    limit=50,
                    query=q.Query.Nearest(q.SparseVector(query["sparse"]["indices"], query["sparse"]["values"]), using="text"),
                ),
            ],
            query=q.Fusion.Rrf(k=2),
        )

    for query in queries[:3]:
        shard.query(hybrid(query))
    times, tops = [], []
    for query in queries:
        t = time.perf_counter()
        points = shard.query(hybrid(query))
        times.append((time.perf_counter() - t) * 1000)
        tops.append([p.id for p in points])
    times.sort()
    result = {
        "points": n,
        "upsertsPerSecond": n / busy,
        "hybridP50": statistics.median(times),
        "hybridP99": times[min(len(times) - 1, int(0.99 * len(times)))],
        "rssBytesPerPoint": (after - before) / n,
        "diskBytesPerPoint": folder_bytes(folder) / n,
        "tops": tops,
    }
    shard.close()
    shutil.rmtree(folder, ignore_errors=True)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
