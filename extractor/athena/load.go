package athena

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/cloudtrail"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

// Columns are the names of the query's result columns, in order.
func Columns() []string {
	var out []string
	for _, c := range groupColumns {
		out = append(out, c.name)
	}
	return append(out, colFirst, colLast, colEvents, colRecords)
}

// Loader folds result rows into the facts the store keeps, as the local
// engine folds events: the same principals, resources, actions, days and
// times, with counts of distinct events instead of an event ledger.
type Loader struct {
	index map[string]int // result column → position in a row

	f          store.AggregatedFacts
	principals map[string]int
	resources  map[string]int
	uses       map[useKey]int
	activity   map[[2]int64]int
	sessions   map[sessionKey]int
	keys       map[[2]int64]int
	observed   map[observedKey]int

	Rows    int64 // rows folded
	Events  int64 // distinct events in them
	Skipped int64 // rows whose events cannot be mapped (no eventSource, a bad eventTime)
}

type useKey struct {
	principal, resource int
	action, errorCode   string
	day                 int64
}

type sessionKey struct {
	role                 int
	name, sourceIdentity string
}

type observedKey struct {
	account, region string
	day             int64
}

// NewLoader reads rows whose columns are named by header (the first row of
// Athena's results); every column of Columns must be there.
func NewLoader(header []string) (*Loader, error) {
	l := &Loader{
		index:      map[string]int{},
		principals: map[string]int{},
		resources:  map[string]int{},
		uses:       map[useKey]int{},
		activity:   map[[2]int64]int{},
		sessions:   map[sessionKey]int{},
		keys:       map[[2]int64]int{},
		observed:   map[observedKey]int{},
	}
	for i, h := range header {
		l.index[strings.ToLower(h)] = i
	}
	for _, c := range Columns() {
		if _, ok := l.index[c]; !ok {
			return nil, fmt.Errorf("query results have no column %q (columns: %s)", c, strings.Join(header, ", "))
		}
	}
	return l, nil
}

// Facts are the facts folded so far.
func (l *Loader) Facts() *store.AggregatedFacts { return &l.f }

func (l *Loader) get(row []string, col string) string {
	if i := l.index[col]; i < len(row) {
		return row[i]
	}
	return ""
}

// record rebuilds the part of a CloudTrail record the grouping kept.
func (l *Loader) record(row []string) cloudtrail.Record {
	g := func(c string) string { return l.get(row, c) }
	r := cloudtrail.Record{
		EventSource:        g("eventsource"),
		EventName:          g("eventname"),
		AWSRegion:          g("awsregion"),
		ErrorCode:          g("errorcode"),
		RecipientAccountID: g("recipientaccountid"),
	}
	if g("identity_type") != "" || g("identity_arn") != "" || g("identity_invokedby") != "" || g("identity_username") != "" {
		r.UserIdentity = &cloudtrail.UserIdentity{
			Type: g("identity_type"), ARN: g("identity_arn"), AccountID: g("identity_accountid"),
			UserName: g("identity_username"), InvokedBy: g("identity_invokedby"), IdentityProvider: g("identity_provider"),
		}
		if g("issuer_arn") != "" || g("issuer_username") != "" || g("session_sourceidentity") != "" {
			r.UserIdentity.SessionContext = &cloudtrail.SessionContext{
				SessionIssuer:  cloudtrail.SessionIssuer{ARN: g("issuer_arn"), AccountID: g("issuer_accountid"), UserName: g("issuer_username")},
				SourceIdentity: g("session_sourceidentity"),
			}
		}
	}
	r.RequestParameters = &cloudtrail.RequestParameters{
		BucketName: g("request_bucketname"), CopySource: g("request_copysource"), VersionID: g("request_versioned"),
		KeyID: g("request_keyid"), DestinationKeyID: g("request_destinationkeyid"), SecretID: g("request_secretid"),
		Name: g("request_name"), RoleARN: g("request_rolearn"), PrincipalARN: g("request_principalarn"),
		RoleSessionName: g("request_rolesessionname"), SourceIdentity: g("request_sourceidentity"),
	}
	r.ResponseElements = &cloudtrail.ResponseElements{ARN: g("response_arn"), Subject: g("response_subject"), SourceIdentity: g("response_sourceidentity")}
	if a := g("response_keyarn"); a != "" {
		r.ResponseElements.KeyMetadata = &cloudtrail.KeyMetadata{ARN: a}
	}
	if res := g("resources"); res != "" {
		for _, one := range strings.Split(res, recordSep) {
			f := strings.Split(one, fieldSep)
			if len(f) == 3 {
				r.Resources = append(r.Resources, cloudtrail.ResourceRef{Type: f[0], ARN: f[1], AccountID: f[2]})
			}
		}
	}
	return r
}

// Add folds one result row in.
func (l *Loader) Add(row []string) error {
	first, err := time.Parse(time.RFC3339, l.get(row, colFirst))
	if err != nil {
		l.Skipped++
		return nil
	}
	last, err := time.Parse(time.RFC3339, l.get(row, colLast))
	if err != nil {
		l.Skipped++
		return nil
	}
	events, err := strconv.ParseInt(l.get(row, colEvents), 10, 64)
	if err != nil {
		return fmt.Errorf("column %s: %w", colEvents, err)
	}
	records, err := strconv.ParseInt(l.get(row, colRecords), 10, 64)
	if err != nil {
		return fmt.Errorf("column %s: %w", colRecords, err)
	}
	r := l.record(row)
	r.EventTime = l.get(row, colFirst)
	e, err := cloudtrail.MapRecord(&r)
	if err != nil {
		l.Skipped++
		return nil
	}
	l.Rows++
	l.Events += events
	l.fold(&e, first.Unix(), last.Unix(), events, records, l.get(row, "partition_account"), l.get(row, "partition_region"))
	return nil
}

// fold is the local engine's fold (extract's objectFacts.add) for a group
// of events that map alike: first and last stand for the events' times,
// events for their number.
func (l *Loader) fold(e *cloudtrail.Event, first, last, events, records int64, folderAccount, folderRegion string) {
	day := first / 86400
	account, region := e.AccountID, e.Region
	if account == "" {
		account = folderAccount
	}
	if region == "" {
		region = folderRegion
	}
	if account != "" {
		l.observe(account, region, day, records)
	}
	for _, u := range e.Uses {
		if u.Resource != nil && u.Resource.Kind == store.KindKMSKey && e.ErrorCode == "" {
			l.keyUsed(l.resource(u.Resource), day, last, e.Cryptographic)
		}
	}
	if e.Actor.ARN == "" {
		return
	}
	actor := l.principal(e.Actor)
	l.active(actor, day, first, last)
	if e.Actor.Kind == store.KindAWSService {
		return
	}
	person := -1
	if e.Person != nil {
		person = l.principal(*e.Person)
		l.active(person, day, first, last)
	}
	if e.Session != nil {
		role := actor
		if e.Actor.Kind != store.KindIAMRole {
			person = actor
			role = l.principal(store.Principal{ARN: e.Session.RoleARN, Kind: store.KindIAMRole, AccountID: cloudtrail.AccountOf(e.Session.RoleARN), Name: cloudtrail.NameOf(e.Session.RoleARN)})
		}
		l.session(role, e.Session, person, first, last)
	}
	for _, u := range e.Uses {
		if u.Resource == nil && e.ErrorCode == "" {
			continue
		}
		r := l.resource(u.Resource)
		l.use(useKey{principal: actor, resource: r, action: u.Action, errorCode: e.ErrorCode, day: day}, first, last, events)
		if e.Person != nil {
			l.use(useKey{principal: person, resource: r, action: u.Action, errorCode: e.ErrorCode, day: day}, first, last, events)
		}
	}
}

func (l *Loader) principal(p store.Principal) int {
	if i, ok := l.principals[p.ARN]; ok {
		return i
	}
	i := len(l.f.Principals)
	l.f.Principals = append(l.f.Principals, p)
	l.principals[p.ARN] = i
	return i
}

func (l *Loader) resource(r *store.Resource) int {
	if r == nil {
		return -1
	}
	if i, ok := l.resources[r.ARN]; ok {
		return i
	}
	i := len(l.f.Resources)
	l.f.Resources = append(l.f.Resources, *r)
	l.resources[r.ARN] = i
	return i
}

func (l *Loader) use(k useKey, first, last, n int64) {
	if i, ok := l.uses[k]; ok {
		u := &l.f.Uses[i]
		u.First, u.Last, u.Count = min(u.First, first), max(u.Last, last), u.Count+n
		return
	}
	l.uses[k] = len(l.f.Uses)
	l.f.Uses = append(l.f.Uses, store.UsageCount{Principal: k.principal, Resource: k.resource, Action: k.action, ErrorCode: k.errorCode, Day: k.day, First: first, Last: last, Count: n})
}

func (l *Loader) active(p int, day, first, last int64) {
	k := [2]int64{int64(p), day}
	if i, ok := l.activity[k]; ok {
		a := &l.f.Activity[i]
		a.First, a.Last = min(a.First, first), max(a.Last, last)
		return
	}
	l.activity[k] = len(l.f.Activity)
	l.f.Activity = append(l.f.Activity, store.ActivityFact{Principal: p, Day: day, First: first, Last: last})
}

func (l *Loader) session(role int, s *cloudtrail.Session, person int, first, last int64) {
	k := sessionKey{role: role, name: s.Name, sourceIdentity: s.SourceIdentity}
	if i, ok := l.sessions[k]; ok {
		x := &l.f.Sessions[i]
		x.First, x.Last = min(x.First, first), max(x.Last, last)
		if x.Person < 0 {
			x.Person = person
		}
		return
	}
	l.sessions[k] = len(l.f.Sessions)
	l.f.Sessions = append(l.f.Sessions, store.SessionFact{Role: role, Name: s.Name, SourceIdentity: s.SourceIdentity, Person: person, First: first, Last: last})
}

func (l *Loader) keyUsed(r int, day, at int64, crypto bool) {
	k := [2]int64{int64(r), day}
	i, ok := l.keys[k]
	if !ok {
		i = len(l.f.Keys)
		l.keys[k] = i
		l.f.Keys = append(l.f.Keys, store.KeyFact{Resource: r, Day: day})
	}
	kf := &l.f.Keys[i]
	kf.LastActivity = max(kf.LastActivity, at)
	if crypto {
		kf.LastCrypto = max(kf.LastCrypto, at)
	}
}

func (l *Loader) observe(account, region string, day, records int64) {
	k := observedKey{account, region, day}
	if i, ok := l.observed[k]; ok {
		l.f.Observed[i].Events += records
		return
	}
	l.observed[k] = len(l.f.Observed)
	l.f.Observed = append(l.f.Observed, store.ObservedFact{AccountID: account, Region: region, Day: day, Events: records})
}
