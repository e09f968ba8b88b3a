-- Records, before a batch is queued, which row first landed on each of its points, and the batch's rows and new
-- distinct points (read by batch-done.lua and batch-failed.lua).
-- KEYS: 1 hash point id -> line of the first row on it, 2 hash of per-batch rows/points
-- ARGV: 1 batch index, 2 rows of the batch, then pairs of point id and line
-- Returns, per point, the line of the earlier row it lands on, or -1 when the row is the first.
-- HSETNX keeps the first row's line; a re-read of the same source finds its own line there (not a collision).
local earlier = {}
local fresh = 0
for i = 3, #ARGV, 2 do
  local first = ARGV[i + 1]
  if redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1]) == 0 then first = redis.call('HGET', KEYS[1], ARGV[i]) end
  if first == ARGV[i + 1] then
    fresh = fresh + 1
    earlier[#earlier + 1] = -1
  else
    earlier[#earlier + 1] = tonumber(first)
  end
end
redis.call('HSET', KEYS[2], 'r:' .. ARGV[1], ARGV[2], 'p:' .. ARGV[1], fresh)
return earlier
