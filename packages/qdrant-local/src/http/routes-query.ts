import { runQueryGroups } from "../groups.js";
import { queryBatchDocuments, queryDocuments, resolveDocuments } from "../inference/resolve-documents.js";
import { runQuery, searchAsQuery } from "../run-query.js";
import { ok, type QdrantApp, type RouteDeps, requestBody } from "./route-kit.js";

/** The universal query API (single, batch, groups) and the legacy search endpoints, which run as queries. */
export function mountQueryRoutes(app: QdrantApp, { engine, inference }: RouteDeps): void {
  const store = engine.store;
  app.post("/collections/:name/points/query", async (c) => {
    const body = await requestBody(c, "QueryRequest");
    await resolveDocuments(queryDocuments, body, inference);
    return ok(c, { points: runQuery(store.get(c.req.param("name")), body) });
  });
  app.post("/collections/:name/points/query/batch", async (c) => {
    const body = await requestBody(c, "QueryRequestBatch");
    await resolveDocuments(queryBatchDocuments, body, inference);
    const collection = store.get(c.req.param("name"));
    return ok(
      c,
      body.searches.map((q, i) => ({ points: runQuery(collection, q, `searches[${i}]`) })),
    );
  });
  app.post("/collections/:name/points/query/groups", async (c) => {
    const body = await requestBody(c, "QueryGroupsRequest");
    await resolveDocuments(queryDocuments, body, inference);
    return ok(c, runQueryGroups(store.get(c.req.param("name")), body));
  });
  app.post("/collections/:name/points/search", async (c) => {
    const body = await requestBody(c, "SearchRequest");
    return ok(c, runQuery(store.get(c.req.param("name")), searchAsQuery(body)));
  });
  app.post("/collections/:name/points/search/batch", async (c) => {
    const body = await requestBody(c, "SearchRequestBatch");
    const collection = store.get(c.req.param("name"));
    return ok(
      c,
      body.searches.map((q, i) => runQuery(collection, searchAsQuery(q), `searches[${i}]`)),
    );
  });
  app.post("/collections/:name/points/search/groups", async (c) => {
    const body = await requestBody(c, "SearchGroupsRequest");
    return ok(c, runQueryGroups(store.get(c.req.param("name")), searchAsQuery(body)));
  });
}
