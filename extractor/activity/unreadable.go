package activity

import "strings"

// UnreadablePolicy is a policy that applies but that discovery could not
// read (malformed, or absent from its input): what it allows or denies is
// unknown, so the access it governs is unknown too.
type UnreadablePolicy struct {
	// Policy names it as explanations do: a managed policy's ARN, an inline
	// policy's "OWNER_ARN inline NAME", a resource's policy, or an
	// organization policy's ARN or file.
	Policy string `json:"policy"`
	// Via says how it applies: "user", "role", "group GROUP_ARN",
	// "permissions boundary", "service control policy of account ID",
	// "resource control policy of account ID", or "resource policy".
	Via string `json:"via,omitempty"`
	// Error is what was wrong with it; empty when recorded by a version
	// that kept only the name.
	Error string `json:"error,omitempty"`
}

// String names the policy, how it applies and what was wrong with it, in
// one line.
func (u UnreadablePolicy) String() string {
	var b strings.Builder
	b.WriteString(u.Policy)
	if u.Via != "" {
		b.WriteString(" (" + u.Via + ")")
	}
	if u.Error != "" {
		b.WriteString(": " + u.Error)
	}
	return b.String()
}
