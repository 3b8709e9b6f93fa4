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

func (s S3) String() string { return "s3://" + s.Bucket + "/" + s.Prefix }

// List lists the objects; fn is called from one goroutine at a time.
func (s S3) List(ctx context.Context, from, to time.Time, fn func(Object) error) error {
	accounts, err := s.accountPrefixes(ctx)
	if err != nil {
		return err
	}
	if accounts == nil {
		return s.listAll(ctx, s.Prefix, from, to, fn)
	}
	var prefixes []string
	for _, ap := range accounts {
		regions, err := s.folders(ctx, ap+"CloudTrail/")
		if s.deniedFolder(err, ap) {
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
	n := s.Concurrency
	if n <= 0 {
		n = 8
	}
	g.SetLimit(n)
	for _, p := range prefixes {
		g.Go(func() error {
			return s.listAll(gctx, p, from, to, func(o Object) error {
				mu.Lock()
				defer mu.Unlock()
				return fn(o)
			})
		})
	}
	return g.Wait()
}

// accountPrefixes finds [PREFIX/]AWSLogs/[ORG/]ACCOUNT/ folders; nil when
// the bucket has no trail layout under the prefix. With Accounts named, an
// organization folder is not listed: the named accounts' folders in it are
// read directly, so a reader allowed only those accounts' logs is enough.
func (s S3) accountPrefixes(ctx context.Context) ([]string, error) {
	root := LogsRoot(s.Prefix)
	top, err := s.folders(ctx, root)
	if err != nil {
		if len(s.Accounts) == 0 || !awsapi.IsAccessDenied(err) {
			return nil, err
		}
		// A reader policy older than the ListTrailLogFolders statement:
		// the account layout is all that can be tried.
		s.warn("cannot list the log folders; reading the account layout only", "prefix", root, "error", err)
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
		if awsapi.IsAccountID(acct) && (len(want) == 0 || want[acct]) {
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
		if s.deniedFolder(err, p) {
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
// logs root, and says so. Such a folder belongs to another trail than the
// one the reader policy was written for (or, for a named account inside an
// organization's folder, is only a guess): the rest is read.
func (s S3) deniedFolder(err error, prefix string) bool {
	if err == nil || !awsapi.IsAccessDenied(err) {
		return false
	}
	s.warn("listing a log folder was denied; the logs under it are not read", "prefix", prefix, "error", err)
	return true
}

func (s S3) warn(msg string, args ...any) {
	if s.Logger != nil {
		s.Logger.Warn(msg, args...)
	}
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
	return out.Body, nil
}

// LogFolders reads the trail layout under the prefix: the organization id
// (empty for account trails), the accounts whose logs are there, and the
// regions any of them has logs in, sorted. A folder the reader may not list
// is left out and reported.
func (s S3) LogFolders(ctx context.Context) (orgID string, accounts, regions []string, err error) {
	prefixes, err := s.accountPrefixes(ctx)
	if err != nil {
		return "", nil, nil, err
	}
	root := LogsRoot(s.Prefix)
	found := make([][]string, len(prefixes))
	g, gctx := errgroup.WithContext(ctx)
	n := s.Concurrency
	if n <= 0 {
		n = 8
	}
	g.SetLimit(n)
	for i, p := range prefixes {
		g.Go(func() error {
			folders, err := s.folders(gctx, p+"CloudTrail/")
			if s.deniedFolder(err, p) {
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
