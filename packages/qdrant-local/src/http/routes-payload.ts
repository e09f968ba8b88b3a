import { clearPayloadOp, deletePayloadOp, overwritePayloadOp, setPayloadOp } from "../point-writes.js";
import { ok, type QdrantApp, type RouteDeps, requestBody, waitParam, write } from "./route-kit.js";

/** Payload writes: set (merge), overwrite, delete keys, clear. */
export function mountPayloadRoutes(app: QdrantApp, { engine }: RouteDeps): void {
  const store = engine.store;
  app.post("/collections/:name/points/payload", async (c) => {
    const body = await requestBody(c, "SetPayload");
    return ok(
      c,
      await write(engine, setPayloadOp(store.get(c.req.param("name")), body), waitParam(c, false)),
    );
  });
  app.put("/collections/:name/points/payload", async (c) => {
    const body = await requestBody(c, "SetPayload");
    return ok(
      c,
      await write(engine, overwritePayloadOp(store.get(c.req.param("name")), body), waitParam(c, false)),
    );
  });
  app.post("/collections/:name/points/payload/delete", async (c) => {
    const body = await requestBody(c, "DeletePayload");
    return ok(
      c,
      await write(engine, deletePayloadOp(store.get(c.req.param("name")), body), waitParam(c, false)),
    );
  });
  app.post("/collections/:name/points/payload/clear", async (c) => {
    const body = await requestBody(c, "PointsSelector");
    return ok(
      c,
      await write(engine, clearPayloadOp(store.get(c.req.param("name")), body), waitParam(c, false)),
    );
  });
}
