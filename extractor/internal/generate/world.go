// Package generate writes a synthetic organization trail in CloudTrail's own
// layout, with digests and duplicate deliveries, and the matching
// `aws iam get-account-authorization-details` files, so the events and the
// entitlements describe one world. Output depends only on the options: the
// same --seed and --end give the same bytes.
package generate

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// Options size the world.
type Options struct {
	Out      string
	Accounts int // accounts in the organization trail
	Users    int // IAM users per account
	Days     int
	Events   int
	Seed     uint64
	End      time.Time // the last event's day
	// Workers writing objects at once; 0 means one per CPU. The output does
	// not depend on it.
	Workers int
}

// Regions where the generated accounts work.
var regions = []string{"us-east-1", "eu-west-1"}

// profile is what an identity may do and what it does.
type profile int

const (
	ownerReader profile = iota // s3:* on one bucket, reads only (the demo's over-provisioned user)
	reader                     // reads some of the buckets it may read
	writer                     // reads and writes data
	crypto                     // uses KMS keys
	secrets                    // reads secrets
	admin                      // everything; uses a little of it
	dormant                    // may read; does nothing
)

var profileNames = map[profile]string{
	ownerReader: "owner-reader", reader: "reader", writer: "writer", crypto: "crypto", secrets: "secrets", admin: "admin", dormant: "dormant",
}

type identity struct {
	kind        string // IAMUser, AssumedRole
	name        string
	arn         string
	principalID string
	accessKey   string
	profile     profile
	// Role sessions: the role's name and how sessions are named.
	sessionName string
	person      string // e-mail of the Okta user behind a SAML session
	weight      int
}

type bucket struct{ name, region string }

type key struct{ id, region string }

type secret struct{ name, suffix, region string }

type account struct {
	id         string
	alias      string
	inTrail    bool
	identities []*identity
	buckets    []bucket
	keys       []key
	secrets    []secret
	created    time.Time
}

type world struct {
	orgID    string
	accounts []*account
	start    time.Time // first instant events may have
	end      time.Time // just after the last
}

const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func randString(r *rand.Rand, n int, chars string) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = chars[r.IntN(len(chars))]
	}
	return string(b)
}

func randUUID(r *rand.Rand) string {
	const hex = "0123456789abcdef"
	b := []byte(randString(r, 32, hex))
	b[12] = '4'
	return fmt.Sprintf("%s-%s-%s-%s-%s", b[0:8], b[8:12], b[12:16], b[16:20], b[20:32])
}

func randID(r *rand.Rand, prefix string) string {
	return prefix + randString(r, 17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
}

var firstNames = []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "yvonne"}

// newWorld builds the organization: accounts in the trail and one account
// outside it (whose users are therefore not monitored).
func newWorld(o Options) *world {
	r := rand.New(rand.NewPCG(o.Seed, 0x5eed))
	end := time.Date(o.End.Year(), o.End.Month(), o.End.Day(), 0, 0, 0, 0, time.UTC).Add(24 * time.Hour)
	w := &world{orgID: "o-" + randString(r, 10, "abcdefghijklmnopqrstuvwxyz0123456789"), start: end.Add(-time.Duration(o.Days) * 24 * time.Hour), end: end}
	seen := map[string]bool{}
	for i := range o.Accounts + 1 {
		id := ""
		for id == "" || seen[id] {
			id = fmt.Sprintf("%012d", 100000000000+r.Int64N(899999999999))
		}
		seen[id] = true
		a := &account{id: id, inTrail: i < o.Accounts, created: w.start.Add(-400 * 24 * time.Hour)}
		switch {
		case i == 0:
			a.alias = "log-archive"
		case i == o.Accounts:
			a.alias = "contractors"
		default:
			a.alias = fmt.Sprintf("workload-%d", i)
		}
		for j := range 3 {
			a.buckets = append(a.buckets, bucket{name: fmt.Sprintf("%s-%s-data-%d", a.alias, id[8:], j), region: regions[j%len(regions)]})
			a.secrets = append(a.secrets, secret{name: fmt.Sprintf("%s/app-%d/db", a.alias, j), suffix: randString(r, 6, alnum), region: regions[j%len(regions)]})
		}
		for j := range 2 {
			a.keys = append(a.keys, key{id: randUUID(r), region: regions[j%len(regions)]})
		}
		for j := range o.Users {
			name := firstNames[j%len(firstNames)]
			if j >= len(firstNames) {
				name = fmt.Sprintf("%s%d", name, j/len(firstNames))
			}
			p := []profile{reader, writer, crypto, secrets, admin, reader, writer}[j%7]
			switch {
			case i == 0 && j == 0:
				p = ownerReader
			case i == 0 && j == 1, i == o.Accounts, j%11 == 10:
				p = dormant
			}
			a.identities = append(a.identities, &identity{
				kind: "IAMUser", name: name, arn: activity.IAMARN("", id, "user/"+name),
				principalID: randID(r, "AIDA"), accessKey: randID(r, "AKIA"), profile: p, weight: 1 + r.IntN(5),
			})
		}
		a.identities = append(a.identities,
			&identity{kind: "AssumedRole", name: "app-deployer", arn: activity.IAMARN("", id, "role/app-deployer"),
				principalID: randID(r, "AROA"), accessKey: randID(r, "ASIA"), profile: writer, sessionName: "ci-", weight: 4},
			&identity{kind: "AssumedRole", name: "OktaDataAnalysts", arn: activity.IAMARN("", id, "role/federated/OktaDataAnalysts"),
				principalID: randID(r, "AROA"), accessKey: randID(r, "ASIA"), profile: reader,
				person: firstNames[(i+3)%len(firstNames)] + "@example.com", weight: 3},
			// A role nobody assumes any more: an unused role.
			&identity{kind: "AssumedRole", name: "legacy-batch", arn: activity.IAMARN("", id, "role/legacy-batch"),
				principalID: randID(r, "AROA"), accessKey: randID(r, "ASIA"), profile: dormant})
		if i == 0 {
			a.addKindWorkers()
		}
		w.accounts = append(w.accounts, a)
	}
	return w
}

func (a *account) bucketARN(b bucket) string {
	return activity.ResourceKindNamed(activity.KindS3Bucket).ARN("", "", "", b.name)
}

func (a *account) keyARN(k key) string {
	return activity.ResourceKindNamed(activity.KindKMSKey).ARN("", k.region, a.id, k.id)
}

func (a *account) secretARN(s secret) string {
	return activity.ResourceKindNamed(activity.KindSecret).ARN("", s.region, a.id, s.name+"-"+s.suffix)
}

func (id *identity) roleName() string { return id.arn[strings.LastIndexByte(id.arn, '/')+1:] }
