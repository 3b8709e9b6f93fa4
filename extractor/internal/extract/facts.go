package extract

import (
	"slices"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/cloudtrail"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/fold"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
)

// objectFacts folds one decoded object into the facts the store keeps, by
// fold's rules. Uses are kept per event so that the writer can drop events
// already counted from another delivery.
type objectFacts struct {
	fold.Builder
	f store.ObjectFacts
	// event is the id of the event being folded.
	event [16]byte
	// left counts events of days another engine counted.
	left int64
}

var _ fold.Sink = (*objectFacts)(nil)

// newObjectFacts folds the object o of the integration's logs.
func newObjectFacts(o cloudtrail.Object, integration string) *objectFacts {
	name, _ := cloudtrail.ParseObjectName(o.Key)
	return &objectFacts{
		Builder: fold.NewBuilder(),
		f: store.ObjectFacts{Location: o.Location, ETag: o.ETag, Size: o.Size, Modified: o.Modified, Integration: integration,
			Account: name.AccountID, Region: name.Region},
	}
}

// Use keeps each use with its event's id.
func (of *objectFacts) Use(u fold.Use, g fold.Group) {
	of.f.Uses = append(of.f.Uses, activity.UseFact{EventID: of.event, Principal: u.Principal, Resource: u.Resource,
		Action: u.Action, ErrorCode: u.ErrorCode, At: g.First, Session: u.Session})
}

// add folds one event in.
func (of *objectFacts) add(e *cloudtrail.Event, name cloudtrail.ObjectName) {
	of.f.Events++
	of.event = e.ID
	// An object holds the events of a day or two: the list stays short.
	if d := activity.Day(e.Time); !slices.Contains(of.f.Days, d) {
		of.f.Days = append(of.f.Days, d)
	}
	at := e.Time.Unix()
	fold.Event(e, fold.Group{First: at, Last: at, Events: 1, Records: 1, FolderAccount: name.AccountID, FolderRegion: name.Region}, of)
}

// facts are the object's facts, once every event is folded.
func (of *objectFacts) facts() *store.ObjectFacts {
	of.f.Facts = of.Builder.Facts
	slices.Sort(of.f.Days)
	return &of.f
}
