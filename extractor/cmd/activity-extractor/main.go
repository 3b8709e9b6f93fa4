// Command activity-extractor reads CloudTrail logs and IAM policies, scores
// unused access, and writes the results to the SQLite database that the
// Terraform provider reads.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/cli"
)

var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := cli.Run(ctx, os.Args[1:], cli.Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}, version)
	stop()
	os.Exit(cli.ExitCode(err))
}
