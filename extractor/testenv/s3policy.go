package testenv

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// S3Statement is one statement of an identity policy.
type S3Statement struct {
	Sid       string
	Effect    string
	Action    []string
	Resource  []string
	Condition map[string]map[string][]string
}

// S3Policy decides S3 requests the way S3 does with an identity policy, for
// the calls the project makes. Conditions are StringEquals and StringLike on
// s3:prefix and s3:delimiter; a statement with any other condition does not
// apply.
type S3Policy []S3Statement

// ParseS3Policy reads a policy document.
func ParseS3Policy(doc []byte) (S3Policy, error) {
	var d struct{ Statement S3Policy }
	err := json.Unmarshal(doc, &d)
	return d.Statement, err
}

// S3Request names the IAM action, resource and condition keys of a
// path-style S3 request.
func S3Request(r *http.Request) (action, resource string, keys map[string]string) {
	path := strings.TrimPrefix(r.URL.Path, "/")
	bucket, key, _ := strings.Cut(path, "/")
	q := r.URL.Query()
	switch {
	case bucket == "":
		return "s3:ListAllMyBuckets", "*", nil
	case key == "" && q.Has("policy"):
		return "s3:GetBucketPolicy", bucketARN(bucket), nil
	case key == "" && q.Has("location"):
		return "s3:GetBucketLocation", bucketARN(bucket), nil
	case key == "" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		keys = map[string]string{"s3:prefix": q.Get("prefix")}
		if q.Has("delimiter") {
			keys["s3:delimiter"] = q.Get("delimiter")
		}
		return "s3:ListBucket", bucketARN(bucket), keys
	case key != "" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		return "s3:GetObject", bucketARN(bucket) + "/" + key, nil
	}
	return "s3:" + r.Method + "Unknown", bucketARN(path), nil
}

// Allows tells whether the policy allows the action: a statement allows it
// and none denies it.
func (p S3Policy) Allows(action, resource string, keys map[string]string) bool {
	allow := false
	for _, s := range p {
		if !globAny(s.Action, action, true) || !globAny(s.Resource, resource, false) || !conditionsHold(s.Condition, keys) {
			continue
		}
		if s.Effect == "Deny" {
			return false
		}
		allow = true
	}
	return allow
}

// conditionsHold evaluates StringEquals and StringLike on the request's keys;
// any other operator, or a key the request lacks, fails the statement.
func conditionsHold(cond map[string]map[string][]string, keys map[string]string) bool {
	for op, byKey := range cond {
		for k, values := range byKey {
			v, ok := keys[k]
			switch {
			case !ok:
				return false
			case op == "StringLike" && globAny(values, v, false):
			case op == "StringEquals" && slices.Contains(values, v):
			default:
				return false
			}
		}
	}
	return true
}

// globAny matches IAM's wildcards: * any run of characters, ? one; fold
// ignores case, as action names do.
func globAny(patterns []string, s string, fold bool) bool {
	for _, p := range patterns {
		re := "^" + strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(p)) + "$"
		if fold {
			re = "(?i)" + re
		}
		if regexp.MustCompile(re).MatchString(s) {
			return true
		}
	}
	return false
}

// bucketARN is the ARN of a bucket, or of a path below it.
func bucketARN(bucket string) string {
	return activity.ResourceKindNamed(activity.KindS3Bucket).ARN("", "", "", bucket)
}
