package activity

// The facts the extraction engines write and scoring reads.

// Facts are what a read contributes besides its uses, whichever engine
// read it. Principals and resources are listed once and referred to by
// index.
type Facts struct {
	Principals []Principal
	Resources  []Resource
	Activity   []ActivityFact
	Sessions   []SessionFact
	// SessionDays are the days of sessions whose uses carry Session.
	SessionDays []SessionDayFact
	SignIns     []SignInFact
	Keys        []KeyFact
	Observed    []ObservedFact
	// ServiceUses are the actions of any service principals performed
	// successfully, per day.
	ServiceUses []ServiceUseFact
	// CredentialUses are the uses of access keys and successful console
	// sign-ins, per principal, credential and day.
	CredentialUses []CredentialUseFact
}

// UseFact is one action of one event on one resource (Resource -1: none of
// the scored kinds).
type UseFact struct {
	EventID   [16]byte
	Principal int
	Resource  int
	Action    string
	ErrorCode string
	At        int64 // unix seconds
	// Session is the name of the role session that made the call when the
	// event names no person (Principal is then the role): the store keeps
	// such uses per session until a SAML sign-in names the person.
	Session string
}

// ActivityFact is a principal's first and last event of one day, and the
// seconds of the day at which it acted.
type ActivityFact struct {
	Principal   int
	Day         int64
	First, Last int64
	Seconds     Seconds
}

// SessionFact is a role session seen, and the person it is attributed to
// (Person -1: none).
type SessionFact struct {
	Role           int
	Name           string
	SourceIdentity string
	Person         int
	First, Last    int64
}

// SessionDayFact is the first and last event of one day of a role session
// whose events name no person, and the seconds of its events.
type SessionDayFact struct {
	Role        int
	Name        string
	Day         int64
	First, Last int64
	Seconds     Seconds
}

// SignInFact is an AssumeRoleWithSAML that issued a session of a role, with
// its name, to a person on a day.
type SignInFact struct {
	Role   int
	Name   string
	Person int
	Day    int64
}

// KeyFact is a KMS key's last use of one day, and last cryptographic use
// (0: none that day), with the seconds of each kind of use.
type KeyFact struct {
	Resource        int
	Day             int64
	LastActivity    int64
	LastCrypto      int64
	ActivitySeconds Seconds
	CryptoSeconds   Seconds
}

// ObservedFact counts the events read for one account, region and day.
type ObservedFact struct {
	AccountID, Region string
	Day               int64
	Events            int64
}

// SessionUseFact is the first and last successful use of one day of an
// action on a resource by a role session, and the seconds of its uses.
type SessionUseFact struct {
	Role, Resource int
	Session        string
	Action         string
	Day            int64
	First, Last    int64
	Seconds        Seconds
}

// UsageCount is how many distinct events of one day a principal used one
// action on one resource (Resource -1: none of the three kinds) with one
// outcome (ErrorCode empty: success), and the seconds of those events.
type UsageCount struct {
	Principal   int
	Resource    int
	Action      string
	ErrorCode   string
	Day         int64
	First, Last int64
	Count       int64
	Seconds     Seconds
}

// ServiceUseFact is the first and last successful use of one day of an IAM
// action of any service on none of the scored resource kinds (those uses
// are UseFacts, with their resource), by a principal, and the seconds of
// its uses. Session names the role session that made the calls
// when their events name no person (Principal is then the role, which has a
// fact of its own with Session empty): the store credits it to the person a
// SAML sign-in names, as it does session uses of the scored kinds.
type ServiceUseFact struct {
	Principal   int
	Session     string
	Action      string
	Day         int64
	First, Last int64
	Seconds     Seconds
}
