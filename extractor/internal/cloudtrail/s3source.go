package cloudtrail

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sync/errgroup"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/awsapi"
)

// S3 reads a trail's objects from a bucket. When [Prefix/]AWSLogs/ exists it
// lists only the date folders of the window, for every account and region
// found there (or the accounts named); otherwise it lists everything under
// Prefix.
type S3 struct {
	Client *s3.Client
	Bucket string
	Prefix string
	// Accounts, when not empty, restricts the trail layout to these accounts.
	Accounts []string
	// Concurrency bounds simultaneous list requests; 0 means 8.
	Concurrency int
	// Logger, when set, is told of folders that could not be listed.
	Logger *slog.Logger
}

// concurrency is the bound on simultaneous list requests.
func (s S3) concurrency() int {
	if s.Concurrency <= 0 {
		return 8
	}
	return s.Concurrency
}

func (s S3) String() string { return "s3://" + s.Bucket + "/" + s.Prefix }

// List lists the objects; fn is called from one goroutine at a time.
// Folders below the logs root that the reader may not list are left out,
// and named at the end by a *ListDeniedError once everything else was listed.
func (s S3) List(ctx context.Context, from, to time.Time, fn func(Object) error) error {
	var denied denials
	accounts, err := s.accountPrefixes(ctx, &denied)
	if err != nil {
		return err
	}
	if accounts == nil {
		return s.listAll(ctx, s.Prefix, from, to, fn)
	}
	var prefixes []string
	for _, ap := range accounts {
		regions, err := s.folders(ctx, ap+"CloudTrail/")
		if s.deniedFolder(err, ap, &denied) {
			continue
		}
		if err != nil {
			return err
		}
		for _, r := range regions {
			region := strings.TrimSuffix(strings.TrimPrefix(r, ap+"CloudTrail/"), "/")
			prefixes = append(prefixes, DayPrefixes(ap, region, from, to)...)
		}
	}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.concurrency())
	for _, p := range prefixes {
		g.Go(func() error {
			return s.listAll(gctx, p, from, to, func(o Object) error {
				mu.Lock()
				defer mu.Unlock()
				return fn(o)
			})
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return denied.err(s.Bucket)
}

// ListDeniedError names the folders of a trail's logs that the reader was
// not allowed to list: their logs were not read.
type ListDeniedError struct {
	Bucket   string
	Prefixes []string
	Err      error // the first refusal
}

func (e *ListDeniedError) Error() string {
	return fmt.Sprintf("listing was denied under %d folder(s) of s3://%s (first: %s): %v", len(e.Prefixes), e.Bucket, e.Prefixes[0], e.Err)
}

func (e *ListDeniedError) Unwrap() error { return e.Err }

// Reason says what was not read under one of the prefixes, and what to do.
func (e *ListDeniedError) Reason(prefix string) string {
	return "listing s3://" + e.Bucket + "/" + prefix + " was denied, so its logs were not read; if they belong to this trail, " +
		"grant s3:ListBucket for the prefix " + prefix + "* (data source activity_monitoring_iam_policy renders the statements)"
}

// denials collects refused listings; safe for concurrent use.
type denials struct {
	mu       sync.Mutex
	prefixes []string
	first    error
}

func (d *denials) add(prefix string, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.prefixes = append(d.prefixes, prefix)
	if d.first == nil {
		d.first = err
	}
}

func (d *denials) err(bucket string) error {
	if len(d.prefixes) == 0 {
		return nil
	}
	return &ListDeniedError{Bucket: bucket, Prefixes: d.prefixes, Err: d.first}
}

// accountPrefixes finds [PREFIX/]AWSLogs/[ORG/]ACCOUNT/ folders; nil when
// the bucket has no trail layout under the prefix. With Accounts named, an
// organization folder is not listed: the named accounts' folders in it are
// read directly, so a reader allowed only those accounts' logs is enough.
func (s S3) accountPrefixes(ctx context.Context, denied *denials) ([]string, error) {
	root := LogsRoot(s.Prefix)
	top, err := s.folders(ctx, root)
	if err != nil {
		if len(s.Accounts) == 0 || !awsapi.IsAccessDenied(err) {
			return nil, err
		}
		// The policy for account trails does not let the reader see which
		// folders are there: the accounts' own folders are read.
		if s.Logger != nil {
			s.Logger.Debug("the log folders cannot be listed; reading the accounts' folders", "prefix", root)
		}
		top = nil
		for _, a := range s.Accounts {
			top = append(top, root+a+"/")
		}
	}
	if len(top) == 0 {
		return nil, nil
	}
	want := map[string]bool{}
	for _, a := range s.Accounts {
		want[a] = true
	}
	out := []string{}
	add := func(p string) {
		acct := strings.TrimSuffix(p[strings.LastIndexByte(strings.TrimSuffix(p, "/"), '/')+1:], "/")
		if activity.IsAccountID(acct) && (len(want) == 0 || want[acct]) {
			out = append(out, p)
		}
	}
	for _, p := range top {
		name := strings.TrimSuffix(strings.TrimPrefix(p, root), "/")
		if !strings.HasPrefix(name, "o-") {
			add(p)
			continue
		}
		if len(want) > 0 {
			for _, a := range s.Accounts {
				add(p + a + "/")
			}
			continue
		}
		accts, err := s.folders(ctx, p)
		if s.deniedFolder(err, p, denied) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, a := range accts {
			add(a)
		}
	}
	return out, nil
}

// deniedFolder tells whether err is a refusal to list a folder below the
// logs root, and says so. Such a folder may belong to another trail than
// the one the reader policy was written for: the rest is read.
func (s S3) deniedFolder(err error, prefix string, denied *denials) bool {
	if err == nil || !awsapi.IsAccessDenied(err) {
		return false
	}
	if s.Logger != nil {
		s.Logger.Warn("listing a log folder was denied; the logs under it are not read", "prefix", prefix, "error", err)
	}
	denied.add(prefix, err)
	return true
}

// folders lists the common prefixes right under prefix.
func (s S3) folders(ctx context.Context, prefix string) ([]string, error) {
	var out []string
	p := s3.NewListObjectsV2Paginator(s.Client, &s3.ListObjectsV2Input{
		Bucket: aws.String(s.Bucket), Prefix: aws.String(prefix), Delimiter: aws.String("/"),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list s3://%s/%s: %w", s.Bucket, prefix, err)
		}
		for _, cp := range page.CommonPrefixes {
			out = append(out, aws.ToString(cp.Prefix))
		}
	}
	return out, nil
}

func (s S3) listAll(ctx context.Context, prefix string, from, to time.Time, fn func(Object) error) error {
	p := s3.NewListObjectsV2Paginator(s.Client, &s3.ListObjectsV2Input{Bucket: aws.String(s.Bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list s3://%s/%s: %w", s.Bucket, prefix, err)
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			if !IsEventObject(key) || !InWindow(key, from, to) {
				continue
			}
			if err := fn(Object{
				Location: "s3://" + s.Bucket + "/" + key,
				Key:      key,
				ETag:     strings.Trim(aws.ToString(o.ETag), `"`),
				Size:     aws.ToInt64(o.Size),
				Modified: aws.ToTime(o.LastModified).UTC(),
			}); err != nil {
				return err
			}
		}
	}
	return nil
}

// Open starts reading an object.
func (s S3) Open(ctx context.Context, o Object) (io.ReadCloser, error) {
	out, err := s.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.Bucket), Key: aws.String(o.Key)})
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", o.Location, err)
	}
	length := int64(-1)
	if out.ContentLength != nil {
		length = *out.ContentLength
	}
	return newCheckedBody(out.Body, o.Location, length), nil
}

// LogFolders reads the trail layout under the prefix: the organization id
// (empty for account trails), the accounts whose logs are there, and the
// regions any of them has logs in, sorted. A folder the reader may not list
// is left out and reported.
func (s S3) LogFolders(ctx context.Context) (orgID string, accounts, regions []string, err error) {
	var denied denials
	prefixes, err := s.accountPrefixes(ctx, &denied)
	if err != nil {
		return "", nil, nil, err
	}
	root := LogsRoot(s.Prefix)
	found := make([][]string, len(prefixes))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.concurrency())
	for i, p := range prefixes {
		g.Go(func() error {
			folders, err := s.folders(gctx, p+"CloudTrail/")
			if s.deniedFolder(err, p, &denied) {
				return nil
			}
			found[i] = folders
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return "", nil, nil, err
	}
	seen := map[string]bool{}
	for i, folders := range found {
		if len(folders) == 0 {
			continue
		}
		parts := strings.Split(strings.TrimSuffix(strings.TrimPrefix(prefixes[i], root), "/"), "/")
		if len(parts) == 2 {
			orgID = parts[0]
		}
		accounts = append(accounts, parts[len(parts)-1])
		for _, f := range folders {
			r := strings.TrimSuffix(strings.TrimPrefix(f, prefixes[i]+"CloudTrail/"), "/")
			if r != "" && !seen[r] {
				seen[r] = true
				regions = append(regions, r)
			}
		}
	}
	sort.Strings(regions)
	return orgID, accounts, regions, nil
}
