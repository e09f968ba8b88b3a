import { clearPayloadOp, deletePayloadOp, overwritePayloadOp, setPayloadOp } from "../point-writes.js";
import { mountWrite, type QdrantApp, type RouteDeps } from "./route-kit.js";

/** Payload writes: set (merge), overwrite, delete keys, clear. */
export function mountPayloadRoutes(app: QdrantApp, deps: RouteDeps): void {
  mountWrite(app, deps, { method: "post", path: "/payload", schema: "SetPayload" }, setPayloadOp);
  mountWrite(app, deps, { method: "put", path: "/payload", schema: "SetPayload" }, overwritePayloadOp);
  mountWrite(
    app,
    deps,
    { method: "post", path: "/payload/delete", schema: "DeletePayload" },
    deletePayloadOp,
  );
  mountWrite(app, deps, { method: "post", path: "/payload/clear", schema: "PointsSelector" }, clearPayloadOp);
}
