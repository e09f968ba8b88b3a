import { batchDocuments, resolveDocuments, upsertDocuments } from "../inference/resolve-documents.js";
import { countPoints, getPoint, retrievePoints, scrollPoints } from "../point-reads.js";
import { batchOp, deletePointsOp, upsertOp } from "../point-writes.js";
import { mountWrite, ok, type QdrantApp, type RouteDeps, requestBody, waitParam } from "./route-kit.js";

/** Points: upsert, retrieve, delete, scroll, count, and `points/batch`. */
export function mountPointRoutes(app: QdrantApp, deps: RouteDeps): void {
  const { engine, inference } = deps;
  const store = engine.store;
  const upsert = { method: "put", path: "", schema: "PointInsertOperations", walk: upsertDocuments } as const;
  mountWrite(app, deps, upsert, upsertOp);
  mountWrite(app, deps, { method: "post", path: "/delete", schema: "PointsSelector" }, deletePointsOp);
  app.post("/collections/:name/points", async (c) => {
    const body = await requestBody(c, "PointRequest");
    return ok(c, retrievePoints(store.get(c.req.param("name")), body));
  });
  app.get("/collections/:name/points/:id", (c) =>
    ok(c, getPoint(store.get(c.req.param("name")), c.req.param("id"))),
  );
  app.post("/collections/:name/points/scroll", async (c) => {
    const body = await requestBody(c, "ScrollRequest");
    return ok(c, scrollPoints(store.get(c.req.param("name")), body));
  });
  app.post("/collections/:name/points/count", async (c) => {
    const body = await requestBody(c, "CountRequest");
    return ok(c, countPoints(store.get(c.req.param("name")), body));
  });
  // Each operation is read against the state the ones before it left (an upsert, then its vectors updated); they
  // share one flush.
  app.post("/collections/:name/points/batch", async (c) => {
    const body = await requestBody(c, "UpdateOperations");
    await resolveDocuments(batchDocuments, body, inference);
    const collection = store.get(c.req.param("name"));
    const ids = body.operations.map((op, i) => engine.commit(batchOp(collection, op, `operations[${i}]`)));
    const status = await engine.finish(waitParam(c, false));
    return ok(
      c,
      ids.map((id) => ({ operation_id: id, status })),
    );
  });
}
