package cloudtrail

import (
	"fmt"
	"path"
	"regexp"
	"strings"
	"time"
)

// IsEventObject tells, from its key or path alone, whether an object is a
// CloudTrail event delivery file: *.json or *.json.gz, and not a digest, an
// Insights file or anything else CloudTrail keeps beside its logs.
func IsEventObject(key string) bool {
	base := path.Base(strings.ReplaceAll(key, "\\", "/"))
	if !strings.HasSuffix(base, ".json.gz") && !strings.HasSuffix(base, ".json") {
		return false
	}
	for _, notEvents := range []string{"CloudTrail-Digest", "CloudTrail-Insight"} {
		if strings.Contains(key, "/"+notEvents+"/") || strings.Contains(base, "_"+notEvents+"_") {
			return false
		}
	}
	return true
}

// deliveryName is CloudTrail's file name: ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_UNIQUE.json[.gz].
var deliveryName = regexp.MustCompile(`^([0-9]{12})_CloudTrail_([a-z0-9-]+)_([0-9]{8}T[0-9]{4}Z)_[A-Za-z0-9]+\.json(\.gz)?$`)

// ObjectName is what a delivery file's name says about its content.
type ObjectName struct {
	AccountID string
	Region    string
	Delivered time.Time
}

// ParseObjectName reads the account, region and delivery time from a
// CloudTrail delivery file name; ok is false for any other name.
func ParseObjectName(key string) (ObjectName, bool) {
	m := deliveryName.FindStringSubmatch(path.Base(key))
	if m == nil {
		return ObjectName{}, false
	}
	t, err := time.Parse("20060102T1504Z", m[3])
	if err != nil {
		return ObjectName{}, false
	}
	return ObjectName{AccountID: m[1], Region: m[2], Delivered: t}, true
}

// EventObjectKey is where CloudTrail delivers a file in a trail's layout:
// [PREFIX/]AWSLogs/[ORG/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/NAME.
func EventObjectKey(prefix, orgID, account, region string, delivered time.Time, unique string) string {
	return fmt.Sprintf("%s%s/%s_CloudTrail_%s_%s_%s.json.gz",
		AccountPrefix(prefix, orgID, account)+"CloudTrail/"+region+"/", delivered.UTC().Format("2006/01/02"),
		account, region, delivered.UTC().Format("20060102T1504Z"), unique)
}

// DigestObjectKey is where CloudTrail delivers a digest file.
func DigestObjectKey(prefix, orgID, account, region, trailName string, delivered time.Time) string {
	return fmt.Sprintf("%sCloudTrail-Digest/%s/%s/%s_CloudTrail-Digest_%s_%s_%s_%s.json.gz",
		AccountPrefix(prefix, orgID, account), region, delivered.UTC().Format("2006/01/02"),
		account, region, trailName, region, delivered.UTC().Format("20060102T150405Z"))
}

// LogsRoot is [PREFIX/]AWSLogs/.
func LogsRoot(prefix string) string {
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	return prefix + "AWSLogs/"
}

// AccountPrefix is [PREFIX/]AWSLogs/[ORG/]ACCOUNT/.
func AccountPrefix(prefix, orgID, account string) string {
	p := LogsRoot(prefix)
	if orgID != "" {
		p += orgID + "/"
	}
	return p + account + "/"
}

// DayPrefixes are the date folders of one account and region that can hold
// events of [from, to]: CloudTrail delivers within minutes, so a file dated
// the day after to can hold to's last events, and one dated from its first.
func DayPrefixes(accountPrefix, region string, from, to time.Time) []string {
	var out []string
	first := from.UTC().Truncate(24 * time.Hour)
	last := to.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	for d := first; !d.After(last); d = d.Add(24 * time.Hour) {
		out = append(out, accountPrefix+"CloudTrail/"+region+"/"+d.Format("2006/01/02")+"/")
	}
	return out
}

// keyDate is the date folder of a key in the trail layout.
var keyDate = regexp.MustCompile(`/CloudTrail/[a-z0-9-]+/([0-9]{4}/[0-9]{2}/[0-9]{2})/`)

// InWindow tells whether an object may hold events of [from, to], judged by
// the date in its key or name; objects whose key says nothing are read.
func InWindow(key string, from, to time.Time) bool {
	var day time.Time
	if m := keyDate.FindStringSubmatch(key); m != nil {
		d, err := time.Parse("2006/01/02", m[1])
		if err != nil {
			return true
		}
		day = d
	} else if n, ok := ParseObjectName(key); ok {
		day = n.Delivered.Truncate(24 * time.Hour)
	} else {
		return true
	}
	return !day.Before(from.UTC().Truncate(24*time.Hour)) && !day.After(to.UTC().Add(24*time.Hour))
}
