/* select_for_update() inside transaction.atomic, in Promela, as in
 * scenarios/mitigations/select_for_update.toml: a read of request.user in
 * autocommit, then, in one transaction, a SELECT ... FOR UPDATE that waits
 * in FIFO order for the row lock (PostgreSQL's lock queue), compute,
 * UPDATE, COMMIT (which releases the lock). The audit asserts no update
 * was lost; it holds. Compile with -DN=6. */
#ifndef N
#define N 6
#endif

int points = 100;
byte finished = 0;
chan row_lock = [N] of { byte };            /* the row lock's FIFO queue; its head holds it */

active [N] proctype click() {
  int seen, x;
  seen = points;                            /* request.user (autocommit) */
  row_lock!_pid;                            /* BEGIN; SELECT ... FOR UPDATE asks for the lock */
  row_lock?<eval(_pid)>;                    /* ... and waits until it is first in the queue */
  x = points;                               /* the locked read */
  x = x + 10;                               /* user.points += calculate_points(user) */
  points = x;                               /* user.save() */
  atomic { row_lock?eval(_pid); finished++ } /* COMMIT releases the lock */
}

active proctype audit() {
  finished == N;
  assert(points == 100 + 10 * N)
}
