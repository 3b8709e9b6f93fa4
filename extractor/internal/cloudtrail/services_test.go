package cloudtrail_test

import (
	"encoding/json"
	"sort"
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/cloudtrail"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/iam"
)

// Every event source of real CloudTrail maps to a service prefix of the
// Service Authorization Reference, or is listed as a source whose events no
// IAM action allows.
func TestEventSourcesHaveServicePrefixes(t *testing.T) {
	checkEventSources(t, eventSourcesOf(t, corpus(t, "testdata")))
}

func TestEventSourcesOfSharedDataHaveServicePrefixes(t *testing.T) {
	checkEventSources(t, eventSourcesOf(t, corpus(t, sharedCloudTrail(t))))
}

// The exceptions, and the sources without actions, are checked against the
// reference too, whether or not a test file holds one of their events.
func TestServiceExceptionsArePrefixes(t *testing.T) {
	sources := map[string]string{}
	for s := range cloudtrail.ServiceExceptions {
		sources[s] = "the exceptions"
	}
	for s := range cloudtrail.SourcesWithoutActions {
		sources[s] = "the sources without actions"
	}
	checkEventSources(t, sources)
}

func checkEventSources(t *testing.T, sources map[string]string) {
	t.Helper()
	prefixes := map[string]bool{}
	cat := iam.DefaultCatalog()
	for i := range cat.Len() {
		prefixes[cat.Action(iam.ActionID(i)).Service] = true
	}
	names := make([]string, 0, len(sources))
	for s := range sources {
		names = append(names, s)
	}
	sort.Strings(names)
	for _, s := range names {
		_, none := cloudtrail.SourcesWithoutActions[s]
		switch svc := cloudtrail.Service(s); {
		case none && prefixes[svc] && cloudtrail.Actions(s, "Any", false) != nil:
			t.Errorf("%s (in %s) is listed as without actions, yet gives some", s, sources[s])
		case !none && !prefixes[svc]:
			t.Errorf("event source %s (in %s) maps to %q, which is no service prefix of the reference; add it to serviceExceptions or sourcesWithoutActions", s, sources[s], svc)
		}
	}
	if len(names) == 0 {
		t.Fatal("no event source found")
	}
	t.Logf("%d event sources", len(names))
}

// eventSourcesOf finds the eventSource of every record of the files, and
// names a file each came from.
func eventSourcesOf(t *testing.T, files map[string][]byte) map[string]string {
	t.Helper()
	out := map[string]string{}
	for name, data := range files {
		var doc struct {
			Records []struct {
				EventSource string `json:"eventSource"`
			} `json:"Records"`
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			continue // a bad file of the corpus; the decoder's tests cover it
		}
		for _, r := range doc.Records {
			if r.EventSource != "" {
				out[r.EventSource] = name
			}
		}
	}
	return out
}
