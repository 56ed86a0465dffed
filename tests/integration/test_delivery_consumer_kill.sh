# A producer commits and publishes N events while its consumer is killed
# with SIGKILL at three random moments and restarted: at the end the
# consumer's store holds each event exactly once, in order.
source "$(dirname "$0")/lib.sh"
N=100000; [ "$IT_SCALE" = small ] && N=20000
export ENT_PEER_EVENTS=$N ENT_PEER_BATCH=$((N / 200)) ENT_PEER_INTERVAL_MS=10
it_endpoints producer consumer

start_bg producer "$PEER" producer; PRODUCER=$LAST_PID
start_bg consumer "$PEER" consumer; CONSUMER=$LAST_PID
wait_ready consumer
for round in 1 2 3; do
  sleep "0.$((2 + RANDOM % 5))"
  kill -9 "$CONSUMER"; wait "$CONSUMER" 2>/dev/null
  log "consumer killed (round $round)"
  start_bg consumer "$PEER" consumer; CONSUMER=$LAST_PID
done
check() { "$PEER" check "$ENTRETIENS_DATA_DIR/consumer" "$N" | head -c 40; }
wait_for 60 "ok $N" check || fail "consumer store: $("$PEER" check "$ENTRETIENS_DATA_DIR/consumer" "$N")"
grep -q '"daemon.ready"' "$IT_DIR/consumer.log" || fail "consumer never started"
# the kills must have happened while events were still flowing
[ "$(grep -c 'daemon.ready' "$IT_DIR/consumer.log")" -eq 4 ] || fail "expected 4 consumer starts"
kill -TERM "$PRODUCER" "$CONSUMER"; wait
grep -q 'stopped cleanly' "$IT_DIR/consumer.log" || fail "consumer did not stop cleanly on SIGTERM"
echo "consumer holds $N events exactly once, in order, after 3 SIGKILLs"
