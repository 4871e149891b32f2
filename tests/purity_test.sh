#!/usr/bin/env bash
# The pure core (store/ lang/ engine/ explore/ check/ core/) never does I/O,
# reads a clock, starts threads or draws platform randomness: it includes none
# of the headers that would let it.
set -u
cd "$1/sim" || exit 1
banned='#include *<(iostream|fstream|sstream|cstdio|stdio\.h|chrono|ctime|thread|mutex|future|random|filesystem|boost/asio[^>]*|unistd\.h)>'
found=$(grep -rnE "$banned" core store lang engine explore check)
if [ -n "$found" ]; then
  echo "the pure core includes banned headers:"
  echo "$found"
  exit 1
fi
echo "ok: the pure core includes no I/O, clock, thread or random headers"
