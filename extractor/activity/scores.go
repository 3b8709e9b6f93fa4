package activity

import "time"

// ScoreRun is one computation of scores for a window.
type ScoreRun struct {
	ID int64
	Window
	ComputedAt time.Time
	Coverage   Coverage
}

// Coverage says what the scores could and could not see, so that a reader
// can tell a true zero from missing logs.
type Coverage struct {
	// Accounts whose logs were read for the window.
	MonitoredAccounts []string `json:"monitored_accounts"`
	// Days of the window without any log, per account.
	MissingDays []AccountDays `json:"missing_days,omitempty"`
	// Accounts whose trail does not log S3 data events: object-level use
	// cannot be seen there, which inflates OPS on buckets.
	DataEventsNotLogged []string `json:"data_events_not_logged,omitempty"`
	// Role sessions that could not be credited to a person.
	UnattributedSessions int `json:"unattributed_sessions"`
}

// AccountDays lists days (YYYY-MM-DD) of one account.
type AccountDays struct {
	AccountID string   `json:"account_id"`
	Days      []string `json:"days"`
}

// PrincipalScore is the score of one principal in one run.
type PrincipalScore struct {
	Principal
	Monitored bool
	// OPS is the share of the (resource, action) pairs granted that were
	// left unused; ResourceOPS, the share of the resources granted that
	// were not used at all. Both are nil when NAReason says why.
	OPS            *float64
	ResourceOPS    *float64
	NAReason       string
	Dormant        bool
	LastActivityAt *time.Time
	ObservedSince  *time.Time // set when the logs start inside the window
	Notes          []string
	Resources      []ResourceScore
	// Denied are the attempts refused or failed inside the window, the
	// most frequent first.
	Denied []Denied
}

// Denied counts a principal's attempts at one action on one resource that
// failed with one error code (AccessDenied, or any other errorCode): signals,
// never use.
type Denied struct {
	Action string
	// Resource is nil when the call named none of the resource kinds.
	Resource  *Resource
	ErrorCode string
	// Count is the number of distinct events, a duplicate delivery
	// counted once.
	Count  int64
	LastAt time.Time
}

// RootUsed tells whether p is an account root user that acted inside the
// window: a finding whatever else the run says.
func RootUsed(p PrincipalScore, w Window) bool {
	return p.Kind == KindRoot && p.LastActivityAt != nil && w.Contains(*p.LastActivityAt)
}

// ResourceScore is the score of one principal on one resource.
type ResourceScore struct {
	Resource
	OPS                *float64
	GrantedActions     []string
	UsedActions        []string
	ConditionalActions []string // granted only under a condition
	LastUsedAt         *time.Time
}

// KeyActivity is the activity of one KMS key.
type KeyActivity struct {
	Resource
	LastActivityAt *time.Time
	LastViewedAt   *time.Time
}

// Scores is a run with everything it computed.
type Scores struct {
	Run        ScoreRun
	Principals []PrincipalScore
	KMSKeys    []KeyActivity
}

// WindowUse is the latest successful use of one action on one resource
// inside a window.
type WindowUse struct {
	ResourceID int64
	Action     string
	LastUsedAt time.Time
}

// Grant is what a principal may do on one resource: catalog actions, sorted,
// and the subset granted only under a condition.
type Grant struct {
	Resource    Resource
	Actions     []string
	Conditional []string
}

// Why a principal's OPS is not known (N/A), most fundamental first.
const (
	// NARootUser: the account root user may do anything and is never
	// scored; its use is a finding of its own.
	NARootUser = "root_user"
	// NANotEnabled: no integration enables the principal's account.
	NANotEnabled = "not_enabled"
	// NANoLogs: the account is enabled, but none of its logs were read for
	// the window.
	NANoLogs = "no_logs"
	// NANotDiscovered: the account's IAM was never loaded.
	NANotDiscovered = "not_discovered"
	// NAPolicyUnreadable: a policy that applies to the principal could not
	// be parsed, so its access is unknown.
	NAPolicyUnreadable = "policy_unreadable"
	// NANothingGranted: nothing is granted on a scored resource kind.
	NANothingGranted = "nothing_granted"
)

// NAReasons lists the reasons an OPS is N/A.
var NAReasons = []string{NARootUser, NANotEnabled, NANoLogs, NANotDiscovered, NAPolicyUnreadable, NANothingGranted}

// ActionLastUse is a principal's latest successful use of one IAM action of
// any service up to as_of, and whether one fell inside the window.
type ActionLastUse struct {
	Action     string
	LastUsedAt time.Time
	InWindow   bool
}
