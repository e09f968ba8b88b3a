-- Records a batch that used its last attempt, once, with its reason; nothing for a batch already counted done.
-- KEYS: 1 progress hash, 2 set of done batch indices, 3 hash of failed batches, 4 hash of per-batch rows/points
-- ARGV: 1 batch index, 2 reason
-- Returns -1 when the ingestion's progress does not exist, 1 when recorded now, 0 otherwise.
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return 0 end
if redis.call('HSET', KEYS[3], ARGV[1], ARGV[2]) == 1 then
  redis.call('HINCRBY', KEYS[1], 'batchesFailed', 1)
  redis.call('HINCRBY', KEYS[1], 'rowsFailed', redis.call('HGET', KEYS[4], 'r:' .. ARGV[1]) or 0)
  return 1
end
return 0
