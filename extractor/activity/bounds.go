package activity

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Bounds on the strings the store keeps, in bytes of UTF-8. AWS documents
// its limits in characters; the identifiers below are ASCII, where the two
// agree. A value read from logs, files or APIs that is longer than AWS
// allows cannot be real: an identifier past its bound is refused with its
// record or item (see TooLong), and free text is cut (see Cut), so no input
// can grow the database or a report past these sizes.
const (
	// MaxARN is the longest ARN: the IAM API's Arn fields (User, Role,
	// Policy) and the ARN parameters of STS and Organizations allow 20 to
	// 2,048 characters.
	MaxARN = 2048
	// MaxAccountID bounds the account id fields. An account id is 12
	// digits, but CloudTrail also writes words there (ANONYMOUS_PRINCIPAL,
	// 19 characters, for unsigned S3 requests).
	MaxAccountID = 32
	// MaxRegion bounds region names. The longest AWS has published is 14
	// characters (us-isob-east-1, eusc-de-east-1); twice the longest leaves
	// room for regions to come.
	MaxRegion = 32
	// MaxIAMName is the longest IAM name: users and roles allow 64
	// characters, groups, policies and instance profiles 128 (IAM quotas,
	// "IAM name requirements").
	MaxIAMName = 128
	// MaxPolicyName bounds how the store names a policy: its ARN, or an
	// owner's ARN, " inline " and an inline policy's name (128), or a
	// resource's ARN and the policy's noun.
	MaxPolicyName = MaxARN + len(" inline ") + MaxIAMName
	// MaxPolicyDocument is the longest policy document: the IAM API's
	// PolicyDocument parameters allow 131,072 characters. What AWS accepts
	// per policy is less (6,144 for a managed policy, 10,240 for a role's
	// inline policies, 20 KB for a bucket policy, 32 KB for a key policy).
	MaxPolicyDocument = 131072
	// MaxSessionName is the longest role session name (STS RoleSessionName:
	// 2 to 64 characters); MaxSourceIdentity the longest source identity
	// (STS SourceIdentity: 2 to 64 characters).
	MaxSessionName    = 64
	MaxSourceIdentity = 64
	// MaxLogin bounds a person's login or user name: a SAML subject, an
	// Okta login (100 characters), an IAM Identity Center user name (128),
	// an e-mail address (254, RFC 5321).
	MaxLogin = 256
	// MaxGroupName bounds the group a person holds a role through: an IAM
	// Identity Center group's display name allows 1,024 characters, an Okta
	// group's name 255.
	MaxGroupName = 1024
	// MaxHostName bounds an event source or the service that invoked a call
	// (eventSource, userIdentity.invokedBy): DNS names are at most 253
	// characters.
	MaxHostName = 253
	// MaxEventName is the longest event name: an API operation name, which
	// is also the name part of an IAM action. The longest in the Service
	// Authorization Reference has under 100 characters.
	MaxEventName = 128
	// MaxAction is the longest IAM action: a service prefix, ":" and an
	// event name.
	MaxAction = MaxHostName + 1 + MaxEventName
	// MaxResourceRef bounds a request parameter that names a resource by
	// name, id or ARN: an S3 bucket name (63), a KMS key id or alias (256),
	// a secret name (512) or an ARN of any of them.
	MaxResourceRef = MaxARN
	// MaxCopySource bounds x-amz-copy-source: a bucket (63 characters), "/",
	// an object key (1,024 bytes) URL-encoded (up to 3 bytes a byte) and a
	// versionId.
	MaxCopySource = 4096
	// MaxErrorCode bounds the errorCode CloudTrail records. AWS documents no
	// limit; real codes are identifiers of a few dozen characters
	// (AccessDenied, Client.UnauthorizedOperation). A longer one is cut.
	MaxErrorCode = 256
	// MaxMessage bounds stored explanations: why an input was skipped, what
	// discovery could not read. Longer ones are cut.
	MaxMessage = 1024
	// MaxLocation bounds where an input was read: an S3 URL with a key of
	// up to 1,024 bytes, or a path on this machine (4,096 bytes on Linux).
	MaxLocation = 4096
)

// TooLongError is an identifier longer than AWS allows: the record or item
// holding it is refused.
type TooLongError struct {
	Field string // where the value was: "userIdentity.arn"
	Kind  string // what it should be: "an ARN"
	Len   int    // its length, in bytes
	Max   int
}

func (e *TooLongError) Error() string {
	return fmt.Sprintf("%s is %s bytes long, and %s has at most %s: not a real value, so it is not kept",
		e.Field, Thousands(int64(e.Len)), e.Kind, Thousands(int64(e.Max)))
}

// TooLong reports a value of field longer than limit, or nil.
func TooLong(field, kind, value string, limit int) error {
	if len(value) <= limit {
		return nil
	}
	return &TooLongError{Field: field, Kind: kind, Len: len(value), Max: limit}
}

// Cut shortens free text to at most limit bytes, ending it with a marker that
// says how many bytes were cut ("…[cut 999,936 bytes]"). It cuts between
// characters, never inside one. A value of limit bytes or fewer is returned as
// is. Cut is deterministic: the same value is always cut the same way, so
// values cut alike still group together.
func Cut(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	// The marker is longest when it counts every byte: leaving room for
	// that one leaves room for the one that counts fewer.
	room := limit - len(cutMarker(len(s)))
	if room < 0 {
		// A bound too small for the marker: the value is cut bare.
		return s[:runeStart(s, limit)]
	}
	keep := runeStart(s, room)
	return s[:keep] + cutMarker(len(s)-keep)
}

func cutMarker(n int) string { return "…[cut " + Thousands(int64(n)) + " bytes]" }

// runeStart is the largest i <= n at which a character of s starts.
func runeStart(s string, n int) int {
	if n <= 0 {
		return 0
	}
	if n >= len(s) {
		return len(s)
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return n
}

// Thousands formats n with commas between groups of three digits.
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	out := make([]byte, 0, len(s)+len(s)/3+1)
	if neg {
		out = append(out, '-')
	}
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}
