#!/bin/sh
# Instructions a server executes per accepted connection, counted by valgrind's callgrind (a count, not a
# clock: other load on the machine does not move it, so two builds can be compared on a busy machine).
#   bench/tools/connect-callgrind.sh tidings [count]   # dist/cli.js serve (npm run build first; DIST=<dir> for another build), SQLite inbox
#   bench/tools/connect-callgrind.sh ws [count]        # the reference (bench/targets/ws-reference.ts)
# Four warm-up storms of `count` other users run uninstrumented (the JIT settles); then `count` users reconnect with new tokens
# (cold) and again with the same tokens (warm), each counted on its own (a connection and its close).
# Prints instructions per connection. KEEP=1 keeps the callgrind files (callgrind_annotate reads them).
# Needs valgrind; takes a few minutes (the server runs about 50 times slower under valgrind).
set -eu
target=${1:?usage: connect-callgrind.sh tidings|ws [count]}
count=${2:-300}
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(mktemp -d)
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
secret=$(node -e "console.log(require('crypto').randomBytes(24).toString('hex'))")
cd "$root"
if [ "$target" = tidings ]; then
  script="${DIST:-dist}/cli.js serve --host 127.0.0.1 --port $port"
  path=/inform/ ready=resumed
  export TIDINGS_JWT_SECRET=$secret TIDINGS_API_KEY=$secret TIDINGS_DEMO=false TIDINGS_ENV=production \
    TIDINGS_LOG_LEVEL=warn TIDINGS_DATABASE_URL="sqlite:$dir/inbox.db" TIDINGS_MAX_CONNECTIONS_PER_IP=1000000
else
  node --import tsx -e "import('./bench/lib/bundle.ts').then(async (b) => console.log(await b.compiledScript('$root/bench/targets/ws-reference.ts')))" > "$dir/script"
  script="$(cat "$dir/script") --port $port"
  path=/ ready=none
  export BENCH_JWT_SECRET=$secret
fi
# shellcheck disable=SC2086
valgrind --tool=callgrind --separate-threads=yes --instr-atstart=no --callgrind-out-file="$dir/cg.out" node $script > "$dir/server.log" 2>&1 &
server=$!
until node -e "require('net').connect($port,'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))" 2>/dev/null; do
  kill -0 $server 2>/dev/null || { cat "$dir/server.log"; exit 1; }
  sleep 1
done
storm() { node --import tsx bench/tools/reconnect-clients.ts --port "$port" --secret "$secret" --count "$count" --path "$path" --ready "$ready" --first "$1" > /dev/null; }
for w in 1 2 3 4; do storm $((w * 1000000)); done
callgrind_control -z $server > /dev/null 2>&1
callgrind_control -i on $server > /dev/null 2>&1
storm 0
callgrind_control -d cold $server > /dev/null 2>&1
storm 0
callgrind_control -d warm $server > /dev/null 2>&1
kill $server
wait $server 2>/dev/null || true
# Counted: the main thread and libuv's pool (where webcrypto verifies HMACs); not V8's worker threads, whose
# compiles and GC helpers come and go with the JIT's timing rather than with the code's own work.
for phase in cold warm; do
  main=0 pool=0 jit=0
  for file in $(grep -l "^desc: Trigger: dump $phase" "$dir"/cg.out*); do
    ir=$(sed -n 's/^summary: //p; s/^totals: //p' "$file" | head -1)
    case "$file" in
      *-01) main=$((main + ir)) ;;
      *) if grep -q WorkerThread "$file"; then jit=$((jit + ir)); else pool=$((pool + ir)); fi ;;
    esac
  done
  echo "$target $phase: $count connections; per connection: $(((main + pool) / count)) instructions (main thread $((main / count)), libuv pool $((pool / count))); V8 workers, not counted: $((jit / count))"
done
[ -n "${KEEP:-}" ] && echo "kept $dir" || rm -rf "$dir"
