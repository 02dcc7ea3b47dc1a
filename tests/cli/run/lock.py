# Holds a write lock on a SQLite database for a few seconds (tests/cli/run/errors.t).
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute('BEGIN IMMEDIATE')
open(sys.argv[2], 'w').close()   # tell the test the lock is held
time.sleep(float(sys.argv[3]))
c.execute('ROLLBACK')
