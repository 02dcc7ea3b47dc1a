#!/usr/bin/env bash
# Hostile input sizes (part of `make bench`, never of the tests): inputs
# that were quadratic once, each timed at n, 2n and 4n. What matters is
# the growth per doubling, not the seconds (machines are shared and
# noisy): linear work gives a ratio near 2.0, quadratic near 4.0.
#  nul   a .mmr source of NUL bytes: a run of NULs, then a string and a
#        comment full of them (`mmr check`; n = bytes)
#  csv   a CSV snapshot whose header has n columns (`mmr eval --signals`)
#  json  a JSON rule master with n rules (`mmr check`; 4n stays under the
#        65,535-rule limit)
# Usage: bench/bench_inputs.sh MMR [SCALE]; SCALE (default 1) multiplies n.
# Each time is the least CPU time (user + sys) of 3 runs. docs/performance.md records the figures.
set -euo pipefail
MMR=${1:?usage: bench_inputs.sh MMR [SCALE]}
SCALE=${2:-1}
RULES=rules/moneymoments
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

gen_nul() {  # bytes, file
    python3 - "$1" "$2" <<'EOF'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
third = n // 3
with open(path, "wb") as f:
    f.write(b"\0" * third + b"\n")
    f.write(b'let s = "' + b"\0" * third + b'"\n')
    f.write(b"# " + b"\0" * third + b"\n")
EOF
}

gen_csv() {  # columns, file
    python3 - "$1" "$2" <<'EOF'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as f:
    f.write(",".join(["user_id"] + ["c%d" % i for i in range(n)]) + "\n")
    f.write("u1" + "," * n + "\n")
EOF
}

gen_json() {  # rules, file
    python3 - "$1" "$2" <<'EOF'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
rows = ['{"name":"r%d","priority":%d,"expression_json":{"if":{"dining_txn_7d":{">=":%d}},'
        '"message_template_id":"T1"}}' % (i, i % 1000, i % 50) for i in range(n)]
with open(path, "w") as f:
    f.write('{"templates":[{"template_id":"T1","title":"Hi","body":"Hello","category":"dining"}],\n'
            '"rules":[\n' + ",\n".join(rows) + "]}\n")
EOF
}

best_of_3() {  # command...: the least CPU seconds (user + sys) of 3 runs;
    # CPU, not wall time, as a busy machine stretches wall time at random
    local best="" t
    for _ in 1 2 3; do
        /usr/bin/time -o "$TMP/time" -f '%U %S' "$@" > /dev/null 2>&1 || true
        t=$(tail -n 1 "$TMP/time" | awk '{ print $1 + $2 }')   # after any "exited with" line
        best=$(awk -v a="$best" -v b="$t" 'BEGIN { r = (a == "" || b < a) ? b : a; print r }')
    done
    echo "$best"
}

run() {  # name, n, extension, command (FILE stands for the input)
    local name=$1 n=$2 ext=$3 cmd=$4 times=() sizes=()
    for k in 1 2 4; do
        local m=$((n * k)) f="$TMP/$name-$((n * k)).$ext"
        "gen_$name" "$m" "$f"
        sizes+=("$m")
        times+=("$(best_of_3 ${cmd//FILE/$f})")
        rm -f "$f"
    done
    printf '%-5s n=%-8s %6.2f s   2n %6.2f s   4n %6.2f s   ratio %4.1f, %4.1f   (%s)\n' \
        "$name" "${sizes[0]}" "${times[0]}" "${times[1]}" "${times[2]}" \
        "$(awk -v a="${times[0]}" -v b="${times[1]}" 'BEGIN { r = (a > 0) ? b / a : 0; print r }')" \
        "$(awk -v a="${times[1]}" -v b="${times[2]}" 'BEGIN { r = (a > 0) ? b / a : 0; print r }')" \
        "${cmd#"$MMR" }"
}

echo "input  CPU seconds at n, 2n and 4n                            growth per doubling  (command)"
run nul  $((4000000 * SCALE)) mmr  "$MMR check FILE"
run csv  $((200000 * SCALE))  csv  "$MMR eval $RULES --signals FILE"
run json $((15000 * SCALE))   json "$MMR check FILE"
