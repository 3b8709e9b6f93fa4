package iam

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// syntheticInventory builds a deterministic organization of nPrincipals
// users and roles and nResources buckets, keys and secrets over two
// accounts, with the mix real accounts show: mostly narrow inline and shared
// managed policies, a few broad readers and administrators, resource
// policies on a tenth of the resources.
func syntheticInventory(nPrincipals, nResources int) *Inventory {
	accounts := []string{"111111111111", "222222222222"}
	inv := &Inventory{}
	mustParse := func(name, doc string) *Policy {
		p, err := ParsePolicy(name, []byte(doc))
		if err != nil {
			panic(err)
		}
		return p
	}
	nBuckets, nKeys := nResources/2, nResources/4
	bucket := func(i int) string { return fmt.Sprintf("data-%05d", i%nBuckets) }
	key := func(i int) string {
		return fmt.Sprintf("arn:aws:kms:us-east-1:%s:key/%08d-0000-0000-0000-000000000000", accounts[i%2], i%nKeys)
	}
	secret := func(i int) string {
		return fmt.Sprintf("arn:aws:secretsmanager:us-east-1:%s:secret:app-%05d/db-AbCdEf", accounts[i%2], i%(nResources-nBuckets-nKeys))
	}
	for i := 0; i < nBuckets; i++ {
		r := ResourceInfo{ARN: "arn:aws:s3:::" + bucket(i), Kind: activity.KindS3Bucket, AccountID: accounts[i%2], Name: bucket(i)}
		if i%10 == 0 {
			r.Policy = mustParse(r.ARN+" bucket policy", fmt.Sprintf(`{"Statement":[
				{"Sid":"CrossRead","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:role/reader-%d"},"Action":["s3:GetObject","s3:ListBucket"],"Resource":["%s","%s/*"]},
				{"Sid":"TLS","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["%s","%s/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`,
				accounts[(i+1)%2], i%nPrincipals, r.ARN, r.ARN, r.ARN, r.ARN))
		}
		inv.Resources = append(inv.Resources, r)
	}
	for i := 0; i < nKeys; i++ {
		r := ResourceInfo{ARN: key(i), Kind: activity.KindKMSKey, AccountID: accounts[i%2], Region: "us-east-1"}
		if i%10 == 0 {
			r.Policy = mustParse(r.ARN+" key policy", fmt.Sprintf(`{"Statement":[
				{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":"kms:*","Resource":"*"}]}`, accounts[i%2]))
		}
		inv.Resources = append(inv.Resources, r)
	}
	for i := 0; i < nResources-nBuckets-nKeys; i++ {
		inv.Resources = append(inv.Resources, ResourceInfo{ARN: secret(i), Kind: activity.KindSecret, AccountID: accounts[i%2], Region: "us-east-1"})
	}
	managed := make([]*Policy, 20)
	for i := range managed {
		managed[i] = mustParse(fmt.Sprintf("arn:aws:iam::111111111111:policy/team-%d", i), fmt.Sprintf(`{"Statement":[
			{"Effect":"Allow","Action":["s3:Get*","s3:List*","s3:PutObject"],"Resource":["arn:aws:s3:::data-%03d*"]},
			{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"arn:aws:secretsmanager:*:*:secret:app-%03d*"},
			{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}`, i, i))
	}
	readOnly := mustParse("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", `{"Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"}]}`)
	admin := mustParse("arn:aws:iam::aws:policy/AdministratorAccess", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	for i := 0; i < nPrincipals; i++ {
		account := accounts[i%2]
		p := PrincipalInfo{ARN: fmt.Sprintf("arn:aws:iam::%s:user/user-%d", account, i), Kind: activity.KindIAMUser, AccountID: account, Name: fmt.Sprintf("user-%d", i)}
		if i%3 == 0 {
			p.ARN, p.Kind, p.Name = fmt.Sprintf("arn:aws:iam::%s:role/reader-%d", account, i), activity.KindIAMRole, fmt.Sprintf("reader-%d", i)
		}
		p.Policies = append(p.Policies, mustParse(p.ARN+" inline own", fmt.Sprintf(`{"Statement":[
			{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:ListBucket"],"Resource":["arn:aws:s3:::%s","arn:aws:s3:::%s/*","arn:aws:s3:::%s/home/${aws:username}/*"]},
			{"Effect":"Allow","Action":["kms:Decrypt","kms:GenerateDataKey"],"Resource":["%s","%s"]},
			{"Effect":"Allow","NotAction":["iam:*","organizations:*"],"Resource":"%s"}]}`,
			bucket(i*7), bucket(i*7+1), bucket(i*7+2), key(i*3), key(i*3+1), secret(i*5))),
			managed[i%len(managed)], managed[(i*7)%len(managed)])
		switch {
		case i%100 == 0:
			p.Policies = append(p.Policies, admin)
		case i%50 == 0:
			p.Policies = append(p.Policies, readOnly)
		}
		inv.Principals = append(inv.Principals, p)
	}
	return inv
}

// peakHeap samples the heap in use until stopped, for a peak-memory figure
// the runtime's own statistics do not keep.
func peakHeap() (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() uint64 { close(done); wg.Wait(); return peak.Load() }
}

// BenchmarkGrants evaluates 5,000 principals against 20,000 resources.
// Run: go test ./extractor/internal/iam -run '^$' -bench Grants -benchtime 1x
func BenchmarkGrants(b *testing.B) {
	inv := syntheticInventory(5000, 20000)
	runtime.GC()
	b.ResetTimer()
	for b.Loop() {
		stop := peakHeap()
		start := time.Now()
		e, err := NewEngine(DefaultCatalog(), inv)
		if err != nil {
			b.Fatal(err)
		}
		var pairs, conditional, actions int
		err = e.Grants(context.Background(), func(g Grant) error {
			pairs++
			actions += len(g.Actions)
			if len(g.Conditional) > 0 {
				conditional++
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		elapsed := time.Since(start)
		peak := stop()
		b.ReportMetric(float64(pairs), "pairs")
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		b.Logf("%d principals x %d resources: %d granted pairs (%d conditional, %d actions) in %s, peak heap %.0f MiB",
			len(inv.Principals), len(inv.Resources), pairs, conditional, actions, elapsed.Round(time.Millisecond), float64(peak)/(1<<20))
	}
}
