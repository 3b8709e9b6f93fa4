package cloudtrail

// The tables of actions.go, for the tests that check them against the
// Service Authorization Reference.
var (
	ServiceExceptions     = serviceExceptions
	SourcesWithoutActions = sourcesWithoutActions
)
