package report

import (
	"encoding/json"
	"io"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// The types below are the JSON contract of `report --format json`. Pointer
// fields are null when the value is absent: a consumer must be able to tell
// "no score" from a score of zero, so nothing is omitted.
type jsonReport struct {
	AsOf        string          `json:"as_of"`
	WindowDays  int             `json:"window_days"`
	WindowStart string          `json:"window_start"`
	ComputedAt  *string         `json:"computed_at"`
	Coverage    jsonCoverage    `json:"coverage"`
	Summary     jsonSummary     `json:"summary"`
	Principals  []jsonPrincipal `json:"principals"`
	KMSKeys     []jsonKey       `json:"kms_keys"`
	Findings    []jsonFinding   `json:"findings"`
}

// jsonFinding is an unused-access finding. ID is the access key's id for
// unused_access_key (access_key_1 or access_key_2, its column in the
// credential report, when only the report named it), null otherwise;
// CreatedAt is when the key was created or the password last set.
type jsonFinding struct {
	Type           string            `json:"type"`
	Principal      string            `json:"principal"`
	Kind           string            `json:"kind"`
	AccountID      string            `json:"account_id"`
	ID             *string           `json:"id"`
	Service        *string           `json:"service"`
	Actions        []string          `json:"actions"`
	ActionLastUsed map[string]string `json:"action_last_used"`
	LastUsedAt     *string           `json:"last_used_at"`
	CreatedAt      *string           `json:"created_at"`
	UnusedDays     int               `json:"unused_days"`
	WindowStart    string            `json:"window_start"`
	AsOf           string            `json:"as_of"`
}

type jsonService struct {
	Service     string   `json:"service"`
	Granted     int      `json:"granted"`
	UsedActions []string `json:"used_actions"`
	LastUsedAt  *string  `json:"last_used_at"`
}

type jsonCoverage struct {
	MonitoredAccounts    []string               `json:"monitored_accounts"`
	MissingDays          []activity.AccountDays `json:"missing_days"`
	DataEventsNotLogged  []string               `json:"data_events_not_logged"`
	UnattributedSessions int                    `json:"unattributed_sessions"`
}

type jsonSummary struct {
	Principals      int     `json:"principals"`
	Monitored       int     `json:"monitored"`
	Dormant         int     `json:"dormant"`
	OverProvisioned int     `json:"over_provisioned"`
	Threshold       float64 `json:"over_provisioned_above"`
	RootUsed        int     `json:"root_used"`
	Denied          int64   `json:"denied"`
}

type jsonPrincipal struct {
	ARN            string         `json:"arn"`
	Kind           string         `json:"kind"`
	AccountID      string         `json:"account_id"`
	Name           string         `json:"name"`
	Monitored      bool           `json:"monitored"`
	OPS            *score         `json:"ops"`
	ResourceOPS    *score         `json:"resource_ops"`
	NAReason       *string        `json:"na_reason"`
	Dormant        bool           `json:"dormant"`
	LastActivityAt *string        `json:"last_activity_at"`
	ObservedSince  *string        `json:"observed_since"`
	Notes          []string       `json:"notes"`
	Denied         []jsonDenied   `json:"denied"`
	Resources      []jsonResource `json:"resources"`
	Services       []jsonService  `json:"services"`
	ServiceOPS     *score         `json:"service_ops"`
	PermissionOPS  *score         `json:"permission_ops"`
}

type jsonDenied struct {
	Action    string  `json:"action"`
	Resource  *string `json:"resource"`
	ErrorCode string  `json:"error_code"`
	Count     int64   `json:"count"`
	LastAt    string  `json:"last_at"`
}

type jsonResource struct {
	ARN                string   `json:"arn"`
	Kind               string   `json:"kind"`
	AccountID          string   `json:"account_id"`
	Name               string   `json:"name"`
	OPS                *score   `json:"ops"`
	GrantedActions     []string `json:"granted_actions"`
	UsedActions        []string `json:"used_actions"`
	ConditionalActions []string `json:"conditional_actions"`
	LastUsedAt         *string  `json:"last_used_at"`
}

type jsonKey struct {
	ARN            string  `json:"arn"`
	AccountID      string  `json:"account_id"`
	Region         string  `json:"region"`
	LastActivityAt *string `json:"last_activity_at"`
	LastViewedAt   *string `json:"last_viewed_at"`
}

// score is an OPS written with exactly one decimal (70.0, not 70), as the
// contract shows it.
type score float64

func (s score) MarshalJSON() ([]byte, error) { return []byte(formatScore(float64(s))), nil }

func scorePtr(v *float64) *score {
	if v == nil {
		return nil
	}
	s := score(round1(*v))
	return &s
}

func timePtr(t *time.Time) *string {
	if t == nil || t.IsZero() {
		return nil
	}
	s := formatTime(*t)
	return &s
}

func list[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

// JSON writes the run as the one object of the report contract: the root
// users that acted in the window first, then the principals in the order
// given.
func JSON(w io.Writer, s *activity.Scores) error {
	sum := summarize(s)
	cov := s.Run.Coverage
	out := jsonReport{
		AsOf:        formatTime(s.Run.AsOf),
		WindowDays:  s.Run.Days,
		WindowStart: formatTime(s.Run.Start()),
		ComputedAt:  timePtr(&s.Run.ComputedAt),
		Coverage: jsonCoverage{
			MonitoredAccounts:    list(cov.MonitoredAccounts),
			MissingDays:          make([]activity.AccountDays, 0, len(cov.MissingDays)),
			DataEventsNotLogged:  list(cov.DataEventsNotLogged),
			UnattributedSessions: cov.UnattributedSessions,
		},
		Summary: jsonSummary{
			Principals:      sum.Principals,
			Monitored:       sum.Monitored,
			Dormant:         sum.Dormant,
			OverProvisioned: sum.OverProvisioned,
			Threshold:       OverProvisionedAbove,
			RootUsed:        sum.RootUsed,
			Denied:          sum.Denied,
		},
		Principals: make([]jsonPrincipal, 0, len(s.Principals)),
		KMSKeys:    make([]jsonKey, 0, len(s.KMSKeys)),
		Findings:   []jsonFinding{},
	}
	for _, m := range cov.MissingDays {
		out.Coverage.MissingDays = append(out.Coverage.MissingDays, activity.AccountDays{AccountID: m.AccountID, Days: list(m.Days)})
	}
	for _, p := range rootFirst(s.Principals, s.Run.Window) {
		jp := jsonPrincipal{
			ARN:            p.ARN,
			Kind:           p.Kind,
			AccountID:      p.AccountID,
			Name:           p.Name,
			Monitored:      p.Monitored,
			OPS:            scorePtr(p.OPS),
			ResourceOPS:    scorePtr(p.ResourceOPS),
			Dormant:        p.Dormant,
			LastActivityAt: timePtr(p.LastActivityAt),
			ObservedSince:  timePtr(p.ObservedSince),
			Notes:          list(p.Notes),
			Denied:         make([]jsonDenied, 0, len(p.Denied)),
			Resources:      make([]jsonResource, 0, len(p.Resources)),
			Services:       make([]jsonService, 0, len(p.Services)),
			ServiceOPS:     scorePtr(p.ServiceOPS),
			PermissionOPS:  scorePtr(p.PermissionOPS),
		}
		for _, sv := range p.Services {
			jp.Services = append(jp.Services, jsonService{Service: sv.Service, Granted: sv.Granted, UsedActions: list(sv.UsedActions),
				LastUsedAt: timePtr(sv.LastUsedAt)})
		}
		for _, d := range p.Denied {
			jd := jsonDenied{Action: d.Action, ErrorCode: d.ErrorCode, Count: d.Count, LastAt: formatTime(d.LastAt)}
			if d.Resource != nil {
				jd.Resource = &d.Resource.ARN
			}
			jp.Denied = append(jp.Denied, jd)
		}
		// OPS of an unmonitored principal is null by definition, not zero,
		// whatever the input carries.
		if !p.Monitored {
			jp.OPS, jp.ResourceOPS, jp.ServiceOPS, jp.PermissionOPS = nil, nil, nil, nil
		}
		if jp.OPS == nil {
			reason := p.NAReason
			if reason == "" {
				// Runs stored before reasons were kept, and a principal
				// not monitored whatever the input says.
				reason = activity.NANoLogs
				if p.Monitored {
					reason = activity.NANothingGranted
				}
			}
			jp.NAReason = &reason
		}
		for _, r := range p.Resources {
			jr := jsonResource{
				ARN:                r.ARN,
				Kind:               r.Kind,
				AccountID:          r.AccountID,
				Name:               r.Name,
				OPS:                scorePtr(r.OPS),
				GrantedActions:     list(r.GrantedActions),
				UsedActions:        list(r.UsedActions),
				ConditionalActions: list(r.ConditionalActions),
				LastUsedAt:         timePtr(r.LastUsedAt),
			}
			if !p.Monitored {
				jr.OPS = nil
			}
			jp.Resources = append(jp.Resources, jr)
		}
		out.Principals = append(out.Principals, jp)
	}
	for _, f := range Findings(s) {
		jf := jsonFinding{Type: f.Type, Principal: f.Principal.ARN, Kind: f.Principal.Kind, AccountID: f.Principal.AccountID,
			Actions: list(f.Actions), ActionLastUsed: map[string]string{}, LastUsedAt: timePtr(f.LastUsedAt),
			UnusedDays: f.UnusedDays(s.Run.Window), WindowStart: formatTime(s.Run.Start()), AsOf: formatTime(s.Run.AsOf)}
		if f.Service != "" {
			jf.Service = &f.Service
		}
		if f.AccessKey != "" {
			jf.ID = &f.AccessKey
		}
		jf.CreatedAt = timePtr(f.CreatedAt)
		for a, t := range f.ActionLastUsed {
			jf.ActionLastUsed[a] = formatTime(t)
		}
		out.Findings = append(out.Findings, jf)
	}
	for _, k := range s.KMSKeys {
		out.KMSKeys = append(out.KMSKeys, jsonKey{
			ARN:            k.ARN,
			AccountID:      k.AccountID,
			Region:         k.Region,
			LastActivityAt: timePtr(k.LastActivityAt),
			LastViewedAt:   timePtr(k.LastViewedAt),
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
