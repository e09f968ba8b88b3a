-- Counts one batch as done, once: the worker calls it after its upsert, finalize again for every completed child.
-- KEYS: 1 progress hash, 2 set of done batch indices, 3 hash of failed batches, 4 hash of per-batch rows/points
-- ARGV: 1 batch index, 2 points the batch wrote and 4 its rows (used when the producer's record of the batch is
-- missing: lost with the last writes of a failed Redis master), 3 now (ms)
-- Returns -1 when the ingestion's progress does not exist, 0 when the batch was already counted, 1 when counted now.
-- Points and rows come from what the producer recorded for the batch: the worker knows how many points it wrote,
-- not how many of them an earlier row of the same ingestion already had.
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('SADD', KEYS[2], ARGV[1]) == 0 then return 0 end
local points = redis.call('HGET', KEYS[4], 'p:' .. ARGV[1]) or ARGV[2]
local rows = tonumber(redis.call('HGET', KEYS[4], 'r:' .. ARGV[1]) or ARGV[4] or 0)
redis.call('HINCRBY', KEYS[1], 'batchesDone', 1)
redis.call('HINCRBY', KEYS[1], 'pointsUpserted', points)
redis.call('HINCRBY', KEYS[1], 'rowsUpserted', rows)
redis.call('HSET', KEYS[1], 'lastBatchAt', ARGV[3])
-- A batch recorded failed and then done on a redelivery is done.
if redis.call('HDEL', KEYS[3], ARGV[1]) == 1 then
  redis.call('HINCRBY', KEYS[1], 'batchesFailed', -1)
  redis.call('HINCRBY', KEYS[1], 'rowsFailed', 0 - rows)
end
return 1
