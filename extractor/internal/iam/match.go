package iam

import "strings"

// Policy variables ${*} and ${?} stand for the characters * and ? themselves;
// once resolved, a pattern holds them as these bytes, which match only that
// character. They cannot appear in an ARN.
const (
	literalStar     = '\x01'
	literalQuestion = '\x02'
)

// same tells whether the pattern byte pc matches the byte c literally.
func same(pc, c byte) bool {
	return pc == c || pc == literalStar && c == '*' || pc == literalQuestion && c == '?'
}

// globMatch reports whether s matches pattern, where * matches any run of
// characters (colons and slashes included, as IAM does) and ? any one
// character.
func globMatch(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || same(pattern[p], s[i])):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// prefixStates returns the pattern positions the matcher can be in after
// reading prefix: empty when no string starting with prefix matches.
func prefixStates(pattern, prefix string) []bool {
	cur := make([]bool, len(pattern)+1)
	next := make([]bool, len(pattern)+1)
	cur[0] = true
	closeStars(pattern, cur)
	for i := 0; i < len(prefix); i++ {
		clear(next)
		any := false
		for p, on := range cur {
			if !on || p == len(pattern) {
				continue
			}
			switch {
			case pattern[p] == '*':
				next[p] = true
				any = true
			case pattern[p] == '?' || same(pattern[p], prefix[i]):
				next[p+1] = true
				any = true
			}
		}
		if !any {
			return nil
		}
		closeStars(pattern, next)
		cur, next = next, cur
	}
	return cur
}

func closeStars(pattern string, states []bool) {
	for p := 0; p < len(pattern); p++ {
		if states[p] && pattern[p] == '*' {
			states[p+1] = true
		}
	}
}

// matchesSomeWithPrefix tells whether pattern matches at least one string
// that starts with prefix and goes on with at least one more character: an
// object of a bucket, for the prefix "arn:PARTITION:s3:::BUCKET/".
func matchesSomeWithPrefix(pattern, prefix string) bool {
	for p, on := range prefixStates(pattern, prefix) {
		if on && p < len(pattern) {
			return true
		}
	}
	return false
}

// matchesAllWithPrefix tells whether pattern matches every string that starts
// with prefix and goes on with at least one more character.
func matchesAllWithPrefix(pattern, prefix string) bool {
	for p, on := range prefixStates(pattern, prefix) {
		if on && p < len(pattern) && strings.Trim(pattern[p:], "*") == "" {
			return true
		}
	}
	return false
}

// literalPrefix is the part of a pattern before its first wildcard (or
// escaped character).
func literalPrefix(pattern string) string {
	if i := strings.IndexAny(pattern, "*?\x01\x02"); i >= 0 {
		return pattern[:i]
	}
	return pattern
}
