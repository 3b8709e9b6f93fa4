package generate

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/goccy/go-json"
	"github.com/klauspost/compress/gzip"
	"golang.org/x/sync/errgroup"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/cloudtrail"
)

// TrailBucket is the bucket name the generated digests refer to.
const TrailBucket = "org-trail-logs"

// trailName is the generated organization trail's name.
const trailName = "org-trail"

// Objects hold 50 to 1,500 records, as CloudTrail's do; the last object of
// a stream may hold fewer.
const minRecords, maxRecords = 50, 1500

// Stats is what was written.
type Stats struct {
	Events     int64 `json:"events"` // distinct events
	Objects    int64 `json:"objects"`
	Duplicates int64 `json:"duplicate_objects"` // objects delivered a second time
	Digests    int64 `json:"digests"`
	Bytes      int64 `json:"bytes"`
}

// Manifest describes the generated world for people and for tests.
type Manifest struct {
	OrganizationID string `json:"organization_id"`
	TrailFolder    string `json:"trail_folder"`
	AuthzFolder    string `json:"authz_folder"`
	// CredentialsFolder holds each account's credential report, ACCOUNT.csv
	// (what `discover --credential-report` reads).
	CredentialsFolder string            `json:"credentials_folder"`
	From              string            `json:"from"`
	To                string            `json:"to"`
	Accounts          []ManifestAccount `json:"accounts"`
	Demo              map[string]string `json:"demo"`
	Stats             Stats             `json:"stats"`
}

// ManifestAccount is one generated account.
type ManifestAccount struct {
	ID       string            `json:"id"`
	Alias    string            `json:"alias"`
	InTrail  bool              `json:"in_trail"`
	Profiles map[string]string `json:"profiles"` // principal ARN → profile
	// Resources are the account's buckets, keys and secrets, none with a
	// resource policy: what `discover --resource` takes.
	Resources []string `json:"resources"`
}

// Run writes the world under o.Out: trail/ (the bucket's content), authz/
// (one authorization-details file per account) and manifest.json.
func Run(ctx context.Context, o Options) (Manifest, error) {
	switch {
	case o.Accounts < 1 || o.Accounts > 1000:
		return Manifest{}, fmt.Errorf("accounts %d: give 1 to 1000", o.Accounts)
	case o.Users < 2 || o.Users > 10000:
		return Manifest{}, fmt.Errorf("users %d: give 2 to 10000 per account", o.Users)
	case o.Days < 1 || o.Days > 365:
		return Manifest{}, fmt.Errorf("days %d: give 1 to 365", o.Days)
	case o.Events < 1:
		return Manifest{}, fmt.Errorf("events %d: give at least 1", o.Events)
	}
	w := newWorld(o)
	m := Manifest{OrganizationID: w.orgID, TrailFolder: "trail", AuthzFolder: "authz", From: isoTime(w.start), To: isoTime(w.end), Demo: map[string]string{}}
	if err := os.MkdirAll(filepath.Join(o.Out, "authz"), 0o755); err != nil {
		return m, err
	}
	for _, a := range w.accounts {
		ma := ManifestAccount{ID: a.id, Alias: a.alias, InTrail: a.inTrail, Profiles: map[string]string{}}
		for _, b := range a.buckets {
			ma.Resources = append(ma.Resources, a.id+":"+b.name)
		}
		for _, k := range a.keys {
			ma.Resources = append(ma.Resources, a.keyARN(k))
		}
		for _, sec := range a.secrets {
			ma.Resources = append(ma.Resources, a.secretARN(sec))
		}
		if a == w.accounts[0] {
			for _, k := range kindWorkers {
				_, arn := a.kindResource(k.kind)
				ma.Resources = append(ma.Resources, arn)
			}
		}
		for _, id := range a.identities {
			ma.Profiles[id.arn] = profileNames[id.profile]
			switch {
			case id.profile == ownerReader:
				// It may do anything to its bucket and only reads it: the
				// unused permissions of its s3 service are a finding too.
				m.Demo["over_provisioned_user"] = id.arn
				m.Demo["unused_permission_user"] = id.arn
				// Beside the key it uses, an old one it never does.
				m.Demo["unused_access_key_user"] = id.arn
			case id.profile == dormant && id.kind == "AssumedRole" && a.inTrail && m.Demo["unused_role"] == "":
				m.Demo["unused_role"] = id.arn
			case id.profile == dormant && id.kind == "AssumedRole":
			case id.profile == dormant && a.inTrail && m.Demo["dormant_user"] == "":
				m.Demo["dormant_user"] = id.arn
				// Its console password was last used before the events.
				m.Demo["unused_password_user"] = id.arn
			case !a.inTrail && m.Demo["unmonitored_user"] == "":
				m.Demo["unmonitored_user"] = id.arn
			case scripted(id.profile):
				// The role using this kind, with an OPS known by hand.
				m.Demo[kindWorkerOf(id.profile).kind+"_role"] = id.arn
			}
		}
		m.Accounts = append(m.Accounts, ma)
		if err := writeJSON(filepath.Join(o.Out, "authz", a.id+".json"), a.authorizationDetails(stableID)); err != nil {
			return m, err
		}
	}
	type stream struct {
		a      *account
		region string
		events int
	}
	var streams []stream
	for _, a := range w.accounts {
		if !a.inTrail {
			continue
		}
		for _, r := range regions {
			streams = append(streams, stream{a: a, region: r})
		}
	}
	for i := range streams {
		streams[i].events = o.Events / len(streams)
		if i < o.Events%len(streams) {
			streams[i].events++
		}
	}
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	stats := make([]Stats, len(streams))
	lastUses := make([]map[string]time.Time, len(streams))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for i, s := range streams {
		g.Go(func() error {
			var err error
			lastUses[i] = map[string]time.Time{}
			stats[i], err = writeStream(gctx, o, w, s.a, s.region, s.events, uint64(i), lastUses[i])
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return m, err
	}
	for _, s := range stats {
		m.Stats.Events += s.Events
		m.Stats.Objects += s.Objects
		m.Stats.Duplicates += s.Duplicates
		m.Stats.Digests += s.Digests
		m.Stats.Bytes += s.Bytes
	}
	if err := writeJSON(filepath.Join(o.Out, OktaExportFile), w.oktaExport(m.Demo)); err != nil {
		return m, err
	}
	lastUse := map[string]time.Time{}
	for _, l := range lastUses {
		for k, t := range l {
			if t.After(lastUse[k]) {
				lastUse[k] = t
			}
		}
	}
	m.CredentialsFolder = "credentials"
	if err := os.MkdirAll(filepath.Join(o.Out, m.CredentialsFolder), 0o755); err != nil {
		return m, err
	}
	for _, a := range w.accounts {
		if err := writeFile(filepath.Join(o.Out, m.CredentialsFolder, a.id+".csv"), w.credentialReport(a, lastUse, m.Demo)); err != nil {
			return m, err
		}
	}
	return m, writeJSON(filepath.Join(o.Out, "manifest.json"), m)
}

// OktaExportFile is the Okta export (`activity-extractor people
// --okta-export`) that assigns each account's federated role.
const OktaExportFile = "okta-export.json"

// oktaExport assigns each account's OktaDataAnalysts role, through one Okta
// group per account, to the person who uses it and to a colleague who never
// signs in: the role is in use, the colleague is dormant. It names the pair
// of the first account in the trail in demo.
func (w *world) oktaExport(demo map[string]string) map[string]any {
	type user struct {
		ID      string            `json:"id"`
		Status  string            `json:"status"`
		Profile map[string]string `json:"profile"`
	}
	var users []user
	var appGroups, groups []map[string]any
	members := map[string][]string{}
	seen := map[string]string{}
	userID := func(login string) string {
		if id, ok := seen[login]; ok {
			return id
		}
		id := "00u" + stableID(login)[4:]
		seen[login] = id
		users = append(users, user{ID: id, Status: "ACTIVE", Profile: map[string]string{"login": login, "email": login}})
		return id
	}
	for _, a := range w.accounts {
		for _, id := range a.identities {
			if id.person == "" {
				continue
			}
			idle := strings.Replace(id.person, "@", ".contractor@", 1)
			gid := "00g" + stableID("group:" + a.id)[4:]
			groups = append(groups, map[string]any{"id": gid, "profile": map[string]string{"name": "aws-" + a.alias + "-data-analysts"}})
			appGroups = append(appGroups, map[string]any{"id": gid, "priority": len(appGroups),
				"profile": map[string]any{"samlRoles": []string{activity.IAMARN("", a.id, "saml-provider/Okta") + "," + id.arn}}})
			members[gid] = []string{userID(id.person), userID(idle)}
			if a.inTrail && demo["active_person"] == "" {
				demo["active_person"], demo["dormant_person"] = id.person, idle
			}
		}
	}
	return map[string]any{"org_url": "https://example.okta.com", "app_id": "0oaGENERATEDAWS",
		"users": users, "app_users": []any{}, "app_groups": appGroups, "groups": groups, "group_members": members}
}

// stableID derives an IAM-style unique id from a name, so that ids do not
// depend on the order things are made in.
func stableID(seed string) string {
	sum := sha256.Sum256([]byte(seed))
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	b := make([]byte, 17)
	for i := range b {
		b[i] = chars[int(sum[i])%len(chars)]
	}
	return seed[:4] + string(b)
}

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

type logFile struct {
	S3Bucket        string `json:"s3Bucket"`
	S3Object        string `json:"s3Object"`
	HashValue       string `json:"hashValue"`
	HashAlgorithm   string `json:"hashAlgorithm"`
	NewestEventTime string `json:"newestEventTime"`
	OldestEventTime string `json:"oldestEventTime"`
}

// writeStream writes the events of one account and region.
func writeStream(ctx context.Context, o Options, w *world, a *account, region string, n int, index uint64, lastUse map[string]time.Time) (Stats, error) {
	var st Stats
	r := rand.New(rand.NewPCG(o.Seed, 0xc0ffee+index))
	span := w.end.Sub(w.start).Milliseconds()
	offsets := make([]int64, n)
	for i := range offsets {
		offsets[i] = r.Int64N(span)
	}
	slices.Sort(offsets)
	g := newEventGen(r, w, a, region)
	g.lastUse = lastUse
	root := filepath.Join(o.Out, "trail")
	digests := map[int64][]logFile{} // hour → files delivered in it
	var buf bytes.Buffer
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	for start := 0; start < n; {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		size := minRecords + r.IntN(maxRecords-minRecords+1)
		end := min(start+size, n)
		buf.Reset()
		buf.WriteString(`{"Records":[`)
		var first, last time.Time
		for i := start; i < end; i++ {
			at := w.start.Add(time.Duration(offsets[i]) * time.Millisecond).Truncate(time.Second)
			if i == start {
				first = at
			}
			last = at
			data, err := json.Marshal(g.event(at))
			if err != nil {
				return st, err
			}
			if i > start {
				buf.WriteByte(',')
			}
			buf.Write(data)
		}
		buf.WriteString("]}")
		st.Events += int64(end - start)
		gz.Reset()
		zw.Reset(&gz)
		if _, err := zw.Write(buf.Bytes()); err != nil {
			return st, err
		}
		if err := zw.Close(); err != nil {
			return st, err
		}
		delivered := last.Add(time.Duration(1+r.IntN(5)) * time.Minute).Truncate(time.Minute)
		copies := 1
		if r.IntN(100) == 0 {
			// CloudTrail sometimes delivers a file twice.
			copies = 2
			st.Duplicates++
		}
		for range copies {
			key := cloudtrail.EventObjectKey("", w.orgID, a.id, region, delivered, randString(r, 16, alnum))
			if err := writeFile(filepath.Join(root, filepath.FromSlash(key)), gz.Bytes()); err != nil {
				return st, err
			}
			sum := sha256.Sum256(gz.Bytes())
			hour := delivered.Unix() / 3600
			digests[hour] = append(digests[hour], logFile{S3Bucket: TrailBucket, S3Object: key, HashValue: hex.EncodeToString(sum[:]),
				HashAlgorithm: "SHA-256", NewestEventTime: isoTime(last), OldestEventTime: isoTime(first)})
			st.Objects++
			st.Bytes += int64(gz.Len())
		}
		start = end
	}
	if a == w.accounts[0] && region == regions[0] {
		// The kind workers' scripted calls, in one delivery of their own.
		recs := w.scriptedEvents(o.Seed, a)
		data, err := json.Marshal(map[string]any{"Records": recs})
		if err != nil {
			return st, err
		}
		gz.Reset()
		zw.Reset(&gz)
		if _, err := zw.Write(data); err != nil {
			return st, err
		}
		if err := zw.Close(); err != nil {
			return st, err
		}
		first, _ := time.Parse(time.RFC3339, recs[0].EventTime)
		last, _ := time.Parse(time.RFC3339, recs[len(recs)-1].EventTime)
		delivered := last.Add(5 * time.Minute)
		key := cloudtrail.EventObjectKey("", w.orgID, a.id, region, delivered, "ScriptedKinds001")
		if err := writeFile(filepath.Join(root, filepath.FromSlash(key)), gz.Bytes()); err != nil {
			return st, err
		}
		sum := sha256.Sum256(gz.Bytes())
		hour := delivered.Unix() / 3600
		digests[hour] = append(digests[hour], logFile{S3Bucket: TrailBucket, S3Object: key, HashValue: hex.EncodeToString(sum[:]),
			HashAlgorithm: "SHA-256", NewestEventTime: isoTime(last), OldestEventTime: isoTime(first)})
		st.Events += int64(len(recs))
		st.Objects++
		st.Bytes += int64(gz.Len())
	}
	hours := make([]int64, 0, len(digests))
	for h := range digests {
		hours = append(hours, h)
	}
	slices.Sort(hours)
	prevKey, prevHash := "", ""
	for _, h := range hours {
		at := time.Unix((h+1)*3600, 0).UTC().Add(time.Duration(r.IntN(600)) * time.Second)
		key := cloudtrail.DigestObjectKey("", w.orgID, a.id, region, trailName, at)
		digest := map[string]any{
			"awsAccountId": a.id, "digestStartTime": isoTime(time.Unix(h*3600, 0)), "digestEndTime": isoTime(time.Unix((h+1)*3600, 0)),
			"digestS3Bucket": TrailBucket, "digestS3Object": key, "digestPublicKeyFingerprint": hex.EncodeToString([]byte(a.id + region))[:32],
			"digestSignatureAlgorithm": "SHA256withRSA", "previousDigestS3Bucket": TrailBucket, "previousDigestS3Object": prevKey,
			"previousDigestHashValue": prevHash, "previousDigestHashAlgorithm": "SHA-256", "logFiles": digests[h],
		}
		data, err := json.Marshal(digest)
		if err != nil {
			return st, err
		}
		gz.Reset()
		zw.Reset(&gz)
		zw.Write(data)
		if err := zw.Close(); err != nil {
			return st, err
		}
		if err := writeFile(filepath.Join(root, filepath.FromSlash(key)), gz.Bytes()); err != nil {
			return st, err
		}
		sum := sha256.Sum256(gz.Bytes())
		prevKey, prevHash = key, hex.EncodeToString(sum[:])
		st.Digests++
	}
	return st, nil
}

func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}
