package iam

import (
	"strings"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// resolution is what became of a Resource entry's policy variables.
type resolution struct {
	pattern string
	// unresolved are the variables that depend on the request and were
	// replaced by *: the entry matches under a condition.
	unresolved []string
	// impossible is set when a variable names a key that never exists for
	// the principal (${aws:username} of a role): the entry matches nothing.
	impossible bool
}

// resolveVariables replaces the policy variables of a Resource entry that the
// principal alone determines (${aws:username} of a user,
// ${aws:PrincipalAccount}), those the request context gives (ctx, keys in
// lower case; nil when none is given), and the escapes ${*}, ${?}, ${$},
// which stand for the characters themselves. Any other variable depends on
// the request (${aws:userid} of a role session, tags, ...): it becomes * and
// is reported as unresolved, so an Allow counts as granted under a condition
// and a Deny only marks grants as conditional.
func resolveVariables(pattern string, p *PrincipalInfo, ctx map[string][]string) resolution {
	if !strings.Contains(pattern, "${") {
		return resolution{pattern: pattern}
	}
	var r resolution
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
		v := strings.ToLower(strings.TrimSpace(name))
		// ${key, 'default'} gives a value when the key is absent.
		key, _, hasDefault := strings.Cut(v, ",")
		key = strings.TrimSpace(key)
		_, def, _ := strings.Cut(name, ",")
		switch {
		case v == "*":
			b.WriteByte(literalStar)
		case v == "?":
			b.WriteByte(literalQuestion)
		case v == "$":
			b.WriteByte('$')
		case key == "aws:username" && p != nil && p.Kind == activity.KindIAMUser:
			b.WriteString(p.Name)
		case key == "aws:username" && p != nil && p.Kind == activity.KindIAMRole:
			// A role session has no user name: the key is absent.
			if hasDefault {
				b.WriteString(literalText(defaultValue(def)))
			} else {
				r.impossible = true
			}
		case key == "aws:principalaccount" && p != nil && p.AccountID != "":
			b.WriteString(p.AccountID)
		case len(ctx[key]) == 1:
			b.WriteString(literalText(ctx[key][0]))
		default:
			b.WriteByte('*')
			r.unresolved = append(r.unresolved, "${"+name+"}")
		}
	}
	r.pattern = b.String()
	return r
}

// defaultValue reads the 'default' of ${key, 'default'}.
func defaultValue(s string) string {
	return strings.Trim(strings.TrimSpace(s), "'")
}

// literalText makes the wildcards of a value match only themselves.
func literalText(s string) string {
	return strings.NewReplacer("*", string(rune(literalStar)), "?", string(rune(literalQuestion))).Replace(s)
}
