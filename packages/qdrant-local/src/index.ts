export { QDRANT_VERSION, type QdrantLocal, type QdrantLocalOptions, startQdrantLocal } from "./server.js";
