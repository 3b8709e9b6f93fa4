// Package reliability holds the proof that extraction loses nothing and
// counts nothing twice under crashes, storage faults, concurrent runs and
// hostile input, and that secrets stay secret. Its tests run only under
// `make reliability` (ACTIVITY_RELIABILITY=1); RELIABILITY_FULL=1 gives the
// release sizes. Each test prints one line
//
//	RELIABILITY case=NAME inputs=N faults=N runs=N lost=N twice=N result=pass|fail
//
// that scripts/reliability.sh gathers into one table. inputs counts what a
// case tried (objects, records, statements, outputs searched); faults counts
// what it inflicted (kills, S3 faults, hostile objects, statements removed,
// reads made while another process wrote).
package reliability
