package awsapi

import (
	"sort"
	"strings"
)

// regionPartitions maps every AWS region name the project knows to the ARN
// partition it belongs to. The list follows the partition data published
// with the AWS SDKs; a region launched later is added here.
var regionPartitions = map[string]string{
	"af-south-1": "aws", "ap-east-1": "aws", "ap-east-2": "aws",
	"ap-northeast-1": "aws", "ap-northeast-2": "aws", "ap-northeast-3": "aws",
	"ap-south-1": "aws", "ap-south-2": "aws",
	"ap-southeast-1": "aws", "ap-southeast-2": "aws", "ap-southeast-3": "aws", "ap-southeast-4": "aws",
	"ap-southeast-5": "aws", "ap-southeast-6": "aws", "ap-southeast-7": "aws",
	"ca-central-1": "aws", "ca-west-1": "aws",
	"eu-central-1": "aws", "eu-central-2": "aws", "eu-north-1": "aws",
	"eu-south-1": "aws", "eu-south-2": "aws",
	"eu-west-1": "aws", "eu-west-2": "aws", "eu-west-3": "aws",
	"il-central-1": "aws", "me-central-1": "aws", "me-south-1": "aws", "me-west-1": "aws",
	"mx-central-1": "aws", "sa-east-1": "aws", "sa-west-1": "aws",
	"us-east-1": "aws", "us-east-2": "aws", "us-west-1": "aws", "us-west-2": "aws",
	"cn-north-1": "aws-cn", "cn-northwest-1": "aws-cn",
	"us-gov-east-1": "aws-us-gov", "us-gov-west-1": "aws-us-gov",
	"eusc-de-east-1": "aws-eusc",
	"us-iso-east-1":  "aws-iso", "us-iso-west-1": "aws-iso",
	"us-isob-east-1": "aws-iso-b", "us-isob-west-1": "aws-iso-b",
	"eu-isoe-west-1": "aws-iso-e",
	"us-isof-east-1": "aws-iso-f", "us-isof-south-1": "aws-iso-f",
}

// IsRegion tells whether name is an AWS region.
func IsRegion(name string) bool {
	_, ok := regionPartitions[name]
	return ok
}

// RegionPartition is the ARN partition of a region ("aws", "aws-cn", ...),
// or "" for a name that is not a region.
func RegionPartition(region string) string { return regionPartitions[region] }

// Regions lists every known region name in order.
func Regions() []string {
	out := make([]string, 0, len(regionPartitions))
	for r := range regionPartitions {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// SuggestRegion returns the known region closest to a mistyped name, or "".
func SuggestRegion(name string) string {
	name = strings.ToLower(strings.TrimSpace(name))
	if IsRegion(name) {
		return name
	}
	best, bestD := "", 3
	for _, r := range Regions() {
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
