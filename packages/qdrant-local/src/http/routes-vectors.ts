import { resolveDocuments, vectorUpdateDocuments } from "../inference/resolve-documents.js";
import { deleteVectorsOp, updateVectorsOp } from "../point-writes.js";
import { ok, type QdrantApp, type RouteDeps, requestBody, waitParam, write } from "./route-kit.js";

/** Vector writes on existing points: update (replace the named vectors given) and delete. */
export function mountVectorRoutes(app: QdrantApp, { engine, inference }: RouteDeps): void {
  const store = engine.store;
  app.put("/collections/:name/points/vectors", async (c) => {
    const body = await requestBody(c, "UpdateVectors");
    await resolveDocuments(vectorUpdateDocuments, body, inference);
    return ok(
      c,
      await write(engine, updateVectorsOp(store.get(c.req.param("name")), body), waitParam(c, false)),
    );
  });
  app.post("/collections/:name/points/vectors/delete", async (c) => {
    const body = await requestBody(c, "DeleteVectors");
    return ok(
      c,
      await write(engine, deleteVectorsOp(store.get(c.req.param("name")), body), waitParam(c, false)),
    );
  });
}
