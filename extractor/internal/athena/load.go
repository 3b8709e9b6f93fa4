package athena

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/cloudtrail"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/fold"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

// Columns are the names of the query's result columns, in order.
func Columns() []string {
	var out []string
	for _, c := range groupColumns {
		out = append(out, c.name)
	}
	return append(out, colFirst, colLast, colSeconds, colEvents, colRecords)
}

// Loader folds result rows into the facts the store keeps by the local
// engine's rules (package fold): the same principals, resources, actions,
// days and times, with counts of distinct events instead of an event ledger.
type Loader struct {
	fold.Builder
	index map[string]int // result column → position in a row

	uses        []activity.UsageCount
	useIndex    map[useKey]int
	sessionUses []activity.SessionUseFact
	sessionUse  map[sessionUseKey]int

	Rows    int64 // rows folded
	Events  int64 // distinct events in them
	Skipped int64 // rows whose events cannot be mapped (no eventSource, a bad eventTime)
}

var _ fold.Sink = (*Loader)(nil)

type useKey struct {
	principal, resource int
	action, errorCode   string
	day                 int64
}

type sessionUseKey struct {
	role, resource int
	session        string
	action         string
	day            int64
}

// NewLoader reads rows whose columns are named by header (the first row of
// Athena's results); every column of Columns must be there.
func NewLoader(header []string) (*Loader, error) {
	l := &Loader{
		Builder:    fold.NewBuilder(),
		index:      map[string]int{},
		useIndex:   map[useKey]int{},
		sessionUse: map[sessionUseKey]int{},
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
func (l *Loader) Facts() *store.AggregatedFacts {
	return &store.AggregatedFacts{Facts: l.Builder.Facts, Uses: l.uses, SessionUses: l.sessionUses}
}

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
			AccessKeyID: g("identity_accesskeyid"),
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
		QueueURL: g("request_queueurl"), TopicARN: g("request_topicarn"), FunctionName: g("request_functionname"), TableName: g("request_tablename"),
	}
	r.ResponseElements = &cloudtrail.ResponseElements{ARN: g("response_arn"), Subject: g("response_subject"), SourceIdentity: g("response_sourceidentity"),
		ConsoleLogin: g("response_consolelogin")}
	if a := g("response_session"); a != "" {
		r.ResponseElements.AssumedRoleUser = &cloudtrail.AssumedRoleUser{ARN: a}
	}
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
	seconds, err := parseSeconds(l.get(row, colSeconds))
	if err != nil {
		return fmt.Errorf("column %s: %w", colSeconds, err)
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
	fold.Event(&e, fold.Group{First: first.Unix(), Last: last.Unix(), Seconds: &seconds, Events: events, Records: records,
		FolderAccount: l.get(row, "partition_account"), FolderRegion: l.get(row, "partition_region")}, l)
	return nil
}

// parseSeconds reads the times of day of a group's events, HH:MM:SS
// separated by spaces.
func parseSeconds(s string) (activity.Seconds, error) {
	var out activity.Seconds
	for _, hms := range strings.Fields(s) {
		t, err := time.Parse(time.TimeOnly, hms)
		if err != nil {
			return out, fmt.Errorf("%q is not a time of day (HH:MM:SS) of an eventTime", hms)
		}
		out.Add(t.Hour()*3600 + t.Minute()*60 + t.Second())
	}
	if out.Len() == 0 {
		return out, errors.New("no time of day: the query must list the times of each group's events")
	}
	return out, nil
}

// Use counts the group's distinct events for the use, and keeps a session's
// successful uses apart as the local engine's writer does.
func (l *Loader) Use(u fold.Use, g fold.Group) {
	k := useKey{principal: u.Principal, resource: u.Resource, action: u.Action, errorCode: u.ErrorCode, day: g.Day()}
	if i, ok := l.useIndex[k]; ok {
		x := &l.uses[i]
		x.First, x.Last, x.Count = min(x.First, g.First), max(x.Last, g.Last), x.Count+g.Events
		g.AddSecondsTo(&x.Seconds)
	} else {
		l.useIndex[k] = len(l.uses)
		l.uses = append(l.uses, activity.UsageCount{Principal: u.Principal, Resource: u.Resource, Action: u.Action, ErrorCode: u.ErrorCode,
			Day: k.day, First: g.First, Last: g.Last, Count: g.Events})
		g.AddSecondsTo(&l.uses[len(l.uses)-1].Seconds)
	}
	if u.Session == "" || u.ErrorCode != "" || u.Resource < 0 {
		return
	}
	sk := sessionUseKey{role: u.Principal, resource: u.Resource, session: u.Session, action: u.Action, day: g.Day()}
	if i, ok := l.sessionUse[sk]; ok {
		x := &l.sessionUses[i]
		x.First, x.Last = min(x.First, g.First), max(x.Last, g.Last)
		g.AddSecondsTo(&x.Seconds)
		return
	}
	l.sessionUse[sk] = len(l.sessionUses)
	l.sessionUses = append(l.sessionUses, activity.SessionUseFact{Role: u.Principal, Session: u.Session, Resource: u.Resource, Action: u.Action,
		Day: sk.day, First: g.First, Last: g.Last})
	g.AddSecondsTo(&l.sessionUses[len(l.sessionUses)-1].Seconds)
}
