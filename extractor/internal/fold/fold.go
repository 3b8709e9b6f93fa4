// Package fold holds the rules that turn a mapped event into the facts the
// store keeps: whose activity it is, which role session and sign-in it
// shows, which uses it counts and for whom, and what it says of a KMS key.
// The local engine folds events one by one, the Athena engine groups of
// events that map alike; both apply these rules, so the two cannot drift.
package fold

import (
	"slices"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/cloudtrail"
)

// Group is one event, or events of one day that map to the same Event.
type Group struct {
	// First and Last are the events' earliest and latest times, in unix
	// seconds; equal for one event.
	First, Last int64
	// Seconds are the seconds of the day of the group's events; nil when
	// First and Last are all of them (one event).
	Seconds *activity.Seconds
	// Events is how many distinct events the group holds (1 for one event).
	Events int64
	// Records is how many records were read, duplicate deliveries
	// included (1 for one event).
	Records int64
	// FolderAccount and FolderRegion are the account and region of the
	// folder the events came from, used when an event names neither.
	FolderAccount, FolderRegion string
}

// Day is the day of the group, in days since the epoch.
func (g Group) Day() int64 { return activity.DayOfUnix(g.First) }

// widen stretches a fact's first and last times and its seconds of the day
// to cover the group.
func (g Group) widen(first, last *int64, s *activity.Seconds) {
	*first, *last = min(*first, g.First), max(*last, g.Last)
	g.AddSecondsTo(s)
}

// AddSecondsTo adds the seconds of the group's events to s.
func (g Group) AddSecondsTo(s *activity.Seconds) {
	if g.Seconds != nil {
		s.Union(g.Seconds)
		return
	}
	s.AddUnix(g.First)
	s.AddUnix(g.Last)
}

// Use is one action counted for a principal on a resource (-1: none of the
// three kinds), as indexes the Sink handed out.
type Use struct {
	Principal, Resource int
	Action              string
	ErrorCode           string
	// Session names the role session that made the call when no person is
	// named (Principal is then the role): the store keeps such uses per
	// session until a SAML sign-in names the person.
	Session string
}

// Sink receives the facts of one group. Principal and Resource return the
// sink's index for a principal or resource (Resource(nil) is -1).
type Sink interface {
	Principal(activity.Principal) int
	Resource(*activity.Resource) int
	Observe(account, region string, g Group)
	KeyUsed(resource int, crypto bool, g Group)
	Active(principal int, g Group)
	Session(role int, s *cloudtrail.Session, person int, g Group)
	SessionActive(role int, name string, g Group)
	SignIn(role int, name string, person int, g Group)
	Use(u Use, g Group)
	// ServiceUsed records a successful action of any service; session is
	// set for the calls of a role session kept for a later sign-in.
	ServiceUsed(principal int, session, action string, g Group)
	// CredentialUsed records a use of one of the principal's credentials:
	// an access key by its id, or activity.CredentialConsole.
	CredentialUsed(principal int, credential string, g Group)
}

// Event folds the group's facts into sink.
func Event(e *cloudtrail.Event, g Group, sink Sink) {
	account, region := e.AccountID, e.Region
	if account == "" {
		account = g.FolderAccount
	}
	if region == "" {
		region = g.FolderRegion
	}
	if account != "" {
		sink.Observe(account, region, g)
	}
	for _, u := range e.Uses {
		if u.Resource != nil && u.Resource.Kind == activity.KindKMSKey && e.ErrorCode == "" {
			sink.KeyUsed(sink.Resource(u.Resource), e.Cryptographic, g)
		}
	}
	if e.Actor.ARN == "" {
		return
	}
	actor := sink.Principal(e.Actor)
	sink.Active(actor, g)
	// A call signed with a long-term key uses the key, whatever its
	// outcome; a console sign-in uses the password only when it succeeds.
	if e.AccessKeyID != "" {
		sink.CredentialUsed(actor, e.AccessKeyID, g)
	}
	if e.ConsoleSignIn {
		sink.CredentialUsed(actor, activity.CredentialConsole, g)
	}
	if e.Actor.Kind == activity.KindAWSService {
		// A service acting on its own is not anyone's use of their access.
		return
	}
	person := -1
	if e.Person != nil {
		person = sink.Principal(*e.Person)
		sink.Active(person, g)
	}
	// Kept per session: the store credits it to the person whose
	// AssumeRoleWithSAML issued the session, in whatever object that event is.
	perSession := e.Session != nil && e.Person == nil && e.Actor.Kind == activity.KindIAMRole && !e.Session.ToolMade
	if e.Session != nil {
		role := actor
		if e.Actor.Kind != activity.KindIAMRole {
			// AssumeRoleWithSAML: the caller is the person; the session
			// belongs to the role assumed.
			person = actor
			role = sink.Principal(activity.Principal{ARN: e.Session.RoleARN, Kind: activity.KindIAMRole,
				AccountID: cloudtrail.AccountOf(e.Session.RoleARN), Name: cloudtrail.NameOf(e.Session.RoleARN)})
			if !e.Session.ToolMade {
				sink.SignIn(role, e.Session.Name, person, g)
			}
		}
		sink.Session(role, e.Session, person, g)
		if perSession {
			sink.SessionActive(actor, e.Session.Name, g)
		}
	}
	if e.ErrorCode == "" {
		for i, u := range e.Uses {
			if u.Resource != nil || slices.ContainsFunc(e.Uses[:i], func(v cloudtrail.Use) bool { return v.Action == u.Action }) {
				// Uses of the scored kinds are kept with their resource
				// (Use below), where the store reads them as service use too.
				continue
			}
			sink.ServiceUsed(actor, "", u.Action, g)
			if perSession {
				sink.ServiceUsed(actor, e.Session.Name, u.Action, g)
			}
			if e.Person != nil {
				sink.ServiceUsed(person, "", u.Action, g)
			}
		}
	}
	for _, u := range e.Uses {
		if u.Resource == nil && e.ErrorCode == "" {
			// Successful calls on none of the three kinds are activity
			// and service use only, recorded above.
			continue
		}
		r := sink.Resource(u.Resource)
		use := Use{Principal: actor, Resource: r, Action: u.Action, ErrorCode: e.ErrorCode}
		if perSession {
			use.Session = e.Session.Name
		}
		sink.Use(use, g)
		if e.Person != nil {
			sink.Use(Use{Principal: person, Resource: r, Action: u.Action, ErrorCode: e.ErrorCode}, g)
		}
	}
}

// Builder keeps the facts of groups other than their uses, each fact once
// per principal, session, key or account and day, widened as groups come.
// A Sink embeds it and adds Use.
type Builder struct {
	activity.Facts

	principals map[string]int
	resources  map[string]int
	activity   map[[2]int64]int // (principal, day)
	sessions   map[sessionKey]int
	sessionDay map[sessionDayKey]int
	signIns    map[activity.SignInFact]bool
	keys       map[[2]int64]int // (resource, day)
	observed   map[observedKey]int
	services   map[serviceUseKey]int
	creds      map[credentialKey]int
}

type credentialKey struct {
	principal  int
	credential string
	day        int64
}

type serviceUseKey struct {
	principal       int
	session, action string
	day             int64
}

type sessionKey struct {
	role                 int
	name, sourceIdentity string
}

type sessionDayKey struct {
	role int
	name string
	day  int64
}

type observedKey struct {
	account, region string
	day             int64
}

// entry is the fact of key k in facts, appending fresh when k is new.
func entry[K comparable, F any](index map[K]int, facts *[]F, k K, fresh F) *F {
	i, ok := index[k]
	if !ok {
		i = len(*facts)
		index[k] = i
		*facts = append(*facts, fresh)
	}
	return &(*facts)[i]
}

// NewBuilder is an empty Builder.
func NewBuilder() Builder {
	return Builder{
		principals: map[string]int{},
		resources:  map[string]int{},
		activity:   map[[2]int64]int{},
		sessions:   map[sessionKey]int{},
		sessionDay: map[sessionDayKey]int{},
		signIns:    map[activity.SignInFact]bool{},
		keys:       map[[2]int64]int{},
		observed:   map[observedKey]int{},
		services:   map[serviceUseKey]int{},
		creds:      map[credentialKey]int{},
	}
}

// Principal is p's index, adding it when new.
func (b *Builder) Principal(p activity.Principal) int {
	if i, ok := b.principals[p.ARN]; ok {
		return i
	}
	i := len(b.Principals)
	b.Principals = append(b.Principals, p)
	b.principals[p.ARN] = i
	return i
}

// Resource is r's index, adding it when new; -1 for nil.
func (b *Builder) Resource(r *activity.Resource) int {
	if r == nil {
		return -1
	}
	if i, ok := b.resources[r.ARN]; ok {
		return i
	}
	i := len(b.Resources)
	b.Resources = append(b.Resources, *r)
	b.resources[r.ARN] = i
	return i
}

// Active records that the principal acted during the group.
func (b *Builder) Active(p int, g Group) {
	k := [2]int64{int64(p), g.Day()}
	a := entry(b.activity, &b.Activity, k, activity.ActivityFact{Principal: p, Day: k[1], First: g.First, Last: g.Last})
	g.widen(&a.First, &a.Last, &a.Seconds)
}

// Session records a role session, and the person it is credited to (-1:
// none yet).
func (b *Builder) Session(role int, s *cloudtrail.Session, person int, g Group) {
	k := sessionKey{role: role, name: s.Name, sourceIdentity: s.SourceIdentity}
	if i, ok := b.sessions[k]; ok {
		x := &b.Sessions[i]
		x.First, x.Last = min(x.First, g.First), max(x.Last, g.Last)
		if x.Person < 0 {
			x.Person = person
		}
		return
	}
	b.sessions[k] = len(b.Sessions)
	b.Sessions = append(b.Sessions, activity.SessionFact{Role: role, Name: s.Name, SourceIdentity: s.SourceIdentity, Person: person, First: g.First, Last: g.Last})
}

// SessionActive records a day of a session kept for a later sign-in.
func (b *Builder) SessionActive(role int, name string, g Group) {
	k := sessionDayKey{role: role, name: name, day: g.Day()}
	d := entry(b.sessionDay, &b.SessionDays, k, activity.SessionDayFact{Role: role, Name: name, Day: k.day, First: g.First, Last: g.Last})
	g.widen(&d.First, &d.Last, &d.Seconds)
}

// SignIn records a SAML sign-in that issued a session of role to person.
func (b *Builder) SignIn(role int, name string, person int, g Group) {
	si := activity.SignInFact{Role: role, Name: name, Person: person, Day: g.Day()}
	if !b.signIns[si] {
		b.signIns[si] = true
		b.SignIns = append(b.SignIns, si)
	}
}

// KeyUsed records a successful use of a KMS key, cryptographic or not.
func (b *Builder) KeyUsed(r int, crypto bool, g Group) {
	k := [2]int64{int64(r), g.Day()}
	kf := entry(b.keys, &b.Keys, k, activity.KeyFact{Resource: r, Day: k[1]})
	kf.LastActivity = max(kf.LastActivity, g.Last)
	g.AddSecondsTo(&kf.ActivitySeconds)
	if crypto {
		kf.LastCrypto = max(kf.LastCrypto, g.Last)
		g.AddSecondsTo(&kf.CryptoSeconds)
	}
}

// Observe counts the group's records for its account, region and day.
func (b *Builder) Observe(account, region string, g Group) {
	k := observedKey{account, region, g.Day()}
	o := entry(b.observed, &b.Observed, k, activity.ObservedFact{AccountID: account, Region: region, Day: k.day})
	o.Events += g.Records
}

// ServiceUsed records a successful action of any service by the principal,
// or by one of its sessions kept for a later sign-in.
func (b *Builder) ServiceUsed(p int, session, action string, g Group) {
	k := serviceUseKey{principal: p, session: session, action: action, day: g.Day()}
	u := entry(b.services, &b.ServiceUses, k, activity.ServiceUseFact{Principal: p, Session: session, Action: action, Day: k.day, First: g.First, Last: g.Last})
	g.widen(&u.First, &u.Last, &u.Seconds)
}

// CredentialUsed records a use of one of the principal's credentials.
func (b *Builder) CredentialUsed(p int, credential string, g Group) {
	k := credentialKey{principal: p, credential: credential, day: g.Day()}
	u := entry(b.creds, &b.CredentialUses, k, activity.CredentialUseFact{Principal: p, Credential: credential, Day: k.day, First: g.First, Last: g.Last})
	g.widen(&u.First, &u.Last, &u.Seconds)
}
