package extract

import (
	"github.com/activity-monitoring/terraform-provider-activity/extractor/cloudtrail"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

// objectFacts folds one decoded object into the facts the store keeps.
// Maxima and minima are folded here; uses are kept per event so that the
// writer can drop events already counted from another delivery.
type objectFacts struct {
	f          store.ObjectFacts
	principals map[string]int
	resources  map[string]int
	activity   map[[2]int64]int // (principal, day) → index in f.Activity
	sessions   map[sessionKey]int
	sessionDay map[sessionDayKey]int
	signIns    map[store.SignInFact]bool
	keys       map[[2]int64]int // (resource, day) → index in f.Keys
	observed   map[observedKey]int
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

func newObjectFacts(o cloudtrail.Object) *objectFacts {
	return &objectFacts{
		f:          store.ObjectFacts{Location: o.Location, ETag: o.ETag, Size: o.Size, Modified: o.Modified},
		principals: map[string]int{},
		resources:  map[string]int{},
		activity:   map[[2]int64]int{},
		sessions:   map[sessionKey]int{},
		sessionDay: map[sessionDayKey]int{},
		signIns:    map[store.SignInFact]bool{},
		keys:       map[[2]int64]int{},
		observed:   map[observedKey]int{},
	}
}

func (of *objectFacts) principal(p store.Principal) int {
	if i, ok := of.principals[p.ARN]; ok {
		return i
	}
	i := len(of.f.Principals)
	of.f.Principals = append(of.f.Principals, p)
	of.principals[p.ARN] = i
	return i
}

func (of *objectFacts) resource(r *store.Resource) int {
	if r == nil {
		return -1
	}
	if i, ok := of.resources[r.ARN]; ok {
		return i
	}
	i := len(of.f.Resources)
	of.f.Resources = append(of.f.Resources, *r)
	of.resources[r.ARN] = i
	return i
}

func (of *objectFacts) active(p int, at int64) {
	k := [2]int64{int64(p), at / 86400}
	if i, ok := of.activity[k]; ok {
		a := &of.f.Activity[i]
		a.First, a.Last = min(a.First, at), max(a.Last, at)
		return
	}
	of.activity[k] = len(of.f.Activity)
	of.f.Activity = append(of.f.Activity, store.ActivityFact{Principal: p, Day: k[1], First: at, Last: at})
}

func (of *objectFacts) session(role int, s *cloudtrail.Session, person int, at int64) {
	k := sessionKey{role: role, name: s.Name, sourceIdentity: s.SourceIdentity}
	if i, ok := of.sessions[k]; ok {
		x := &of.f.Sessions[i]
		x.First, x.Last = min(x.First, at), max(x.Last, at)
		return
	}
	of.sessions[k] = len(of.f.Sessions)
	of.f.Sessions = append(of.f.Sessions, store.SessionFact{Role: role, Name: s.Name, SourceIdentity: s.SourceIdentity, Person: person, First: at, Last: at})
}

func (of *objectFacts) sessionActive(role int, name string, at int64) {
	k := sessionDayKey{role: role, name: name, day: at / 86400}
	if i, ok := of.sessionDay[k]; ok {
		d := &of.f.SessionDays[i]
		d.First, d.Last = min(d.First, at), max(d.Last, at)
		return
	}
	of.sessionDay[k] = len(of.f.SessionDays)
	of.f.SessionDays = append(of.f.SessionDays, store.SessionDayFact{Role: role, Name: name, Day: k.day, First: at, Last: at})
}

func (of *objectFacts) signIn(role int, name string, person int, at int64) {
	si := store.SignInFact{Role: role, Name: name, Person: person, Day: at / 86400}
	if !of.signIns[si] {
		of.signIns[si] = true
		of.f.SignIns = append(of.f.SignIns, si)
	}
}

func (of *objectFacts) keyUsed(r int, at int64, crypto bool) {
	k := [2]int64{int64(r), at / 86400}
	i, ok := of.keys[k]
	if !ok {
		i = len(of.f.Keys)
		of.keys[k] = i
		of.f.Keys = append(of.f.Keys, store.KeyFact{Resource: r, Day: k[1]})
	}
	kf := &of.f.Keys[i]
	kf.LastActivity = max(kf.LastActivity, at)
	if crypto {
		kf.LastCrypto = max(kf.LastCrypto, at)
	}
}

func (of *objectFacts) observe(account, region string, day int64) {
	k := observedKey{account, region, day}
	if i, ok := of.observed[k]; ok {
		of.f.Observed[i].Events++
		return
	}
	of.observed[k] = len(of.f.Observed)
	of.f.Observed = append(of.f.Observed, store.ObservedFact{AccountID: account, Region: region, Day: day, Events: 1})
}

// add folds one event in.
func (of *objectFacts) add(e *cloudtrail.Event, name cloudtrail.ObjectName) {
	at := e.Time.Unix()
	of.f.Events++
	account, region := e.AccountID, e.Region
	if account == "" {
		account = name.AccountID
	}
	if region == "" {
		region = name.Region
	}
	if account != "" {
		of.observe(account, region, at/86400)
	}

	for _, u := range e.Uses {
		if u.Resource != nil && u.Resource.Kind == store.KindKMSKey && e.ErrorCode == "" {
			of.keyUsed(of.resource(u.Resource), at, e.Cryptographic)
		}
	}
	if e.Actor.ARN == "" {
		return
	}
	actor := of.principal(e.Actor)
	of.active(actor, at)
	if e.Actor.Kind == store.KindAWSService {
		// A service acting on its own is not anyone's use of their access.
		return
	}
	person := -1
	if e.Person != nil {
		person = of.principal(*e.Person)
		of.active(person, at)
	}
	// Kept per session: the store credits it to the person whose
	// AssumeRoleWithSAML issued the session, in whatever object that event is.
	perSession := e.Session != nil && e.Person == nil && e.Actor.Kind == store.KindIAMRole && !e.Session.ToolMade
	if e.Session != nil {
		role := actor
		if e.Actor.Kind != store.KindIAMRole {
			// AssumeRoleWithSAML: the caller is the person; the session
			// belongs to the role assumed.
			person = actor
			role = of.principal(store.Principal{ARN: e.Session.RoleARN, Kind: store.KindIAMRole, AccountID: cloudtrail.AccountOf(e.Session.RoleARN), Name: cloudtrail.NameOf(e.Session.RoleARN)})
			if !e.Session.ToolMade {
				of.signIn(role, e.Session.Name, person, at)
			}
		}
		of.session(role, e.Session, person, at)
		if perSession {
			of.sessionActive(actor, e.Session.Name, at)
		}
	}
	for _, u := range e.Uses {
		if u.Resource == nil && e.ErrorCode == "" {
			// Successful calls on none of the three kinds are activity
			// only, recorded above.
			continue
		}
		r := of.resource(u.Resource)
		uf := store.UseFact{EventID: e.ID, Principal: actor, Resource: r, Action: u.Action, ErrorCode: e.ErrorCode, At: at}
		if perSession {
			uf.Session = e.Session.Name
		}
		of.f.Uses = append(of.f.Uses, uf)
		if e.Person != nil {
			of.f.Uses = append(of.f.Uses, store.UseFact{EventID: e.ID, Principal: person, Resource: r, Action: u.Action, ErrorCode: e.ErrorCode, At: at})
		}
	}
}
