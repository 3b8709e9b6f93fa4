package store

// LatestSchemaVersion is the database schema version this release writes and
// reads: the version of its latest migration. A database of a higher version
// was written by a newer release and is refused; one of a lower version is
// upgraded by the first command that opens it for writing.
func LatestSchemaVersion() (int, error) {
	ms, err := migrations()
	if err != nil {
		return 0, err
	}
	if len(ms) == 0 {
		return 0, nil
	}
	return ms[len(ms)-1].version, nil
}
