package activity

import (
	"strings"
	"time"
)

// CredentialConsole names the console password among a principal's
// credentials in CredentialUseFact; access keys are named by their id.
const CredentialConsole = "console"

// IsAccessKeyID tells whether id is a long-term access key's id: AKIA…
// (an IAM user's or the root user's key). Temporary session keys, ASIA…,
// are not access keys: they belong to a session, not to a credential a
// user holds.
func IsAccessKeyID(id string) bool {
	return len(id) >= 16 && len(id) <= 128 && strings.HasPrefix(id, "AKIA")
}

// CredentialUseFact is the first and last use of one day of one credential
// of a principal, and the seconds of its uses: Credential is an access
// key's id (every event the key signed, granted or not, since the key was
// used), or CredentialConsole for a successful console sign-in
// (ConsoleLogin with responseElements.ConsoleLogin "Success").
type CredentialUseFact struct {
	Principal   int
	Credential  string
	Day         int64
	First, Last int64
	Seconds     Seconds
}

// AccessKey is an IAM user's long-term access key, as discovery read it.
type AccessKey struct {
	UserARN string
	// ID is the key's id (AKIA…); empty when only a credential report
	// named the key, which lists a user's keys by slot, not by id.
	ID string
	// Slot is 1 or 2: the key's columns in the credential report
	// (access_key_1_…, access_key_2_…), or its order of creation.
	Slot      int
	Active    bool
	CreatedAt *time.Time
	// LastUsedAt is AWS's own record of the key's last use (the credential
	// report's access_key_N_last_used_date); nil when never used or unknown.
	LastUsedAt *time.Time
}

// Name is how findings and reports name the key: its id, or access_key_N
// when only its slot is known.
func (k AccessKey) Name() string {
	if k.ID != "" {
		return k.ID
	}
	return "access_key_" + string(rune('0'+k.Slot))
}

// ConsolePassword is an IAM user's console password, as the credential
// report describes it.
type ConsolePassword struct {
	UserARN string
	Enabled bool
	// LastUsedAt is AWS's own record of the last sign-in with the password
	// (password_last_used); nil when never used or unknown.
	LastUsedAt *time.Time
	// ChangedAt is when the password was last set (password_last_changed).
	ChangedAt *time.Time
}

// CredentialStatus is one credential of a principal at as_of: an access
// key (Type FindingUnusedAccessKey's subject) or its console password.
type CredentialStatus struct {
	// Name is the access key's Name, or CredentialConsole.
	Name string
	// Enabled is an active key or an enabled password.
	Enabled   bool
	CreatedAt *time.Time
	// LastUsedAt is the latest use up to as_of: from the logs read, or
	// from AWS's record when that is later and not after as_of.
	LastUsedAt *time.Time
	// UsedInWindow is set when a use fell inside the window.
	UsedInWindow bool
}

// CredentialLastUse is the latest use up to as_of of one credential of a
// principal the logs show (CredentialUseFact's Credential), and whether one
// fell inside the window.
type CredentialLastUse struct {
	Credential string
	LastUsedAt time.Time
	InWindow   bool
}
