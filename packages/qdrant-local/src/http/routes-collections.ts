import {
  createCollectionOp,
  createIndexOp,
  describeCollection,
  updateCollectionOp,
} from "../collection-admin.js";
import { ok, type QdrantApp, type RouteDeps, requestBody, waitParam, write } from "./route-kit.js";

/** Collections, their payload indexes and aliases (none: one name, one collection). */
export function mountCollectionRoutes(app: QdrantApp, { engine }: RouteDeps): void {
  const store = engine.store;
  app.get("/collections", (c) =>
    ok(c, { collections: [...store.collections.keys()].map((name) => ({ name })) }),
  );
  app.get("/aliases", (c) => ok(c, { aliases: [] }));
  app.get("/collections/:name/aliases", (c) => {
    store.get(c.req.param("name"));
    return ok(c, { aliases: [] });
  });
  app.get("/collections/:name/exists", (c) => ok(c, { exists: store.collections.has(c.req.param("name")) }));
  app.get("/collections/:name", (c) => ok(c, describeCollection(store.get(c.req.param("name")))));

  app.put("/collections/:name", async (c) => {
    const op = createCollectionOp(store, c.req.param("name"), await requestBody(c, "CreateCollection"));
    engine.commit(op);
    await engine.finish(waitParam(c, true));
    return ok(c, true);
  });
  app.patch("/collections/:name", async (c) => {
    const body = await requestBody(c, "UpdateCollection");
    engine.commit(updateCollectionOp(store.get(c.req.param("name")), body));
    await engine.finish(true);
    return ok(c, true);
  });
  app.delete("/collections/:name", async (c) => {
    const name = c.req.param("name");
    if (!store.collections.has(name)) return ok(c, false);
    engine.commit({ type: "delete_collection", collection: name });
    await engine.finish(true);
    return ok(c, true);
  });

  app.put("/collections/:name/index", async (c) => {
    const body = await requestBody(c, "CreateFieldIndex");
    return ok(
      c,
      await write(engine, createIndexOp(store.get(c.req.param("name")), body), waitParam(c, false)),
    );
  });
  app.delete("/collections/:name/index/:field", async (c) => {
    const collection = store.get(c.req.param("name"));
    const op = { type: "delete_index", collection: collection.name, field: c.req.param("field") } as const;
    return ok(c, await write(engine, op, waitParam(c, false)));
  });
}
