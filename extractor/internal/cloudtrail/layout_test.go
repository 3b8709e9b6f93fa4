package cloudtrail

import (
	"testing"
	"time"
)

func TestIsEventObject(t *testing.T) {
	for key, want := range map[string]bool{
		"AWSLogs/o-abc/111111111111/CloudTrail/us-east-1/2026/11/25/111111111111_CloudTrail_us-east-1_20261125T0005Z_aBc.json.gz": true,
		"logs/AWSLogs/111111111111/CloudTrail/us-east-1/2026/11/25/111111111111_CloudTrail_us-east-1_20261125T0005Z_aBc.json.gz":  true,
		"invictus/218007301253_CloudTrail_us-east-1_20230710T1145Z_7xgocspSowgK0Gto.json":                                         true,
		"anything.json": true,
		"AWSLogs/111111111111/CloudTrail-Digest/us-east-1/2026/11/25/111111111111_CloudTrail-Digest_us-east-1_t_us-east-1_20261125T000512Z.json.gz": false,
		"AWSLogs/111111111111/CloudTrail-Insight/us-east-1/2026/11/25/111111111111_CloudTrail-Insight_us-east-1_20261125T0005Z_x.json.gz":           false,
		"AWSLogs/111111111111/CloudTrail/us-east-1/2026/11/25/":                                                                                     false,
		"AWSLogs/111111111111/CloudTrail/ConfigWritabilityCheckFile":                                                                                false,
		"notes.txt": false,
	} {
		if got := IsEventObject(key); got != want {
			t.Errorf("IsEventObject(%s) = %v, want %v", key, got, want)
		}
	}
}

func TestObjectKeysRoundTrip(t *testing.T) {
	at := time.Date(2026, 11, 25, 13, 5, 0, 0, time.UTC)
	key := EventObjectKey("logs", "o-abc123", "111111111111", "eu-west-1", at, "XyZ")
	if key != "logs/AWSLogs/o-abc123/111111111111/CloudTrail/eu-west-1/2026/11/25/111111111111_CloudTrail_eu-west-1_20261125T1305Z_XyZ.json.gz" {
		t.Fatalf("EventObjectKey = %s", key)
	}
	n, ok := ParseObjectName(key)
	if !ok || n != (ObjectName{AccountID: "111111111111", Region: "eu-west-1", Delivered: at}) {
		t.Errorf("ParseObjectName = %+v, %v", n, ok)
	}
	digest := DigestObjectKey("", "", "111111111111", "eu-west-1", "org-trail", at)
	if IsEventObject(digest) || digest != "AWSLogs/111111111111/CloudTrail-Digest/eu-west-1/2026/11/25/111111111111_CloudTrail-Digest_eu-west-1_org-trail_eu-west-1_20261125T130500Z.json.gz" {
		t.Errorf("DigestObjectKey = %s", digest)
	}
}

func TestWindow(t *testing.T) {
	from, to := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC), time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)
	got := DayPrefixes("AWSLogs/111111111111/", "us-east-1", from, to)
	want := []string{"01", "02", "03", "04"}
	if len(got) != len(want) {
		t.Fatalf("DayPrefixes = %v", got)
	}
	for i, d := range want {
		if got[i] != "AWSLogs/111111111111/CloudTrail/us-east-1/2026/11/"+d+"/" {
			t.Errorf("DayPrefixes[%d] = %s", i, got[i])
		}
	}
	for key, want := range map[string]bool{
		"AWSLogs/1/CloudTrail/us-east-1/2026/10/31/x.json.gz":     false,
		"AWSLogs/1/CloudTrail/us-east-1/2026/11/01/x.json.gz":     true,
		"AWSLogs/1/CloudTrail/us-east-1/2026/11/04/x.json.gz":     true,
		"AWSLogs/1/CloudTrail/us-east-1/2026/11/05/x.json.gz":     false,
		"111111111111_CloudTrail_us-east-1_20261102T0000Z_a.json": true,
		"111111111111_CloudTrail_us-east-1_20261201T0000Z_a.json": false,
		"elsewhere/events.json":                                   true,
	} {
		if got := InWindow(key, from, to); got != want {
			t.Errorf("InWindow(%s) = %v, want %v", key, got, want)
		}
	}
}
