# A producer commits and publishes N events while its consumer is killed
# with SIGKILL at three random moments and restarted: at the end the
# consumer's store holds each event exactly once, in order.
source "$(dirname "$0")/lib.sh"
N=100000; [ "$IT_SCALE" = small ] && N=20000
# the stream lasts 4 s at least (400 batches, one each 10 ms): the three kills fall inside it
export ENT_PEER_EVENTS=$N ENT_PEER_BATCH=$((N / 400)) ENT_PEER_INTERVAL_MS=10
it_endpoints producer consumer

start_bg producer "$PEER" producer; PRODUCER=$LAST_PID
start_bg consumer "$PEER" consumer; CONSUMER=$LAST_PID
wait_ready consumer
held() { # events the (stopped) consumer's store holds, in order
  local out; out=$("$PEER" check "$ENTRETIENS_DATA_DIR/consumer" "$N")
  case $out in "ok "*) echo "$N" ;; "holds "*) out=${out#holds }; echo "${out%% *}" ;; *) fail "consumer store after a kill: $out" ;; esac
}
last=0
for round in 1 2 3; do
  sleep "0.$((2 + RANDOM % 5))"
  kill -9 "$CONSUMER"; wait "$CONSUMER" 2>/dev/null
  # killed while events were flowing: it held some, not all (what the
  # store holds is what it committed), never fewer than at the last kill
  h=$(held)
  log "consumer killed (round $round) holding $h of $N events"
  [ "$h" -lt "$N" ] || fail "round $round: the kill came after the stream ended ($h of $N): it proves nothing"
  [ "$h" -ge "$last" ] || fail "round $round: the store lost events ($h, before $last)"
  [ "$round" = 1 ] && first=$h
  last=$h
  start_bg consumer "$PEER" consumer; CONSUMER=$LAST_PID
done
[ "$last" -gt "$first" ] || fail "no event applied between the first and the last kill ($first, $last)"
check() { "$PEER" check "$ENTRETIENS_DATA_DIR/consumer" "$N" | head -c 40; }
wait_for 60 "ok $N" check || fail "consumer store: $("$PEER" check "$ENTRETIENS_DATA_DIR/consumer" "$N")"
grep -q '"daemon.ready"' "$IT_DIR/consumer.log" || fail "consumer never started"
[ "$(grep -c 'daemon.ready' "$IT_DIR/consumer.log")" -eq 4 ] || fail "expected 4 consumer starts"
kill -TERM "$PRODUCER" "$CONSUMER"; wait
grep -q 'stopped cleanly' "$IT_DIR/consumer.log" || fail "consumer did not stop cleanly on SIGTERM"
echo "consumer holds $N events exactly once, in order, after 3 SIGKILLs"
