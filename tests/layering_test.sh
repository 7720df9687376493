#!/usr/bin/env bash
# Dependencies point down (DESIGN.md "Layers", STYLE.md §2): a file in src/<area> may include
# headers of its own area and of areas in lower layers only. Prints every upward include.
set -euo pipefail
src=${1:?usage: $0 path/to/src}

rank() {
  case "$1" in
    core) echo 0 ;;
    hsm|store) echo 1 ;;
    formats|pki) echo 2 ;;
    # trust reads TS 119 612 lists and verifies their XAdES signatures with formats/.
    policy|identity|audit|trust) echo 3 ;;
    # validation uses trusted lists (trust) to decide qualification.
    validation) echo 4 ;;
    evidence) echo 5 ;;
    service) echo 6 ;;
    server) echo 7 ;;
    cli) echo 8 ;;  # the process entry point; `qualsig serve` starts the server library
    qualsig) echo -1 ;;  # the generated version header: includes nothing, so below core
    *) echo "unknown" ;;
  esac
}

bad=0
while IFS= read -r -d '' file; do
  area=${file#"$src"/}; area=${area%%/*}
  from=$(rank "$area")
  if [ "$from" = unknown ]; then echo "unknown area: $file"; bad=1; continue; fi
  while IFS= read -r inc; do
    to_area=${inc%%/*}
    [ "$to_area" = "$area" ] && continue
    to=$(rank "$to_area")
    if [ "$to" = unknown ]; then continue; fi  # not one of ours
    if [ "$to" -ge "$from" ]; then
      echo "upward include: $file includes \"$inc\" ($area is layer $from, $to_area is layer $to)"
      bad=1
    fi
  done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$file")
done < <(find "$src" \( -name '*.h' -o -name '*.cpp' \) -print0)

[ "$bad" -eq 0 ] && echo "layering ok" || exit 1
