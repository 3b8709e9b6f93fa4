package iam

import (
	"strings"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// resolveVariables replaces the policy variables of a Resource entry that the
// principal alone determines (${aws:username}, ${aws:PrincipalAccount}) and
// the escapes ${*}, ${?}, ${$}. Any other variable depends on the request
// (${aws:userid} of a role session, tags, ...): it becomes * and the entry is
// reported as unresolved, so an Allow counts as granted under a condition and
// a Deny only marks grants as conditional.
func resolveVariables(pattern string, p *PrincipalInfo) (resolved string, unresolved []string) {
	if !strings.Contains(pattern, "${") {
		return pattern, nil
	}
	var b strings.Builder
	rest := pattern
	for {
		i := strings.Index(rest, "${")
		if i < 0 {
			b.WriteString(rest)
			break
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:i])
		name := rest[i+2 : i+j]
		rest = rest[i+j+1:]
		switch v := strings.ToLower(strings.TrimSpace(name)); {
		case v == "*" || v == "?" || v == "$":
			b.WriteString(v)
		case v == "aws:username" && p != nil && p.Kind == activity.KindIAMUser:
			b.WriteString(p.Name)
		case v == "aws:principalaccount" && p != nil && p.AccountID != "":
			b.WriteString(p.AccountID)
		default:
			b.WriteByte('*')
			unresolved = append(unresolved, "${"+name+"}")
		}
	}
	return b.String(), unresolved
}
