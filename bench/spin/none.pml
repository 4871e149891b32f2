/* The plain race (ccsim's mitigation `none`) in Promela, for comparing
 * SPIN's exhaustive search with ccsim explore. N requests each read the
 * row (autocommit SELECT), compute (+10) and write it back (autocommit
 * UPDATE): three steps, as in scenarios/mitigations/none.toml. The final
 * check asserts what a lost update breaks, so SPIN reports the race.
 * Compile with -DN=6 (see bench/explore-vs-spin). */
#ifndef N
#define N 6
#endif

int points = 100;
byte finished = 0;

active [N] proctype click() {
  int x;
  x = points;                               /* user = request.user */
  x = x + 10;                               /* user.points += calculate_points(user) */
  atomic { points = x; finished++ }         /* user.save() */
}

active proctype audit() {
  finished == N;
  assert(points == 100 + 10 * N)            /* fails exactly when an update was lost */
}
