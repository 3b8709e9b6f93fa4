package cloudtrail

import (
	"crypto/sha256"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// Event is what one CloudTrail record says, in the store's terms.
type Event struct {
	Time time.Time
	// ID identifies the event across deliveries and trails: its eventID as
	// 16 bytes, or a hash of what identifies it when it has none.
	ID        [16]byte
	AccountID string // recipientAccountId
	Region    string
	Source    string // eventSource
	Name      string // eventName
	ErrorCode string

	// Actor is who acted; Actor.ARN is empty when the event does not say
	// (a call from another account shown by account id only).
	Actor activity.Principal
	// Person is the person a role session is attributed to, when its
	// sourceIdentity or session name names one.
	Person *activity.Principal
	// Session is set for calls made with a role session.
	Session *Session

	Uses []Use
	// Cryptographic is set for KMS operations that consumed key material.
	Cryptographic bool
	// AccessKeyID is the long-term access key (AKIA…) that signed the
	// call; empty for session keys (ASIA…) and calls signed otherwise.
	AccessKeyID string
	// ConsoleSignIn is set for a successful console sign-in (ConsoleLogin
	// whose responseElements.ConsoleLogin is "Success").
	ConsoleSignIn bool
}

// Session is an assumed-role session.
type Session struct {
	RoleARN        string
	Name           string
	SourceIdentity string
	// ToolMade is set when an SDK or tool made the name up: the session
	// cannot be credited to a person.
	ToolMade bool
}

// Use is one IAM action an event needed, on one resource of the three kinds
// the project scores, or on none (Resource nil).
type Use struct {
	Action   string
	Resource *activity.Resource
}

// ErrNoEventTime is reported for a record without a usable eventTime.
var ErrNoEventTime = errors.New("no eventTime")

// MapRecord turns one record into an Event. A record naming an identifier
// longer than AWS allows is refused with an error that names the field.
func MapRecord(r *Record) (Event, error) {
	if r.EventTime == "" {
		return Event{}, ErrNoEventTime
	}
	t, err := time.Parse(time.RFC3339, r.EventTime)
	if err != nil {
		return Event{}, errors.New("eventTime " + quoteShort(r.EventTime) + " is not RFC 3339")
	}
	if r.EventSource == "" || r.EventName == "" {
		return Event{}, errors.New("no eventSource or eventName")
	}
	if err := checkBounds(r); err != nil {
		return Event{}, err
	}
	e := Event{
		Time:      t.UTC(),
		AccountID: r.RecipientAccountID,
		Region:    r.AWSRegion,
		Source:    r.EventSource,
		Name:      r.EventName,
		// AWS documents no bound on error codes: a long one is cut, and
		// the attempt still counts.
		ErrorCode: activity.Cut(r.ErrorCode, activity.MaxErrorCode),
	}
	e.ID = eventID(r)
	mapActor(r, &e)
	mapUses(r, &e)
	if u := r.UserIdentity; u != nil && activity.IsAccessKeyID(u.AccessKeyID) {
		e.AccessKeyID = u.AccessKeyID
	}
	e.ConsoleSignIn = r.EventName == "ConsoleLogin" && e.ErrorCode == "" && r.ResponseElements != nil && r.ResponseElements.ConsoleLogin == "Success"
	return e, nil
}

func quoteShort(s string) string {
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return `"` + strings.ToValidUTF8(s, "?") + `"`
}

func eventID(r *Record) [16]byte {
	if id, ok := parseUUID(r.EventID); ok {
		return id
	}
	var id [16]byte
	h := sha256.New()
	for _, s := range []string{r.EventID, r.EventTime, r.EventSource, r.EventName, r.RecipientAccountID, r.AWSRegion} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	if u := r.UserIdentity; u != nil {
		h.Write([]byte(u.ARN + "\x00" + u.PrincipalID + "\x00" + u.InvokedBy))
	}
	if p := r.RequestParameters; p != nil {
		h.Write([]byte(p.BucketName + "\x00" + p.KeyID + "\x00" + p.SecretID))
	}
	copy(id[:], h.Sum(nil))
	return id
}

// hexDigits maps a byte to its value as a hex digit, or 0xff.
var hexDigits = func() (t [256]byte) {
	for i := range t {
		v, ok := hexValue(byte(i))
		if !ok {
			v = 0xff
		}
		t[i] = v
	}
	return t
}()

// parseUUID reads the 32 hex digits of a UUID, dashes anywhere.
func parseUUID(s string) ([16]byte, bool) {
	var id [16]byte
	// Every eventID CloudTrail writes is 8-4-4-4-12: read it a pair of
	// digits at a time, skipping the dashes where they are.
	if len(s) == 36 && s[8] == '-' && s[13] == '-' && s[18] == '-' && s[23] == '-' {
		n := 0
		for i := 0; i < 36; i += 2 {
			if i == 8 || i == 13 || i == 18 || i == 23 {
				i++
			}
			hi, lo := hexDigits[s[i]], hexDigits[s[i+1]]
			if hi > 15 || lo > 15 {
				return [16]byte{}, false
			}
			id[n] = hi<<4 | lo
			n++
		}
		return id, n == 16
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '-' {
			continue
		}
		v, ok := hexValue(c)
		if !ok || n == 32 {
			return id, false
		}
		id[n/2] |= v << (4 * (1 - n%2))
		n++
	}
	return id, n == 32
}

func hexValue(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func lastSegment(s string) string {
	return s[strings.LastIndexByte(s, '/')+1:]
}

// mapActor finds who acted, following the userIdentity types CloudTrail
// documents.
func mapActor(r *Record, e *Event) {
	u := r.UserIdentity
	if u == nil {
		return
	}
	switch u.Type {
	case "IAMUser":
		arn := arnOrEmpty(u.ARN)
		if arn == "" && u.UserName != "" && u.AccountID != "" {
			// Some console events (CheckMfa) omit the ARN; the user's path
			// is then unknown, and most users have none.
			arn = activity.IAMARN(activity.PartitionOf(r.AWSRegion), u.AccountID, "user/"+u.UserName)
		}
		if arn != "" {
			e.Actor = activity.Principal{ARN: arn, Kind: activity.KindIAMUser, AccountID: accountOr(u.AccountID, arn), Name: nameOr(u.UserName, arn)}
		}
	case "Root":
		acct := accountOr(u.AccountID, u.ARN)
		if acct != "" {
			e.Actor = activity.Principal{ARN: activity.AccountRootARN(activity.PartitionOf(r.AWSRegion), acct), Kind: activity.KindRoot, AccountID: acct, Name: "root"}
		}
	case "AssumedRole":
		mapSession(r, e)
	case "FederatedUser":
		if arnOrEmpty(u.ARN) != "" {
			e.Actor = activity.Principal{ARN: u.ARN, Kind: activity.KindFederatedUser, AccountID: accountOr(u.AccountID, u.ARN), Name: lastSegment(u.ARN)}
		}
	case "AWSService", "":
		// Service events (eventType AwsServiceEvent) may carry no type,
		// only the service.
		if u.Type == "" && u.InvokedBy == "" {
			return
		}
		svc := u.InvokedBy
		if svc == "" {
			svc = r.EventSource
		}
		e.Actor = activity.Principal{ARN: svc, Kind: activity.KindAWSService, Name: svc}
	case "SAMLUser":
		mapSAML(r, e)
	case "WebIdentityUser":
		if u.UserName != "" {
			e.Actor = activity.Principal{ARN: "web:" + u.IdentityProvider + ":" + u.UserName, Kind: activity.KindFederatedUser, AccountID: r.RecipientAccountID, Name: u.UserName}
		}
	}
}

// arnOrEmpty is s when it is an ARN: a record whose identity says
// something else ("0", a name) is not taken at its word.
func arnOrEmpty(s string) string {
	if _, err := activity.ParseARN(s); err != nil {
		return ""
	}
	return s
}

func accountOr(acct, arn string) string {
	if acct != "" {
		return acct
	}
	if a, err := activity.ParseARN(arn); err == nil {
		return a.AccountID
	}
	return ""
}

func nameOr(name, arn string) string {
	if name != "" {
		return name
	}
	return lastSegment(arn)
}

// mapSession attributes a role session to its role, and to a person when
// the session names one: IAM Identity Center names the sessions of its
// roles (AWSReservedSSO_*) after its user; other identity providers such as
// Okta usually after the person's e-mail address, in the session name or
// sourceIdentity. A session named otherwise is left to the store, which
// credits it to the person whose AssumeRoleWithSAML issued it.
func mapSession(r *Record, e *Event) {
	u := r.UserIdentity
	var issuer SessionIssuer
	var sourceIdentity string
	if u.SessionContext != nil {
		issuer, sourceIdentity = u.SessionContext.SessionIssuer, u.SessionContext.SourceIdentity
	}
	roleARN := arnOrEmpty(issuer.ARN)
	sessionName := ""
	// arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION
	if a, err := activity.ParseARN(u.ARN); err == nil && strings.HasPrefix(a.Resource, "assumed-role/") {
		parts := strings.SplitN(a.Resource, "/", 3)
		if len(parts) == 3 {
			sessionName = parts[2]
			if roleARN == "" {
				// Without the issuer the role's path is unknown; the ARN
				// without a path is the best the event allows.
				roleARN = activity.IAMARN(a.Partition, a.AccountID, "role/"+parts[1])
			}
		}
	}
	if roleARN == "" {
		return
	}
	roleName := nameOr(issuer.UserName, roleARN)
	e.Actor = activity.Principal{ARN: roleARN, Kind: activity.KindIAMRole, AccountID: accountOr(issuer.AccountID, roleARN), Name: roleName}
	e.Session = &Session{RoleARN: roleARN, Name: sessionName, SourceIdentity: sourceIdentity, ToolMade: ToolMadeSession(sessionName)}
	var person string
	switch {
	case strings.HasPrefix(roleName, "AWSReservedSSO_"):
		person = sourceIdentity
		if person == "" && !e.Session.ToolMade {
			person = sessionName
		}
		if person != "" {
			e.Person = &activity.Principal{ARN: "sso:" + person, Kind: activity.KindSSOUser, AccountID: e.Actor.AccountID, Name: person}
		}
		return
	case strings.Contains(sourceIdentity, "@"):
		person = sourceIdentity
	case strings.Contains(sessionName, "@") && !e.Session.ToolMade:
		person = sessionName
	}
	if person != "" {
		e.Person = &activity.Principal{ARN: "okta:" + person, Kind: activity.KindOktaIdentity, AccountID: e.Actor.AccountID, Name: person}
	}
}

// toolSessionPrefixes start the session names SDKs, CLIs and tools make up
// when their caller gives none.
var toolSessionPrefixes = []string{
	"botocore-session-", "aws-go-sdk-", "aws-sdk-java-", "aws-sdk-js-", "aws-sdk-rust-", "aws-sdk-dotnet-",
	"awscli-session-", "aws-cli-", "boto3-session-", "terraform-", "session-", "cdk-",
}

// ToolMadeSession tells whether a role session name was made up by a tool
// rather than chosen to name someone: the SDKs' default prefixes, an EC2
// instance id (instance profiles), an epoch time, hexadecimal or a UUID. Such sessions are credited to the role only.
func ToolMadeSession(name string) bool {
	if name == "" {
		return true
	}
	lower := strings.ToLower(name)
	if id, ok := strings.CutPrefix(lower, "i-"); ok && len(id) >= 8 && strings.Trim(id, "0123456789abcdef") == "" {
		return true
	}
	for _, p := range toolSessionPrefixes {
		if strings.HasPrefix(lower, p) {
			return true
		}
	}
	if _, ok := parseUUID(name); ok {
		return true
	}
	digits, hex := 0, 0
	for i := 0; i < len(lower); i++ {
		c := lower[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
			hex++
		case c >= 'a' && c <= 'f':
			hex++
		}
	}
	// Epoch times (10 digits and more) are tools'; shorter numbers may be
	// employee ids an identity provider chose.
	return digits == len(lower) && len(lower) >= 10 || hex == len(lower) && len(lower) >= 12 && digits > 0
}

// mapSAML handles AssumeRoleWithSAML, whose caller is the federated person:
// the SAML subject (or the sourceIdentity the assertion set), through the
// identity provider named by principalArn. The session it issues is named
// by responseElements.assumedRoleUser; the store credits the later calls
// of that session to the person.
func mapSAML(r *Record, e *Event) {
	u := r.UserIdentity
	person := u.UserName
	provider := u.IdentityProvider
	var roleARN, sessionName, sourceIdentity string
	if p := r.RequestParameters; p != nil {
		roleARN, sessionName, sourceIdentity = arnOrEmpty(p.RoleARN), p.RoleSessionName, p.SourceIdentity
		if p.PrincipalARN != "" {
			provider = lastSegment(p.PrincipalARN)
		}
	}
	if re := r.ResponseElements; re != nil {
		if re.Subject != "" && person == "" {
			person = re.Subject
		}
		if re.SourceIdentity != "" {
			sourceIdentity = re.SourceIdentity
		}
		if ru := re.AssumedRoleUser; ru != nil {
			if a, err := activity.ParseARN(ru.ARN); err == nil && strings.HasPrefix(a.Resource, "assumed-role/") {
				if parts := strings.SplitN(a.Resource, "/", 3); len(parts) == 3 {
					sessionName = parts[2]
					if roleARN == "" {
						roleARN = activity.IAMARN(a.Partition, a.AccountID, "role/"+parts[1])
					}
				}
			}
		}
	}
	if sourceIdentity != "" {
		person = sourceIdentity
	}
	if person == "" {
		return
	}
	switch {
	case strings.HasPrefix(provider, "AWSSSO_") || strings.HasPrefix(lastSegment(roleARN), "AWSReservedSSO_"):
		// IAM Identity Center signs its users in to member accounts
		// through its own SAML provider (AWSSSO_..._DO_NOT_DELETE).
		e.Actor = activity.Principal{ARN: "sso:" + person, Kind: activity.KindSSOUser, AccountID: r.RecipientAccountID, Name: person}
	case strings.Contains(strings.ToLower(provider), "okta") || strings.Contains(person, "@"):
		e.Actor = activity.Principal{ARN: "okta:" + person, Kind: activity.KindOktaIdentity, AccountID: r.RecipientAccountID, Name: person}
	default:
		e.Actor = activity.Principal{ARN: "saml:" + provider + ":" + person, Kind: activity.KindFederatedUser, AccountID: r.RecipientAccountID, Name: person}
	}
	if roleARN != "" && r.ErrorCode == "" {
		// A refused sign-in issued no session.
		e.Session = &Session{RoleARN: roleARN, Name: sessionName, SourceIdentity: sourceIdentity, ToolMade: ToolMadeSession(sessionName)}
	}
}

func mapUses(r *Record, e *Event) {
	versioned := r.RequestParameters != nil && r.RequestParameters.VersionID != ""
	actions := Actions(r.EventSource, r.EventName, versioned)
	var resources []*activity.Resource
	switch Service(r.EventSource) {
	case "s3":
		if b := bucketOf(r); b != nil {
			resources = append(resources, b)
		}
		if src := copySourceBucket(r); src != nil {
			e.Uses = append(e.Uses, Use{Action: "s3:GetObject", Resource: src})
		}
	case "kms":
		resources = keysOf(r)
		e.Cryptographic = IsCryptographic(r.EventName)
	case "secretsmanager":
		if s := secretOf(r); s != nil {
			resources = append(resources, s)
		}
	case "sqs", "sns", "lambda", "dynamodb":
		if res := namedResource(r); res != nil {
			resources = append(resources, res)
		}
	}
	for _, a := range actions {
		if len(resources) == 0 {
			e.Uses = append(e.Uses, Use{Action: a})
		}
		for _, res := range resources {
			e.Uses = append(e.Uses, Use{Action: a, Resource: res})
		}
	}
}

// resolve is the resource of kind that ref names in record r: an ARN, or a
// bare name or id of the event's partition, region and account. nil when
// ref names none (a KMS alias, an empty field).
func resolve(kind string, r *Record, ref, account string) *activity.Resource {
	if account == "" {
		account = r.RecipientAccountID
	}
	res, err := activity.ResourceKindNamed(kind).Resolve(ref, "", r.AWSRegion, account)
	if err != nil {
		return nil
	}
	return &res
}

// bucketOf is the bucket an S3 event acted on: requestParameters.bucketName,
// else the bucket or object in resources[].
func bucketOf(r *Record) *activity.Resource {
	var owner, fromResources string
	for _, res := range r.Resources {
		k, child := activity.ResourceKindOfTrailType(res.Type)
		if k == nil || k.Name != activity.KindS3Bucket {
			continue
		}
		b, err := activity.ParseResource(res.ARN)
		if err != nil || b.Kind != activity.KindS3Bucket {
			continue
		}
		if fromResources == "" || !child {
			fromResources = b.Name
		}
		if !child {
			owner = res.AccountID
		}
	}
	name := ""
	if r.RequestParameters != nil {
		name = r.RequestParameters.BucketName
	}
	if name == "" {
		name = fromResources
	}
	return resolve(activity.KindS3Bucket, r, name, owner)
}

// copySourceBucket is the bucket CopyObject and UploadPartCopy read from,
// named by x-amz-copy-source as [/]BUCKET/KEY, URL-encoded.
func copySourceBucket(r *Record) *activity.Resource {
	if r.RequestParameters == nil || r.RequestParameters.CopySource == "" {
		return nil
	}
	src := r.RequestParameters.CopySource
	if dec, err := url.PathUnescape(src); err == nil {
		src = dec
	}
	name, _, _ := strings.Cut(strings.TrimPrefix(src, "/"), "/")
	return resolve(activity.KindS3Bucket, r, name, "")
}

// namedResource is the queue, topic, function or table an event of its
// service acted on: the one resources[] names (data events carry it), else
// the one the request names (queueUrl, topicArn,
// functionName, tableName: a name, an ARN, a queue URL, or a function's
// partial ARN or qualified name). nil when the event names none (ListQueues).
func namedResource(r *Record) *activity.Resource {
	k := activity.ResourceKindOfService(Service(r.EventSource))
	for _, res := range r.Resources {
		if t, _ := activity.ResourceKindOfTrailType(res.Type); t != k {
			continue
		}
		if got := resolve(k.Name, r, res.ARN, res.AccountID); got != nil {
			return got
		}
	}
	p := r.RequestParameters
	if p == nil {
		return nil
	}
	var refs []string
	switch k.Name {
	case activity.KindQueue:
		refs = []string{p.QueueURL}
	case activity.KindTopic:
		refs = []string{p.TopicARN}
	case activity.KindFunction:
		refs = []string{p.FunctionName}
	case activity.KindTable:
		refs = []string{p.TableName}
	}
	for _, ref := range refs {
		if ref == "" {
			continue
		}
		if got := resolve(k.Name, r, ref, ""); got != nil {
			return got
		}
	}
	return nil
}

// keysOf is the KMS keys an event acted on: resources[] (where CloudTrail
// resolves aliases to key ARNs), else a key id or key ARN in the request,
// else the key CreateKey made. An alias alone cannot be resolved from the
// event and yields no key.
func keysOf(r *Record) []*activity.Resource {
	var out []*activity.Resource
	seen := map[string]bool{}
	add := func(ref string) {
		k := resolve(activity.KindKMSKey, r, ref, "")
		if k == nil || seen[k.ARN] {
			return
		}
		seen[k.ARN] = true
		out = append(out, k)
	}
	for _, res := range r.Resources {
		if k, _ := activity.ResourceKindOfTrailType(res.Type); k != nil && k.Name == activity.KindKMSKey {
			add(res.ARN)
		}
	}
	if len(out) > 0 {
		return out
	}
	if p := r.RequestParameters; p != nil {
		add(p.KeyID)
		add(p.DestinationKeyID)
	}
	if re := r.ResponseElements; len(out) == 0 && re != nil && re.KeyMetadata != nil {
		add(re.KeyMetadata.ARN)
	}
	return out
}

// secretOf is the secret an event acted on, from secretId (a name, a
// partial ARN or a full ARN), or the name and ARN CreateSecret reports.
func secretOf(r *Record) *activity.Resource {
	var id string
	if p := r.RequestParameters; p != nil {
		id = p.SecretID
		if id == "" {
			id = p.Name
		}
	}
	if re := r.ResponseElements; re != nil && strings.HasPrefix(re.ARN, "arn:") {
		if _, err := activity.ResourceKindNamed(activity.KindSecret).Resolve(re.ARN, "", "", ""); err == nil {
			id = re.ARN
		}
	}
	return SecretResource(id, r.RecipientAccountID, r.AWSRegion)
}

// SecretResource resolves a secretId: a full ARN, a partial ARN, or a name
// completed with the event's account and region. nil when it names none.
func SecretResource(id, account, region string) *activity.Resource {
	res, err := activity.ResourceKindNamed(activity.KindSecret).Resolve(id, "", region, account)
	if err != nil {
		return nil
	}
	return &res
}

// AccountOf is the account of an ARN, or "".
func AccountOf(arn string) string { return accountOr("", arn) }

// NameOf is the last path segment of an ARN's resource.
func NameOf(arn string) string { return lastSegment(arn) }
