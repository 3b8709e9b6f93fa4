package activity

import (
	"fmt"
	"sort"
	"strings"
)

// ARN is an Amazon Resource Name split into its parts.
type ARN struct {
	Partition, Service, Region, AccountID, Resource string
}

func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.AccountID + ":" + a.Resource
}

// ParseARN splits an ARN. It checks the shape only, not the service's own
// rules: the resource kinds know those.
func ParseARN(s string) (ARN, error) {
	// Cut field by field rather than split: no slice to allocate for each
	// of the millions of ARNs a run reads.
	var parts [6]string
	rest, ok := s, true
	for i := range 5 {
		if parts[i], rest, ok = strings.Cut(rest, ":"); !ok {
			break
		}
	}
	if !ok || parts[0] != "arn" {
		return ARN{}, fmt.Errorf("%q is not an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE)", s)
	}
	parts[5] = rest
	if parts[1] == "" || parts[2] == "" || parts[5] == "" {
		return ARN{}, fmt.Errorf("%q is not an ARN: partition, service and resource must not be empty", s)
	}
	return ARN{Partition: parts[1], Service: parts[2], Region: parts[3], AccountID: parts[4], Resource: parts[5]}, nil
}

// IsAccountID tells whether s is a 12-digit AWS account id.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// PartitionOfARN is the partition an ARN names, or DefaultPartition when s
// is not an ARN.
func PartitionOfARN(s string) string {
	if a, err := ParseARN(s); err == nil {
		return a.Partition
	}
	return DefaultPartition
}

// DefaultPartition is the partition of a name that says none: the commercial
// regions'.
const DefaultPartition = "aws"

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

// PartitionOf is the partition of a region, or DefaultPartition when the
// region is unknown or empty.
func PartitionOf(region string) string {
	if p := regionPartitions[region]; p != "" {
		return p
	}
	return DefaultPartition
}

// Regions lists every known region name in order.
func Regions() []string {
	out := make([]string, 0, len(regionPartitions))
	for r := range regionPartitions {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// IAMARN is the ARN of an IAM entity of an account: "user/NAME",
// "role/PATH/NAME", "root".
func IAMARN(partition, account, resource string) string {
	if partition == "" {
		partition = DefaultPartition
	}
	return ARN{Partition: partition, Service: "iam", AccountID: account, Resource: resource}.String()
}

// AccountRootARN is the ARN that names an account as a principal.
func AccountRootARN(partition, account string) string { return IAMARN(partition, account, "root") }

// AccountOfRootARN is the account an "arn:PARTITION:iam::ACCOUNT:root"
// names, or "".
func AccountOfRootARN(s string) string {
	a, err := ParseARN(s)
	if err != nil || a.Service != "iam" || a.Resource != "root" || a.Region != "" {
		return ""
	}
	return a.AccountID
}
