# The producer is killed with SIGKILL at three random moments while it
# commits and publishes N events, and restarted: the consumer ends with each
# event exactly once, in order (the outbox is written in the same transaction
# as the producer's state, and replay fills what PUB lost).
source "$(dirname "$0")/lib.sh"
N=100000; [ "$IT_SCALE" = small ] && N=20000
export ENT_PEER_EVENTS=$N ENT_PEER_BATCH=$((N / 200)) ENT_PEER_INTERVAL_MS=10
it_endpoints producer consumer

start_bg producer "$PEER" producer; PRODUCER=$LAST_PID
start_bg consumer "$PEER" consumer; CONSUMER=$LAST_PID
wait_ready consumer
for round in 1 2 3; do
  sleep "0.$((2 + RANDOM % 5))"
  kill -9 "$PRODUCER"; wait "$PRODUCER" 2>/dev/null
  log "producer killed (round $round)"
  start_bg producer "$PEER" producer; PRODUCER=$LAST_PID
done
check() { "$PEER" check "$ENTRETIENS_DATA_DIR/consumer" "$N" | head -c 40; }
wait_for 60 "ok $N" check || fail "consumer store: $("$PEER" check "$ENTRETIENS_DATA_DIR/consumer" "$N")"
[ "$(grep -c 'daemon.ready' "$IT_DIR/producer.log")" -eq 4 ] || fail "expected 4 producer starts"
echo "consumer holds $N events exactly once, in order, after 3 producer SIGKILLs"
