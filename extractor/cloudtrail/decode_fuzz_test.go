package cloudtrail_test

import (
	"bytes"
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/cloudtrail"
)

// FuzzDecode checks that decoding never panics and that the scanner, when it
// reads an input at all, gives exactly what the general decoder gives: the
// same records, and none refused. Inputs the scanner leaves alone are read
// by the general decoder, so Decode's result is the general decoder's for
// every input.
func FuzzDecode(f *testing.F) {
	for _, data := range corpus(f, "testdata") {
		f.Add(data)
	}
	f.Add([]byte(`{"Records":[{"eventName":"a\u00e9\ud83d\ude00","userIdentity":{"sessionContext":{"sessionIssuer":{"arn":"x"}}},"responseElements":{"aRN":"y"},"resources":[{"ARN":"z"}],"requestParameters":{"secretIdList":["s",null]}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		sameAsGeneral(t, "input", data)
		if _, err := (cloudtrail.Decoder{}).Decode(bytes.NewReader(data)); err != nil {
			if _, ok := err.(*cloudtrail.BadInputError); !ok {
				t.Errorf("an error that is not a BadInputError: %v", err)
			}
		}
	})
}
