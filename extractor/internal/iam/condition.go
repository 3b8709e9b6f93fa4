package iam

import (
	"bytes"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// condResult is what a Condition block says about a request: it holds, it
// does not, or it depends on a key the request context does not give.
type condResult int

const (
	condUnknown condResult = iota
	condTrue
	condFalse
)

// evalCondition evaluates a Condition block against the request context
// (keys in lower case, each with its values). Every operator and every key
// must hold. A key the context does not give leaves its test unknown, as
// does an operator this evaluator does not know, so the statement stays
// conditional; a test that fails makes the block false whatever the others.
func evalCondition(cond map[string]map[string][]string, ctx map[string][]string) condResult {
	result := condTrue
	for op, keys := range cond {
		for key, want := range keys {
			got, ok := ctx[strings.ToLower(key)]
			if !ok {
				result = condUnknown
				continue
			}
			switch evalOperator(op, got, want, ctx) {
			case condFalse:
				return condFalse
			case condUnknown:
				result = condUnknown
			}
		}
	}
	return result
}

// evalOperator applies one condition operator (with its ForAnyValue: or
// ForAllValues: qualifier and IfExists suffix) to the context's values of a
// key.
func evalOperator(op string, got, want []string, ctx map[string][]string) condResult {
	base := op
	qualifier := ""
	if q, rest, ok := strings.Cut(op, ":"); ok {
		qualifier, base = strings.ToLower(q), rest
	}
	base = strings.TrimSuffix(base, "IfExists")
	match, negated, known := operator(base)
	if !known {
		return condUnknown
	}
	resolved := make([]string, 0, len(want))
	for _, w := range want {
		v, ok := conditionValue(w, ctx)
		if !ok {
			return condUnknown
		}
		resolved = append(resolved, v)
	}
	// one tells whether a single context value satisfies the operator:
	// matches some value (or, negated, none of them).
	one := func(g string) (bool, bool) {
		for _, w := range resolved {
			m, ok := match(g, w)
			if !ok {
				return false, false
			}
			if m {
				return !negated, true
			}
		}
		return negated, true
	}
	all, anyOK := true, false
	for _, g := range got {
		ok, valid := one(g)
		if !valid {
			return condUnknown
		}
		all = all && ok
		anyOK = anyOK || ok
	}
	var holds bool
	switch {
	case qualifier == "forallvalues":
		holds = all
	case qualifier == "foranyvalue":
		holds = anyOK
	case negated:
		// A negated operator holds when no value of the key matches.
		holds = all
	default:
		holds = anyOK
	}
	if holds {
		return condTrue
	}
	return condFalse
}

// conditionValue resolves the policy variables of a condition value from
// the context; false when one is not given.
func conditionValue(w string, ctx map[string][]string) (string, bool) {
	if !strings.Contains(w, "${") {
		return w, true
	}
	var b strings.Builder
	rest := w
	for {
		i := strings.Index(rest, "${")
		if i < 0 {
			b.WriteString(rest)
			return b.String(), true
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			b.WriteString(rest)
			return b.String(), true
		}
		b.WriteString(rest[:i])
		name := strings.TrimSpace(rest[i+2 : i+j])
		rest = rest[i+j+1:]
		switch name {
		case "*":
			b.WriteByte(literalStar)
		case "?":
			b.WriteByte(literalQuestion)
		case "$":
			b.WriteByte('$')
		default:
			v := ctx[strings.ToLower(name)]
			if len(v) != 1 {
				return "", false
			}
			b.WriteString(literalText(v[0]))
		}
	}
}

// plain turns the escaped characters of a resolved value back into text,
// for operators without wildcards.
func plain(s string) string {
	return strings.NewReplacer(string(rune(literalStar)), "*", string(rune(literalQuestion)), "?").Replace(s)
}

// operator gives the test of a condition operator, whether it is negated,
// and whether it is known. The test says whether a context value matches a
// policy value, and false as second result when either cannot be read.
func operator(name string) (test func(got, want string) (bool, bool), negated, known bool) {
	valid := func(f func(g, w string) bool) func(string, string) (bool, bool) {
		return func(g, w string) (bool, bool) { return f(g, plain(w)), true }
	}
	switch name {
	case "StringEquals", "StringNotEquals":
		return valid(func(g, w string) bool { return g == w }), name == "StringNotEquals", true
	case "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase":
		return valid(strings.EqualFold), name == "StringNotEqualsIgnoreCase", true
	case "StringLike", "StringNotLike":
		return func(g, w string) (bool, bool) { return globMatch(w, g), true }, name == "StringNotLike", true
	case "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike":
		return func(g, w string) (bool, bool) { return arnLike(w, g), true }, strings.Contains(name, "Not"), true
	case "Bool":
		return func(g, w string) (bool, bool) {
			gb, err1 := strconv.ParseBool(g)
			wb, err2 := strconv.ParseBool(plain(w))
			return gb == wb, err1 == nil && err2 == nil
		}, false, true
	case "BinaryEquals":
		return valid(func(g, w string) bool { return bytes.Equal([]byte(g), []byte(w)) }), false, true
	case "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals":
		cmp := compareBy(name, "Numeric")
		return func(g, w string) (bool, bool) {
			gf, err1 := strconv.ParseFloat(g, 64)
			wf, err2 := strconv.ParseFloat(plain(w), 64)
			if err1 != nil || err2 != nil {
				return false, false
			}
			return cmp(compareFloat(gf, wf)), true
		}, name == "NumericNotEquals", true
	case "DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals":
		cmp := compareBy(name, "Date")
		return func(g, w string) (bool, bool) {
			gt, ok1 := parseDate(g)
			wt, ok2 := parseDate(plain(w))
			if !ok1 || !ok2 {
				return false, false
			}
			return cmp(gt.Compare(wt)), true
		}, name == "DateNotEquals", true
	case "IpAddress", "NotIpAddress":
		return func(g, w string) (bool, bool) {
			addr, err1 := netip.ParseAddr(g)
			w = plain(w)
			if !strings.Contains(w, "/") {
				if a, err := netip.ParseAddr(w); err == nil {
					w += "/" + strconv.Itoa(a.BitLen())
				}
			}
			prefix, err2 := netip.ParsePrefix(w)
			if err1 != nil || err2 != nil {
				return false, false
			}
			return prefix.Contains(addr), true
		}, name == "NotIpAddress", true
	case "Null":
		// The key is given, so it is not null: "true" fails, "false" holds.
		return func(_, w string) (bool, bool) {
			b, err := strconv.ParseBool(plain(w))
			return !b, err == nil
		}, false, true
	}
	return nil, false, false
}

// compareBy turns the comparison a Numeric or Date operator names into a
// test of a three-way comparison; the Not form compares equal, and the
// caller negates it.
func compareBy(name, family string) func(int) bool {
	switch strings.TrimPrefix(name, family) {
	case "LessThan":
		return func(c int) bool { return c < 0 }
	case "LessThanEquals":
		return func(c int) bool { return c <= 0 }
	case "GreaterThan":
		return func(c int) bool { return c > 0 }
	case "GreaterThanEquals":
		return func(c int) bool { return c >= 0 }
	default:
		return func(c int) bool { return c == 0 }
	}
}

func compareFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// parseDate reads a date as policies write them: ISO 8601 (with or without
// time) or seconds since the epoch.
func parseDate(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0), true
	}
	return time.Time{}, false
}

// arnLike matches an ARN against a pattern as the Arn operators do: each of
// the six colon-separated parts separately, with * and ? inside a part; the
// last part takes the rest, colons included.
func arnLike(pattern, arn string) bool {
	pp := strings.SplitN(pattern, ":", 6)
	ap := strings.SplitN(arn, ":", 6)
	if len(pp) != 6 || len(ap) != 6 {
		return globMatch(pattern, arn)
	}
	for i := range pp {
		if !globMatch(pp[i], ap[i]) {
			return false
		}
	}
	return true
}
