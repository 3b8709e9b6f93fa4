package cloudtrail_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/cloudtrail"
)

// FuzzDecode checks that decoding never panics and that the scanner, when it
// reads an input at all, gives exactly what the general decoder gives: the
// same records, and none refused. Inputs the scanner leaves alone are read
// by the general decoder, so Decode's result is the general decoder's for
// every input. The seeds are the files in testdata; a file past maxSeed
// bytes is given record by record instead, as the fuzzing engine all but
// stops on inputs of megabytes.
func FuzzDecode(f *testing.F) {
	const maxSeed = 16 << 10
	for _, data := range corpus(f, "testdata") {
		if len(data) <= maxSeed {
			f.Add(data)
			continue
		}
		var file struct{ Records []json.RawMessage }
		if err := json.Unmarshal(data, &file); err != nil {
			// A large file of another shape (a scenario's event list,
			// EventBridge details) is the differential test's.
			continue
		}
		for _, r := range file.Records {
			if len(r) <= maxSeed {
				f.Add(wrap(r))
			}
		}
	}
	f.Add([]byte(`{"Records":[{"eventName":"a\u00e9\ud83d\ude00","userIdentity":{"sessionContext":{"sessionIssuer":{"arn":"x"}}},"responseElements":{"aRN":"y"},"resources":[{"ARN":"z"}],"requestParameters":{"secretIdList":["s",null]}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		sameAsGeneral(t, "input", data)
		if _, err := (cloudtrail.Decoder{}).Decode(bytes.NewReader(data)); err != nil {
			if !errors.As(err, new(*cloudtrail.BadInputError)) {
				t.Errorf("an error that is not a BadInputError: %v", err)
			}
		}
	})
}
