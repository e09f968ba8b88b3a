import { vectorUpdateDocuments } from "../inference/resolve-documents.js";
import { deleteVectorsOp, updateVectorsOp } from "../point-writes.js";
import { mountWrite, type QdrantApp, type RouteDeps } from "./route-kit.js";

/** Vector writes on existing points: update (replace the named vectors given) and delete. */
export function mountVectorRoutes(app: QdrantApp, deps: RouteDeps): void {
  const update = {
    method: "put",
    path: "/vectors",
    schema: "UpdateVectors",
    walk: vectorUpdateDocuments,
  } as const;
  mountWrite(app, deps, update, (collection, body) => updateVectorsOp(collection, body));
  mountWrite(
    app,
    deps,
    { method: "post", path: "/vectors/delete", schema: "DeleteVectors" },
    deleteVectorsOp,
  );
}
