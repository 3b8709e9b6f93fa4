package activity

import (
	"strings"
	"time"
)

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
	// Services are the services the principal is granted or used, by
	// service prefix. ServiceOPS is the share of the services granted of
	// which no action was used in the window; PermissionOPS, the share of
	// the actions granted, over every service, left unused. Both are nil
	// with NAReason, or when nothing is granted in any service.
	Services      []ServiceScore
	ServiceOPS    *float64
	PermissionOPS *float64
	// Findings are the principal's unused-access findings in the window.
	Findings []Finding
	// Credentials are an IAM user's access keys and console password, with
	// their use up to as_of.
	Credentials []CredentialStatus
}

// ServiceScore is what a principal was granted and used in one service.
type ServiceScore struct {
	Service string
	// Granted is the number of the service's actions granted.
	Granted int
	// UsedActions are the actions of the service used inside the window,
	// granted or not (a use the policies read do not explain is shown).
	UsedActions []string
	// LastUsedAt is the latest use of any action of the service up to
	// as_of, inside the window or before it; nil when none was seen.
	LastUsedAt *time.Time
}

// Kinds of finding, after IAM Access Analyzer's unused-access findings
// (UnusedIAMRole, UnusedPermission, UnusedIAMUserAccessKey,
// UnusedIAMUserPassword).
const (
	// FindingUnusedRole: an IAM role, monitored and existing for the whole
	// window, that did nothing in it.
	FindingUnusedRole = "unused_role"
	// FindingUnusedPermission: a service in which an IAM user or role is
	// granted actions it did not use in the window.
	FindingUnusedPermission = "unused_permission"
	// FindingUnusedAccessKey: an active access key of an IAM user, existing
	// for the whole window, not used in it (or never used).
	FindingUnusedAccessKey = "unused_access_key"
	// FindingUnusedPassword: an IAM user's enabled console password,
	// existing for the whole window, with no successful console sign-in in
	// it (or never used).
	FindingUnusedPassword = "unused_password"
)

// FindingTypes lists the kinds of finding.
var FindingTypes = []string{FindingUnusedRole, FindingUnusedPermission, FindingUnusedAccessKey, FindingUnusedPassword}

// Finding is one unused-access finding of a principal for a window.
type Finding struct {
	Type      string
	Principal Principal
	// Service, Actions and ActionLastUsed are set for unused_permission:
	// the service, its granted actions unused in the window, and of those
	// the ones used before the window, with their last use.
	Service        string
	Actions        []string
	ActionLastUsed map[string]time.Time
	// LastUsedAt is the latest use up to as_of: of the role for
	// unused_role, of the service for unused_permission, of the key or
	// password for unused_access_key and unused_password (from the logs, or
	// AWS's own record); nil when none was seen.
	LastUsedAt *time.Time
	// AccessKey names the key of unused_access_key (AccessKey.Name).
	AccessKey string
	// CreatedAt is when the key was created (unused_access_key) or the
	// password last set (unused_password), when known.
	CreatedAt *time.Time
}

// UnusedDays is how many whole days the finding's subject went unused up
// to as_of: the role since its last use; the unused actions since the
// latest use of any of them (other actions of the service may have been
// used since); the key or password since its last use. When none was seen,
// since a credential's CreatedAt, or else the start of the window.
func (f Finding) UnusedDays(w Window) int {
	since := w.Start()
	switch {
	case f.Type == FindingUnusedPermission:
		var latest time.Time
		for _, t := range f.ActionLastUsed {
			if t.After(latest) {
				latest = t
			}
		}
		if !latest.IsZero() {
			since = latest
		}
	case f.LastUsedAt != nil:
		since = *f.LastUsedAt
	case (f.Type == FindingUnusedAccessKey || f.Type == FindingUnusedPassword) && f.CreatedAt != nil:
		// Never used: AWS's record of the credential covers its whole life.
		since = *f.CreatedAt
	}
	return int(w.AsOf.Sub(since) / (24 * time.Hour))
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

// UnusedRoleDays is how many whole days up to as_of an IAM role of a score
// went unused: since its last activity, or, when none was seen, since the
// start of the window or its creation, whichever is later. ok is false for
// a principal that is not a role, a service-linked role (only its service
// uses it), and a role whose account was not monitored.
func UnusedRoleDays(p PrincipalScore, w Window) (days int, ok bool) {
	if p.Kind != KindIAMRole || !p.Monitored || strings.Contains(p.ARN, ":role/aws-service-role/") {
		return 0, false
	}
	since := w.Start()
	switch {
	case p.LastActivityAt != nil:
		since = *p.LastActivityAt
	case p.CreatedAt.After(since):
		since = p.CreatedAt
	}
	return int(w.AsOf.Sub(since) / (24 * time.Hour)), true
}

// UnusedAccessKeyDays is how many whole days up to as_of an active access
// key went unused: since its last use, or, when none was seen, since its
// creation (AWS's record covers its whole life), or else the start of the
// window. ok is false for a console password and an inactive key.
func UnusedAccessKeyDays(c CredentialStatus, w Window) (days int, ok bool) {
	if c.Name == CredentialConsole || !c.Enabled {
		return 0, false
	}
	since := w.Start()
	switch {
	case c.LastUsedAt != nil:
		since = *c.LastUsedAt
	case c.CreatedAt != nil:
		since = *c.CreatedAt
	}
	return int(w.AsOf.Sub(since) / (24 * time.Hour)), true
}
