# A consumer that starts far behind a producer still publishing: more than
# 32,768 events behind, it takes the heartbeats only and follows by replay
# (log events.lagging), then, near the head, the live events again
# (events.live, entretiens_consumer_consumer_live 1) while the stream goes
# on; it ends holding every event exactly once, in order.
source "$(dirname "$0")/lib.sh"
N=120000; [ "$IT_SCALE" = small ] && N=80000
# 400 batches, one each 10 ms: the stream lasts 4 s at least
export ENT_PEER_EVENTS=$N ENT_PEER_BATCH=$((N / 400)) ENT_PEER_INTERVAL_MS=10
it_endpoints producer consumer

start_bg producer "$PEER" producer; PRODUCER=$LAST_PID
wait_ready producer
head_seq() { metric "$ENTRETIENS_PRODUCER_HTTP" entretiens_producer_outbox_head_seq; }
behind=$((N * 5 / 8))
for i in $(seq 1 1200); do h=$(head_seq); [ "${h:-0}" -ge "$behind" ] && break; sleep 0.01; done
[ "${h:-0}" -ge "$behind" ] || fail "the producer did not reach $behind events (head ${h:-none})"
start_bg consumer "$PEER" consumer; CONSUMER=$LAST_PID
wait_ready consumer
check() { "$PEER" check "$ENTRETIENS_DATA_DIR/consumer" "$N" | head -c 40; }
wait_for 60 "ok $N" check || fail "consumer store: $("$PEER" check "$ENTRETIENS_DATA_DIR/consumer" "$N")"
h=$(head_seq); [ "$h" = "$N" ] || fail "producer head $h, expected $N"
grep -q '"event":"events.lagging"' "$IT_DIR/consumer.log" ||
  fail "the consumer started more than $behind events behind and never followed by replay only"
grep -q '"event":"events.live"' "$IT_DIR/consumer.log" || fail "the consumer never took the live events again"
# the order of the two: far behind first, live again after
first_lag=$(grep -n '"event":"events.lagging"' "$IT_DIR/consumer.log" | head -1 | cut -d: -f1)
last_live=$(grep -n '"event":"events.live"' "$IT_DIR/consumer.log" | tail -1 | cut -d: -f1)
[ "$last_live" -gt "$first_lag" ] || fail "events.live (line $last_live) before events.lagging (line $first_lag)"
live=$(metric "$ENTRETIENS_CONSUMER_HTTP" 'entretiens_consumer_consumer_live{producer="producer"}')
[ "$live" = 1 ] || fail "caught up, entretiens_consumer_consumer_live is '$live'"
kill -TERM "$PRODUCER" "$CONSUMER"; wait
echo "late consumer: started $behind or more events behind, followed by replay only, then live again; holds $N events exactly once, in order"
