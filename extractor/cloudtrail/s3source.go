package cloudtrail

import (
	"context"
	"fmt"
	"io"
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
// the bucket has no trail layout under the prefix.
func (s S3) accountPrefixes(ctx context.Context) ([]string, error) {
	root := LogsRoot(s.Prefix)
	top, err := s.folders(ctx, root)
	if err != nil || len(top) == 0 {
		return nil, err
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
		if strings.HasPrefix(name, "o-") {
			accts, err := s.folders(ctx, p)
			if err != nil {
				return nil, err
			}
			for _, a := range accts {
				add(a)
			}
			continue
		}
		add(p)
	}
	return out, nil
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
