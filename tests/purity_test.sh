#!/usr/bin/env bash
# The pure core (core/ store/ lang/ engine/ explore/ check/ spec/) never does
# I/O, reads a clock, starts threads or draws platform randomness, and never
# reaches into the edges (scenario/ report/ verify/ pg/ load/ serve/ cli/): it includes
# none of the headers that would let it, angled or quoted.
set -u
cd "$1/sim" || exit 1
core="core store lang engine explore check spec"
io='(iostream|fstream|sstream|cstdio|stdio\.h|chrono|ctime|time\.h|thread|mutex|future|random|filesystem|boost/asio[^>"]*|unistd\.h|fcntl\.h|sys/[a-z_]+\.h|libpq-fe\.h|toml\+\+/[^>"]*|nlohmann/[^>"]*|CLI/[^>"]*)'
banned="#include *[<\"]$io[>\"]"
edges='#include *[<"](scenario|report|verify|pg|load|serve|cli)/'
status=0
found=$(grep -rnE "$banned" $core)
if [ -n "$found" ]; then
  echo "the pure core includes I/O, clock, thread, random or heavy headers:"
  echo "$found"
  status=1
fi
found=$(grep -rnE "$edges" $core)
if [ -n "$found" ]; then
  echo "the pure core includes an edge module:"
  echo "$found"
  status=1
fi
[ $status -eq 0 ] && echo "ok: $core include no I/O, clock, thread or random headers and no edge module"
exit $status
