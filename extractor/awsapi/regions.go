package awsapi

import (
	"strings"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// SuggestRegion returns the known region closest to a mistyped name, or "".
func SuggestRegion(name string) string {
	name = strings.ToLower(strings.TrimSpace(name))
	if activity.IsRegion(name) {
		return name
	}
	best, bestD := "", 3
	for _, r := range activity.Regions() {
		if d := editDistance(name, r); d < bestD {
			best, bestD = r, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
