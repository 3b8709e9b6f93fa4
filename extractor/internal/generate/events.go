package generate

import (
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// record is one CloudTrail event as CloudTrail writes it.
type record struct {
	EventVersion        string         `json:"eventVersion"`
	UserIdentity        map[string]any `json:"userIdentity"`
	EventTime           string         `json:"eventTime"`
	EventSource         string         `json:"eventSource"`
	EventName           string         `json:"eventName"`
	AWSRegion           string         `json:"awsRegion"`
	SourceIPAddress     string         `json:"sourceIPAddress"`
	UserAgent           string         `json:"userAgent"`
	ErrorCode           string         `json:"errorCode,omitempty"`
	ErrorMessage        string         `json:"errorMessage,omitempty"`
	RequestParameters   map[string]any `json:"requestParameters"`
	ResponseElements    map[string]any `json:"responseElements"`
	AdditionalEventData map[string]any `json:"additionalEventData,omitempty"`
	RequestID           string         `json:"requestID"`
	EventID             string         `json:"eventID"`
	ReadOnly            bool           `json:"readOnly"`
	Resources           []resourceRef  `json:"resources,omitempty"`
	EventType           string         `json:"eventType"`
	ManagementEvent     bool           `json:"managementEvent"`
	RecipientAccountID  string         `json:"recipientAccountId"`
	SharedEventID       string         `json:"sharedEventID,omitempty"`
	EventCategory       string         `json:"eventCategory"`
	TLSDetails          map[string]any `json:"tlsDetails,omitempty"`
}

type resourceRef struct {
	AccountID string `json:"accountId,omitempty"`
	Type      string `json:"type"`
	ARN       string `json:"ARN"`
}

var userAgents = []string{
	"aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2023 prompt/off command/s3.cp",
	"aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/s3#1.58.2",
	"Boto3/1.34.144 md/Botocore#1.34.144 ua/2.0 os/linux#5.10.219 md/arch#x86_64 lang/python#3.12.4 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.144",
	"[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.750 Linux/5.10.219 OpenJDK_64-Bit_Server_VM/25.412-b09 java/1.8.0_412 vendor/Oracle_Corporation cfg/retry-mode/standard]",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
}

// eventGen makes the events of one account and region.
type eventGen struct {
	r       *rand.Rand
	w       *world
	a       *account
	region  string
	active  []*identity
	weights int
	// lastUse is the latest event signed with each IAM user's access key
	// ("key:" + id) and of each user's console sign-in ("console:" + ARN),
	// for the credential report.
	lastUse map[string]time.Time
}

func newEventGen(r *rand.Rand, w *world, a *account, region string) *eventGen {
	g := &eventGen{r: r, w: w, a: a, region: region, lastUse: map[string]time.Time{}}
	for _, id := range a.identities {
		if id.profile != dormant && !scripted(id.profile) {
			g.active = append(g.active, id)
			g.weights += id.weight
		}
	}
	return g
}

func (g *eventGen) pickIdentity() *identity {
	n := g.r.IntN(g.weights)
	for _, id := range g.active {
		if n < id.weight {
			return id
		}
		n -= id.weight
	}
	return g.active[len(g.active)-1]
}

func (g *eventGen) ip() string {
	return strconv.Itoa(10+g.r.IntN(200)) + "." + strconv.Itoa(g.r.IntN(256)) + "." + strconv.Itoa(g.r.IntN(256)) + "." + strconv.Itoa(1+g.r.IntN(254))
}

func (g *eventGen) userIdentity(id *identity, at time.Time) map[string]any {
	if id.kind == "IAMUser" {
		return map[string]any{"type": "IAMUser", "principalId": id.principalID, "arn": id.arn, "accountId": g.a.id,
			"accessKeyId": id.accessKey, "userName": id.name}
	}
	session := id.person
	if session == "" {
		session = id.sessionName + strconv.Itoa(g.r.IntN(40))
	}
	ctx := map[string]any{
		"sessionIssuer":       map[string]any{"type": "Role", "principalId": id.principalID, "arn": id.arn, "accountId": g.a.id, "userName": id.roleName()},
		"webIdFederationData": map[string]any{},
		"attributes":          map[string]any{"creationDate": isoTime(at.Add(-time.Duration(g.r.IntN(3600)) * time.Second)), "mfaAuthenticated": "false"},
	}
	if id.person != "" {
		ctx["sourceIdentity"] = id.person
	}
	return map[string]any{"type": "AssumedRole", "principalId": id.principalID + ":" + session,
		"arn":       activity.ARN{Partition: activity.DefaultPartition, Service: "sts", AccountID: g.a.id, Resource: "assumed-role/" + id.roleName() + "/" + session}.String(),
		"accountId": g.a.id, "accessKeyId": id.accessKey, "sessionContext": ctx}
}

func (g *eventGen) base(at time.Time, source, name string, readOnly bool) *record {
	return &record{
		EventVersion: "1.10", EventTime: isoTime(at), EventSource: source, EventName: name, AWSRegion: g.region,
		SourceIPAddress: g.ip(), UserAgent: userAgents[g.r.IntN(len(userAgents))],
		RequestID: randString(g.r, 16, "ABCDEF0123456789"), EventID: randUUID(g.r), ReadOnly: readOnly,
		EventType: "AwsApiCall", ManagementEvent: true, RecipientAccountID: g.a.id, EventCategory: "Management",
		TLSDetails: map[string]any{"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": source},
	}
}

func (g *eventGen) bucketsHere() []bucket {
	var out []bucket
	for _, b := range g.a.buckets {
		if b.region == g.region {
			out = append(out, b)
		}
	}
	return out
}

func (g *eventGen) keysHere() []key {
	var out []key
	for _, k := range g.a.keys {
		if k.region == g.region {
			out = append(out, k)
		}
	}
	return out
}

func (g *eventGen) secretsHere() []secret {
	var out []secret
	for _, s := range g.a.secrets {
		if s.region == g.region {
			out = append(out, s)
		}
	}
	return out
}

// s3Event is a data event on a bucket.
func (g *eventGen) s3Event(at time.Time, name string, b bucket, readOnly bool) *record {
	rec := g.base(at, "s3.amazonaws.com", name, readOnly)
	objKey := "reports/" + strconv.Itoa(2020+g.r.IntN(6)) + "/part-" + strconv.Itoa(g.r.IntN(100000)) + ".parquet"
	rec.RequestParameters = map[string]any{"bucketName": b.name, "Host": b.name + ".s3." + g.region + ".amazonaws.com", "key": objKey}
	rec.AdditionalEventData = map[string]any{"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256",
		"bytesTransferredIn": 0, "AuthenticationMethod": "AuthHeader", "x-amz-id-2": randString(g.r, 76, alnum), "bytesTransferredOut": g.r.IntN(1 << 20)}
	rec.Resources = []resourceRef{{Type: "AWS::S3::Object", ARN: g.a.bucketARN(b) + "/" + objKey}, {AccountID: g.a.id, Type: "AWS::S3::Bucket", ARN: g.a.bucketARN(b)}}
	rec.ManagementEvent, rec.EventCategory = false, "Data"
	switch name {
	case "ListObjects", "ListObjectsV2", "DeleteObjects":
		delete(rec.RequestParameters, "key")
		rec.RequestParameters["prefix"] = "reports/"
		rec.Resources = rec.Resources[1:]
	case "ListBuckets":
		rec.RequestParameters = map[string]any{"Host": "s3." + g.region + ".amazonaws.com"}
		rec.Resources, rec.AdditionalEventData = nil, nil
		rec.ManagementEvent, rec.EventCategory = true, "Management"
	case "CopyObject":
		rec.RequestParameters["x-amz-copy-source"] = b.name + "/staging/" + strconv.Itoa(g.r.IntN(1000)) + ".parquet"
	}
	return rec
}

func (g *eventGen) kmsEvent(at time.Time, name string, k key) *record {
	rec := g.base(at, "kms.amazonaws.com", name, name != "Encrypt")
	rec.RequestParameters = map[string]any{"encryptionAlgorithm": "SYMMETRIC_DEFAULT",
		"encryptionContext": map[string]any{"aws:s3:arn": g.a.bucketARN(g.a.buckets[0]) + "/reports/x"}}
	if name != "Decrypt" {
		rec.RequestParameters["keyId"] = k.id
	}
	rec.Resources = []resourceRef{{AccountID: g.a.id, Type: "AWS::KMS::Key", ARN: g.a.keyARN(k)}}
	return rec
}

func (g *eventGen) secretEvent(at time.Time, name string, s secret) *record {
	rec := g.base(at, "secretsmanager.amazonaws.com", name, true)
	// Callers name secrets every way Secrets Manager accepts.
	var id string
	switch g.r.IntN(3) {
	case 0:
		id = s.name
	case 1:
		id = activity.ResourceKindNamed(activity.KindSecret).ARN("", s.region, g.a.id, s.name)
	default:
		id = g.a.secretARN(s)
	}
	rec.RequestParameters = map[string]any{"secretId": id}
	return rec
}

// otherEvent is activity in services outside the three resource kinds.
func (g *eventGen) otherEvent(at time.Time, id *identity) *record {
	switch n := g.r.IntN(6); {
	case n == 0 && id.kind == "IAMUser":
		rec := g.base(at, "signin.amazonaws.com", "ConsoleLogin", false)
		rec.EventType = "AwsConsoleSignIn"
		rec.ResponseElements = map[string]any{"ConsoleLogin": "Success"}
		rec.AdditionalEventData = map[string]any{"LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No", "MFAUsed": "Yes"}
		return rec
	case n <= 1:
		return g.base(at, "sts.amazonaws.com", "GetCallerIdentity", true)
	case n == 2:
		rec := g.base(at, "ec2.amazonaws.com", "DescribeInstances", true)
		rec.RequestParameters = map[string]any{"instancesSet": map[string]any{}, "filterSet": map[string]any{}}
		return rec
	case n == 3:
		return g.base(at, "monitoring.amazonaws.com", "GetMetricData", true)
	case n == 4:
		return g.base(at, "lambda.amazonaws.com", "ListFunctions20150331", true)
	default:
		return g.base(at, "ec2.amazonaws.com", "DescribeRegions", true)
	}
}

// denied is an attempt at something the identity may not do.
func (g *eventGen) denied(at time.Time, id *identity) *record {
	var rec *record
	if bs := g.bucketsHere(); len(bs) > 0 && id.profile != writer {
		rec = g.s3Event(at, "PutObject", bs[g.r.IntN(len(bs))], false)
	} else if ks := g.keysHere(); len(ks) > 0 {
		rec = g.kmsEvent(at, "ScheduleKeyDeletion", ks[0])
	} else {
		rec = g.base(at, "iam.amazonaws.com", "CreateUser", false)
	}
	rec.ErrorCode = "AccessDenied"
	rec.ErrorMessage = "User: " + id.arn + " is not authorized to perform: " + rec.EventName + " because no identity-based policy allows the action"
	rec.ResponseElements = nil
	return rec
}

// event makes one event at time at.
func (g *eventGen) event(at time.Time) *record {
	switch n := g.r.IntN(1000); {
	case n < 15:
		// An AWS service using a key for a caller (SSE-KMS on S3).
		if ks := g.keysHere(); len(ks) > 0 {
			rec := g.kmsEvent(at, []string{"Decrypt", "GenerateDataKey"}[g.r.IntN(2)], ks[g.r.IntN(len(ks))])
			rec.UserIdentity = map[string]any{"type": "AWSService", "invokedBy": "s3.amazonaws.com"}
			rec.SourceIPAddress, rec.UserAgent = "s3.amazonaws.com", "s3.amazonaws.com"
			rec.SharedEventID = randUUID(g.r)
			return rec
		}
	case n < 20:
		if bs := g.bucketsHere(); len(bs) > 0 {
			rec := g.s3Event(at, "GetBucketAcl", bs[0], true)
			rec.UserIdentity = map[string]any{"type": "AWSService", "invokedBy": "cloudtrail.amazonaws.com"}
			rec.SourceIPAddress, rec.UserAgent = "cloudtrail.amazonaws.com", "cloudtrail.amazonaws.com"
			return rec
		}
	case n < 21:
		rec := g.base(at, "signin.amazonaws.com", "ConsoleLogin", false)
		rec.EventType = "AwsConsoleSignIn"
		rec.UserIdentity = map[string]any{"type": "Root", "principalId": g.a.id, "arn": activity.AccountRootARN("", g.a.id), "accountId": g.a.id}
		return rec
	}
	id := g.pickIdentity()
	var rec *record
	switch n := g.r.IntN(100); {
	case n < 3:
		rec = g.denied(at, id)
	case n < 25:
		rec = g.otherEvent(at, id)
	case id.person != "" && n < 27:
		// The person signs in through Okta before using the role.
		rec = g.base(at, "sts.amazonaws.com", "AssumeRoleWithSAML", true)
		rec.UserIdentity = map[string]any{"type": "SAMLUser", "principalId": "Okta:" + id.person, "userName": id.person,
			"identityProvider": activity.IAMARN("", g.a.id, "saml-provider/Okta")}
		rec.RequestParameters = map[string]any{"roleArn": id.arn, "principalArn": activity.IAMARN("", g.a.id, "saml-provider/Okta"),
			"roleSessionName": id.person, "sourceIdentity": id.person, "durationSeconds": 3600}
		rec.ResponseElements = map[string]any{"subject": id.person, "sourceIdentity": id.person,
			"assumedRoleUser": map[string]any{"arn": activity.ARN{Partition: activity.DefaultPartition, Service: "sts", AccountID: g.a.id, Resource: "assumed-role/" + id.roleName() + "/" + id.person}.String()}}
		return rec
	default:
		rec = g.use(at, id)
	}
	if rec.UserIdentity == nil {
		rec.UserIdentity = g.userIdentity(id, at)
	}
	if id.kind == "IAMUser" {
		if rec.EventName == "ConsoleLogin" {
			// A console sign-in is made with the password, not a key.
			delete(rec.UserIdentity, "accessKeyId")
			g.lastUse["console:"+id.arn] = at
		} else {
			g.lastUse["key:"+id.accessKey] = at
		}
	}
	return rec
}

// use is the identity using its access the way its profile does.
func (g *eventGen) use(at time.Time, id *identity) *record {
	bs, ks, ss := g.bucketsHere(), g.keysHere(), g.secretsHere()
	switch id.profile {
	case ownerReader:
		if g.a.buckets[0].region == g.region {
			return g.s3Event(at, []string{"GetObject", "GetObject", "GetObject", "ListObjects", "HeadObject"}[g.r.IntN(5)], g.a.buckets[0], true)
		}
	case reader:
		// Reads the first bucket of the region only: the others it may
		// read stay unused.
		if len(bs) > 0 {
			return g.s3Event(at, []string{"GetObject", "GetObject", "ListObjectsV2", "HeadObject"}[g.r.IntN(4)], bs[0], true)
		}
	case writer:
		if len(bs) > 0 {
			name := []string{"GetObject", "PutObject", "PutObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload", "DeleteObjects", "CopyObject", "ListObjects"}[g.r.IntN(9)]
			return g.s3Event(at, name, bs[g.r.IntN(len(bs))], name == "GetObject" || name == "ListObjects")
		}
	case crypto:
		if len(ks) > 0 {
			return g.kmsEvent(at, []string{"Decrypt", "Decrypt", "GenerateDataKey", "Encrypt", "DescribeKey"}[g.r.IntN(5)], ks[0])
		}
	case secrets:
		if len(ss) > 0 {
			return g.secretEvent(at, []string{"GetSecretValue", "GetSecretValue", "DescribeSecret"}[g.r.IntN(3)], ss[0])
		}
	case admin:
		if g.r.IntN(2) == 0 && len(bs) > 0 {
			return g.s3Event(at, []string{"ListBuckets", "GetBucketPolicy", "GetBucketEncryption"}[g.r.IntN(3)], bs[0], true)
		}
		rec := g.base(at, "iam.amazonaws.com", []string{"ListUsers", "ListRoles", "GetAccountAuthorizationDetails"}[g.r.IntN(3)], true)
		return rec
	}
	return g.otherEvent(at, id)
}
